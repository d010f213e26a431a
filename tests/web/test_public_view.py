"""What the public may see (docs/security.md), tested from the public's side: every public
page and download, read with no account, names no pending incident, no reporting party
of an incident and no account."""

from __future__ import annotations

import io
import re
from datetime import date

from fastapi.testclient import TestClient
from pypdf import PdfReader

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.bulletin import days
from ceasefire.services import bulletins
from ceasefire.services.scenarios import load_scenario
from tests.api.conftest import bearer

SHELLING = {"when": {"earliest": "2017-01-15T10:00:00Z"},
            "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
            "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
            "narrative": "Shelling of the eastern districts."}
PENDING = {**SHELLING, "when": {"earliest": "2017-01-16T08:00:00Z"},
           "place": {"lat": 35.9306, "lon": 36.6339}, "narrative": "Idlib shelled."}
DISPUTED = {**SHELLING, "when": {"earliest": "2017-01-17T08:00:00Z"},
            "place": {"lat": 34.7324, "lon": 36.7137}, "narrative": "Homs shelled."}
# The demo accounts' names; "secretariat" is also the role's, so only quoted or bracketed.
ACCOUNTS = ("ru-officer", "tr-officer", "ir-officer", "un-monitor", "(secretariat)",
            '"secretariat"', "analyst")


def test_the_public_sees_findings_not_allegations_nor_people(database, syria_scenario):
    tokens = load_scenario(database, syria_scenario).tokens
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=database)) as client:
        def post(body, who):
            answer = client.post("/api/v1/reports", json=body, headers=bearer(tokens[who]))
            assert answer.status_code == 201, answer.text
            return answer.json()["incident"]

        def verdicts(incident, *positions):
            for version, (who, position) in enumerate(positions):
                cast = client.post(f"/api/v1/incidents/{incident}/verdicts",
                                   json={"position": position, "version": version},
                                   headers=bearer(tokens[who]))
                assert cast.status_code == 200, cast.text

        confirmed = post(SHELLING, "ru-officer")
        pending = post(PENDING, "tr-officer")
        disputed = post(DISPUTED, "un-monitor")
        verdicts(confirmed, ("ru-officer", "confirm"), ("tr-officer", "confirm"),
                 ("ir-officer", "confirm"))
        verdicts(disputed, ("ru-officer", "confirm"), ("tr-officer", "reject"))
        published = bulletins.publish(database, days(date(2017, 1, 15), date(2017, 1, 17)),
                                      username="secretariat")
        client.cookies.clear()

        def public(path):
            answer = client.get(path)  # no token, no cookie
            assert answer.status_code == 200, (path, answer.text)
            return answer

        read = {path: public(path).text for path in (
            "/public/incidents", f"/public/incidents/{confirmed}", "/public/map",
            "/public/map.svg", "/public/bulletins", f"/public/bulletins/{published.id}",
            f"/public/bulletins/{published.id}.json", f"/public/bulletins/{published.id}.md",
            "/api/v1/ledger/checkpoint", "/api/v1/ledger/keys")}
        pdf = PdfReader(io.BytesIO(public(f"/public/bulletins/{published.id}.pdf").content))
        read["pdf"] = "\n".join(page.extract_text() for page in pdf.pages)
        size = client.get("/api/v1/ledger/checkpoint").json()["size"]
        for seq in range(1, size + 1):
            read[f"proof {seq}"] = public(f"/api/v1/ledger/proofs/inclusion?seq={seq}").text

        assert confirmed in read["/public/incidents"]
        assert confirmed in read[f"/public/bulletins/{published.id}.json"]
        for where, text in read.items():
            for hidden in (pending, disputed, *ACCOUNTS):
                assert hidden not in text, (where, hidden)
            assert not re.search(r"[Rr]eported by|report\(s\) by", text), where
        for path in (f"/public/incidents/{pending}", f"/public/incidents/{disputed}"):
            assert client.get(path).status_code == 404
        # Who reported is not a filter the public may use either.
        for path in ("/public/incidents", "/public/map", "/public/map.svg"):
            assert client.get(path, params={"party": "TR"}).status_code in (400, 422)
