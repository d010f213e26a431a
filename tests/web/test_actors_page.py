"""The actor registry's page with a real login session: the secretariat's forms add, name
and merge, each confirmed from its ledger entry; a refused form says why and keeps what
was typed; other roles read the registry and may not post to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.services import ledger_checks
from ceasefire.services.logins import set_password
from tests.api.seed import seeded_database
from tests.fingerprint import fingerprint
from tests.web.conftest import csrf, page_clients

PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    with seeded_database("sqlite", request, tmp_path_factory.mktemp("actors")) as (db, _):
        for user in ("ru-officer", "un-monitor", "analyst", "secretariat"):
            set_password(db, username=user, password=PASSWORD)
        yield db


@pytest.fixture
def as_user(world) -> Iterator:
    with page_clients(world, PASSWORD) as log_in:
        yield log_in



def post(client: TestClient, path: str, form: dict[str, str]):
    return client.post(path, data={**form, "csrf_token": csrf(client.get("/actors").text)})


def test_the_secretariat_adds_names_and_merges_from_the_page(world, as_user):
    sec = as_user("secretariat")
    assert 'href="/actors"' in sec.get("/dashboard").text
    added = post(sec, "/actors", {"code": "page-douma", "name": "Douma Army (page)",
                                  "side": "opposition",
                                  "aliases": "ar:جيش دوما\nJaysh Douma (page)"})
    assert added.status_code == 303, added.text
    shown = sec.get(added.headers["location"])
    assert "Added Douma Army (page) (<code>page-douma</code>): signed into the ledger as " \
           "entry" in shown.text
    assert "جيش دوما" in shown.text and 'id="actor-page-douma"' in shown.text
    named = post(sec, "/actors/alias", {"actor": "page-douma", "text": "Army of Douma",
                                        "lang": "en"})
    assert named.status_code == 303
    assert "is also called “<span lang=\"en\" dir=\"auto\">Army of Douma</span>”" in sec.get(
        named.headers["location"]).text
    merged = post(sec, "/actors/merge", {"actor": "page-douma", "into": "jaysh-al-islam",
                                         "reason": "one group"})
    assert merged.status_code == 303
    page = sec.get(merged.headers["location"]).text
    assert "Douma Army (page) was merged into Jaysh al-Islam, with the reason “one group”" \
           in page
    assert "(merged into Jaysh al-Islam)" in page
    # A merged actor is offered no more in the forms.
    assert 'option value="page-douma"' not in page
    assert ledger_checks.verify(world).ok


@pytest.mark.parametrize(("path", "form", "said"), [
    ("/actors", {"code": "isil", "name": "Another"}, "Actor code &#39;isil&#39; is taken"),
    ("/actors", {"code": "Bad Code", "name": "Another"}, "<strong>Code</strong>:"),
    ("/actors", {"code": "new-x", "name": "New", "aliases": "en:Daesh"},
     "<strong>Other names</strong>: &#39;Daesh&#39; already leads to actor isil"),
    ("/actors", {"code": "new-x", "name": "New", "aliases": "ar:جيش\nenglish:Daesh"},
     "<strong>Other names</strong>: Line 2: &#39;english&#39; is not an ISO 639 language code"),
    ("/actors/alias", {"actor": "", "text": "X", "lang": "en"},
     "<strong>Actor</strong>: Choose the actor"),
    ("/actors/alias", {"actor": "fsa", "text": "FSA", "lang": "en"},
     "is already a name of fsa"),
    ("/actors/alias", {"actor": "fsa", "text": "Free Army", "lang": "english"},
     "<strong>Language</strong>:"),
    ("/actors/merge", {"actor": "fsa", "into": "fsa", "reason": "x"},
     "<strong>Actor that stays</strong>: Actor fsa cannot be merged into itself"),
    ("/actors/merge", {"actor": "fsa", "into": "isil", "reason": " "},
     "<strong>Reason</strong>: Say why"),
])
def test_a_refused_form_says_why_keeps_what_was_typed_and_changes_nothing(
        world, as_user, path, form, said):
    sec = as_user("secretariat")
    before = fingerprint(world)
    answer = post(sec, path, form)
    assert answer.status_code in (409, 404, 422), answer.status_code
    assert said in answer.text
    assert "Nothing was changed." in answer.text
    for value in form.values():
        if value.strip() and value not in ("fsa", "en"):
            assert value.replace("'", "&#39;").split("\n")[0] in answer.text
    assert fingerprint(world) == before


@pytest.mark.parametrize("user", ["un-monitor", "ru-officer", "analyst"])
def test_other_roles_read_the_registry_and_may_not_change_it(world, as_user, user):
    reader = as_user(user)
    page = reader.get("/actors")
    assert page.status_code == 200
    assert "Islamic State (ISIL)" in page.text and "Daesh" in page.text
    assert "<form class=\"edit\"" not in page.text
    assert 'href="/actors"' not in reader.get("/dashboard").text
    before = fingerprint(world)
    for path, form in (("/actors", {"code": "by-" + user, "name": "By them"}),
                       ("/actors/alias", {"actor": "fsa", "text": "Free Army",
                                          "lang": "en"}),
                       ("/actors/merge", {"actor": "fsa", "into": "syrian-opposition",
                                          "reason": "x"})):
        answer = post(reader, path, form)
        assert answer.status_code == 403
        assert "account cannot change the actor registry" in answer.text
    assert fingerprint(world) == before


def test_a_form_without_its_csrf_token_is_refused(world, as_user):
    sec = as_user("secretariat")
    before = fingerprint(world)
    answer = sec.post("/actors", data={"code": "no-token", "name": "No token"})
    assert answer.status_code == 403
    assert fingerprint(world) == before


def test_a_link_cannot_make_the_page_claim_a_change(world, as_user):
    sec = as_user("secretariat")
    assert 'id="recorded"' not in sec.get("/actors?entry=1").text  # the ledger's opening
    assert sec.get("/actors?entry=99999999999999").status_code == 200


def test_an_incident_naming_a_merged_actor_says_what_it_became(world, as_user):
    from ceasefire.domain.actors import Actor
    from ceasefire.intake.report_in import ReportIn
    from ceasefire.services import actors
    from ceasefire.services.reports import submit_report

    actors.add_actor(world, Actor("page-tigers", "Desert Tigers (page)"), party="SEC")
    done = submit_report(world, ReportIn.model_validate({
        "when": {"date": "2017-03-03"}, "place": {"lat": 35.0, "lon": 37.0},
        "violation": "shelling", "perpetrators": ["Desert Tigers (page)"]}), party="UN")
    actors.merge(world, "page-tigers", into="syrian-government", reason="one", party="SEC")
    page = as_user("analyst").get(f"/incidents/{done.incident}").text
    assert "Desert Tigers (page) (merged into Syrian government forces)" in page
