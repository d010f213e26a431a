"""The report to the talks for January 2017, published, held line by line to plain SQL over
the record's own tables (not the product's counting code): every number, every sentence
of the summary and every notable line; in words, not codes; and its PDF, page by page,
with page numbers, the document's SHA-256 and the ledger checkpoint in the footer."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import text

from ceasefire.domain.taxonomy import ViolationType
from ceasefire.geo.admin import syria
from ceasefire.outputs.bulletin_pages import Publication, as_html, as_markdown
from ceasefire.outputs.pdf import as_pdf
from ceasefire.services import bulletins
from ceasefire.store import ledger as ledger_store
from tests.test_bulletin import ATTRIBUTED, JANUARY

WHERE = "i.earliest >= :a AND i.earliest < :b"
STATUS = "CASE WHEN a.covered THEN a.status ELSE 'not-covered' END"
KILLED = ("(SELECT max(r.killed_best) FROM incident_reports ir JOIN reports r "
          "ON r.id = ir.report_id WHERE ir.incident_id = i.id)")
# Each guarantor's latest verdict on an assessment, and the actor it names.
LATEST = ("SELECT v.assessment_id, p.code AS party, v.position, ac.name AS actor "
          "FROM verdicts v JOIN parties p ON p.id = v.party_id "
          "LEFT JOIN actors ac ON ac.id = v.attributed_to_id "
          "WHERE v.version = (SELECT max(w.version) FROM verdicts w "
          "WHERE w.assessment_id = v.assessment_id AND w.party_id = v.party_id)")
WORDS = {"confirmed": "confirmed", "disputed": "disputed", "pending": "awaiting verdicts",
         "rejected": "rejected", "not-covered": "not covered"}


def sql(db, query, **args):
    with db.engine.connect() as c:
        return c.execute(text(query), {"a": JANUARY.start, "b": JANUARY.end, **args}).all()


def independent(db) -> dict:
    """January's figures from the tables."""
    status = dict(sql(db, f"SELECT {STATUS}, count(*) FROM incidents i JOIN assessments a "
                      f"ON a.incident_uid = i.uid WHERE {WHERE} GROUP BY 1"))
    killed = dict(sql(db, f"SELECT {STATUS}, coalesce(sum({KILLED}), 0) FROM incidents i "
                      f"JOIN assessments a ON a.incident_uid = i.uid WHERE {WHERE} GROUP BY 1"))
    previous = sql(db, "SELECT count(*) FROM incidents i WHERE i.earliest >= :p "
                   "AND i.earliest < :a", p=JANUARY.start - timedelta(days=31))[0][0]
    attributions = {}
    for uid, actors in sql(db, f"""
            SELECT i.uid, l.actor FROM incidents i JOIN assessments a ON a.incident_uid = i.uid
            JOIN ({LATEST}) l ON l.assessment_id = a.id
            WHERE {WHERE} AND a.status = 'confirmed' AND l.position = 'confirm'"""):
        attributions.setdefault(uid, set()).update({actors} - {None})
    return {
        "incidents": sum(status.values()), "status": status, "killed": killed,
        "previous": previous, "attributions": attributions,
        "by_adm1": dict(sql(db, f"SELECT coalesce(i.adm1, 'unknown'), count(*) FROM "
                            f"incidents i WHERE {WHERE} GROUP BY 1")),
        "by_day": {str(d)[:10]: n for d, n in sql(
            db, f"SELECT date(i.earliest), count(*) FROM incidents i WHERE {WHERE} "
            "GROUP BY 1")},
        "by_terms": dict(sql(db, f"SELECT a.terms, count(*) FROM incidents i JOIN "
                             f"assessments a ON a.incident_uid = i.uid WHERE {WHERE} "
                             "GROUP BY 1")),
        "by_party": dict(sql(db, f"SELECT p.name, count(DISTINCT i.id) FROM incidents i "
                             "JOIN incident_reports ir ON ir.incident_id = i.id JOIN reports r "
                             "ON r.id = ir.report_id JOIN parties p ON p.id = r.party_id "
                             f"WHERE {WHERE} GROUP BY 1")),
        "notable": sql(db, f"SELECT i.uid, i.earliest, i.adm1, i.adm2, i.adm3, i.violation, "
                       f"i.report_count, {KILLED} AS k FROM incidents i JOIN assessments a "
                       f"ON a.incident_uid = i.uid WHERE {WHERE} AND a.status = 'confirmed' "
                       "ORDER BY k DESC, i.report_count DESC, i.earliest, i.uid LIMIT 10"),
    }


def name(pcode):
    return syria().area(pcode).name


def n(x):
    return f"{x:,}"


def expected_summary(want) -> list[str]:
    s, k = want["status"], want["killed"]
    covered = ("confirmed", "disputed", "pending", "rejected")
    top = sorted(want["by_adm1"].items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    change = want["incidents"] - want["previous"]
    named = [a for a in want["attributions"].values() if len(a) == 1]
    actors = sorted({next(iter(a)) for a in named},
                    key=lambda x: (-sum(a == {x} for a in named), x))
    assert len(actors) == 1  # the sentence below is written for the record's one actor
    by_actor = sum(a == {actors[0]} for a in named)
    return [
        f"The mechanism recorded {n(want['incidents'])} incidents from 1 to 31 January 2017, "
        f"{s['confirmed']} confirmed by all three guarantors; the most in "
        f"{name(top[0][0])} ({top[0][1]}) and {name(top[1][0])} ({top[1][1]}); "
        f"{change} more than in the 31 days before ({want['previous']}).",
        f"The agreement covers {sum(s.get(x, 0) for x in covered)} of them: "
        f"{s['confirmed']} confirmed, {s['disputed']} disputed, {s['pending']} awaiting "
        f"verdicts and {s.get('rejected', 0)} rejected; {s['not-covered']} are outside it "
        "(not covered by the agreement).",
        f"At least {n(sum(k.values()))} people were killed: "
        f"{n(sum(k.get(x, 0) for x in covered))} in incidents the agreement covers "
        f"({k['confirmed']} in confirmed ones) and {n(k['not-covered'])} in incidents "
        "outside it.",
        f"Of the {s['confirmed']} confirmed incidents, {by_actor} are attributed to "
        f"{actors[0]}; {s['confirmed'] - by_actor} are not attributed.",
    ]


def expected_line(row, attributed: set) -> str:
    uid, earliest, adm1, adm2, adm3, violation, reports, killed = row
    label, day = ViolationType(violation).label, date.fromisoformat(str(earliest)[:10])
    who = (f"attributed to {next(iter(attributed))}" if len(attributed) == 1 else
           "not attributed: the guarantors named different actors" if attributed else
           "not attributed: no guarantor named an actor")
    # An event UCDP places only in "Syria" is now covered, and among the deadliest.
    where = ("located only to the country" if adm1 is None else
             f"{name(adm3 or adm2)}, {name(adm1)} governorate" if adm3 or adm2 else
             f"{name(adm1)} governorate")
    return (f"{day.day} {day:%B %Y}, {where}: "
            f"{label[0].lower() + label[1:]}; {killed} killed; confirmed; {who}; "
            f"{reports} report{'s' if reports != 1 else ''}.")


def flat(html: str) -> str:
    """The text as read: inline tags dropped, the others as spaces."""
    inline = re.sub(r"</?(strong|a|bdi|code|span)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@pytest.fixture
def record(built_records, backend, request):
    """tests/test_bulletin.py's record with four incidents confirmed: the three deadliest
    covered ones (attributed to one actor, to two, to none) and a small one."""
    return built_records.copy(request, ATTRIBUTED)


@pytest.fixture
def published(record):
    return bulletins.publish(record, JANUARY, username="secretariat")


def test_every_number_sentence_and_line_equals_the_tables(record, published):
    d, want = published.document, independent(record)
    assert d["incidents"] == want["incidents"] > 400
    assert d["by_status"] == {k: v for k, v in want["status"].items() if v}
    assert d["killed_by_status"] == {k: want["killed"][k] for k in d["by_status"]}
    assert d["killed"] == sum(want["killed"].values())
    assert {x["day"]: sum(x["by_status"].values()) for x in d["by_day"]} == want["by_day"]
    assert {g["pcode"] or "unknown": g["incidents"] for g in d["by_governorate"]} == \
        want["by_adm1"]
    assert {z["zone"]: z["incidents"] for z in d["by_zone"]} == want["by_terms"] == \
        {"syria-2016": want["incidents"]}  # no zone was in force before May 2017
    assert {p["name"]: p["incidents"] for p in d["by_reporting_party"]} == want["by_party"]
    assert d["previous_period"]["incidents"] == want["previous"]
    assert d["change"]["incidents"] == want["incidents"] - want["previous"]
    attributed = {}
    for actors in want["attributions"].values():
        key = next(iter(actors)) if len(actors) == 1 else len(actors)
        attributed[key] = attributed.get(key, 0) + 1
    assert {a["name"]: a["incidents"] for a in d["by_attribution"]} == {
        {0: "Not attributed: no guarantor named an actor",
         2: "Not attributed: the guarantors named different actors"}.get(k, k): v
        for k, v in attributed.items()}
    # The sentences, written here from the SQL numbers.
    assert d["summary"] == expected_summary(want)
    # The notable lines: the confirmed incidents, deadliest first, each in words.
    html = as_html(d, Publication(published.id, published.published_at), "https://example.org")
    page = flat(html)
    assert [x["incident"] for x in d["notable"]] == [r[0] for r in want["notable"]]
    killed = [r[-1] for r in want["notable"]]
    assert killed == sorted(killed, reverse=True) and killed[0] >= 15
    for row in want["notable"]:
        assert expected_line(row, want["attributions"][row[0]]) in page, row
        assert f'<a href="https://example.org/public/incidents/{row[0]}">Incident record</a>' \
            in html
    for paragraph in d["summary"]:
        assert paragraph in page
    # Each table row as the reader sees it.
    for words, count in ((WORDS[s], want["status"].get(s, 0)) for s in WORDS):
        assert f"{words} {n(count)} {n(want['killed'].get(s_of(words), 0))}" in page
    for pcode, count in want["by_adm1"].items():
        if pcode != "unknown":
            ar = syria().area(pcode).name_ar
            assert f"{name(pcode)} {ar} {n(count)}" in page
    assert f"The agreement's own terms (no zone) {n(want['incidents'])}" in page
    for party, count in want["by_party"].items():
        assert f"{party} {n(count)}" in page
    # The map's circles: the confirmed incidents with a governorate; one located only to
    # the country (two are confirmed here) has no place to mark.
    placed = sql(record, f"SELECT i.lon, i.lat FROM incidents i JOIN "
                 f"assessments a ON a.incident_uid = i.uid WHERE {WHERE} AND "
                 "a.status = 'confirmed' AND i.adm1 IS NOT NULL")
    assert sum(p["confirmed"] for p in d["map"]) == len(placed) < want["status"]["confirmed"]
    assert {(p["lon"], p["lat"]) for p in d["map"]} == {
        (round(lon, 2), round(lat, 2)) for lon, lat in placed}


def s_of(words):
    return next(k for k, v in WORDS.items() if v == words)


CODES = re.compile(r"syria-2016|syrian-government|jaysh-al-islam|not-covered|\bSY\d{2}|"
                   r"armed_violence|\bpending\b")
UUID = re.compile(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[^<]*<")


def test_readers_see_words_not_codes(published):
    html = as_html(published.document, Publication(published.id, published.published_at))
    visible = re.sub(r"<(title|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    assert not CODES.search(flat(visible)), CODES.search(flat(visible))
    assert not UUID.search(visible)  # ids only in hrefs
    markdown = as_markdown(published.document, Publication(published.id,
                                                           published.published_at))
    assert not CODES.search(re.sub(r"\]\([^)]*\)", "]", markdown))
    assert "Bulletin no. 1: Report to the talks, 1 January 2017 to 31 January 2017" in html
    assert "Nationwide ceasefire in the Syrian Arab Republic (30 December 2016)" in html
    assert "Ceasefire monitoring mechanism of the Russian Federation" in html


def test_the_pdf_has_page_numbers_the_digest_and_the_checkpoint(record, published,
                                                                   tmp_path):
    d = published.document
    with record.engine.connect() as c:
        stored = c.execute(text("SELECT document FROM bulletins WHERE id = :i"),
                           {"i": published.id}).scalar_one()
    with record.session() as session:
        entry = ledger_store.entry(session, published.seq)
    sha256 = hashlib.sha256(stored.encode("utf-8")).hexdigest()
    assert sha256 == entry.payload["document_sha256"]
    pdf = tmp_path / "january.pdf"
    pdf.write_bytes(as_pdf(d, Publication(published.id, published.published_at)))
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")[:-1]
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert f"Bulletin no. {published.id}" in page
        assert sha256 in page and d["checkpoint"]["root"] in page
        assert f"Ledger checkpoint: {d['checkpoint']['size']} entries" in page
    whole = " ".join(" ".join(pages).split())
    for paragraph in d["summary"]:
        assert paragraph in whole
