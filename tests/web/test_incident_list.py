"""The incident list (`/incidents`, `/public/incidents`) on the demo record with verdicts
and attributions, on both backends: deaths, attribution and deadlines in words; the
selection's total against an independent count; search by a place's name or by the
reports' words; each order across a page boundary; bad orders and cursors refused by
name. Then in Chromium: the list fits a phone (screenshots in build/screenshots)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from ceasefire.domain import words
from ceasefire.geo.admin import syria
from ceasefire.services import overview
from ceasefire.services.logins import set_password
from ceasefire.services.map_counts import map_counts
from ceasefire.services.overview import Selection
from ceasefire.store.tables import UTCDateTime
from tests.api.seed import app_for
from tests.test_bulletin import ATTRIBUTED, _covered, _deadliest_covered
from tests.web.conftest import SCREENSHOTS, fits, serving

PASSWORD = "a long enough test password"
JANUARY = {"from": "2017-01-01", "to": "2017-01-31"}
GOVERNMENT = "Syrian government forces"


@pytest.fixture
def record(built_records, backend, request):
    """The UCDP extract with verdicts: in January four incidents confirmed by all three
    guarantors, attributed to the government (twice), to two different actors, to none;
    one disputed; the rest pending or not covered."""
    return built_records.copy(request, ATTRIBUTED)


@pytest.fixture
def officer(record) -> Iterator[TestClient]:
    set_password(record, username="tr-officer", password=PASSWORD)
    with TestClient(app_for(record), base_url="https://testserver",
                    follow_redirects=False) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        assert client.post("/login", data={"username": "tr-officer", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 303
        yield client


@pytest.fixture
def public(record) -> Iterator[TestClient]:
    with TestClient(app_for(record), base_url="https://testserver") as client:
        yield client


class Listing(HTMLParser):
    """What a list page shows: its table by column heading, the sentence above it and
    the link to the next page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[dict[str, str]] = []
        self.uids: list[str] = []
        self.size = ""
        self.next: str | None = None
        self._in: str | None = None  # "th", "td", "size"
        self._cell: list[str] = []
        self._cells: list[str] = []
        self._pages = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "p" and a.get("id") == "list-size":
            self._in = "size"
        elif tag in ("th", "td") and self._in != "size":
            self._in, self._cell = tag, []
        elif tag == "tr":
            self._cells = []
        elif tag == "a" and self._in == "td" and not self._cells:
            self.uids.append(a["href"].rsplit("/", 1)[1])
        elif tag == "nav" and a.get("class") == "pages":
            self._pages = True
        elif tag == "a" and self._pages and a.get("rel") == "next":
            self.next = a["href"]

    def handle_endtag(self, tag):
        if tag == "p" and self._in == "size":
            self._in = None
        elif tag in ("th", "td") and self._in == tag:
            cell = " ".join("".join(self._cell).split())
            (self.headings if tag == "th" else self._cells).append(cell)
            self._in = None
        elif tag == "tr" and self._cells:
            self.rows.append(dict(zip(self.headings, self._cells, strict=True)))
        elif tag == "nav":
            self._pages = False

    def handle_data(self, data):
        if self._in == "size":
            self.size += data
        elif self._in in ("th", "td"):
            self._cell.append(data)

    @property
    def total(self) -> int:
        return int(re.search(r"([\d,]+) incidents? match", self.size).group(1).replace(",", ""))

    @property
    def shown(self) -> str:
        return " ".join(self.size.split()).rsplit("Shown: ", 1)[-1]


def listing(client: TestClient, path: str = "/incidents", **params) -> Listing:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text[:500]
    return Listing(response.text)


def every_page(client: TestClient, path: str = "/incidents", **params) -> list[Listing]:
    """The list's pages, following its links to the next one."""
    pages = [listing(client, path, **params)]
    while pages[-1].next:
        query = parse_qs(urlsplit(pages[-1].next).query)
        kept = {k for k, v in params.items() if (k, v) != ("sort", "newest")}
        assert set(query) >= {*kept, "cursor"}  # the selection and the order kept
        response = client.get(path + pages[-1].next)
        assert response.status_code == 200, response.text[:500]
        pages.append(Listing(response.text))
    return pages


# -- the record, read without the overview -------------------------------------------------

def incidents(db, where: str = "1 = 1", **args) -> dict[str, dict]:
    """Every incident under the agreement, straight from incidents, reports and
    assessments: its start, deaths (the highest best estimate of its reports), stored
    status, when it was opened, and the agreement's response deadline."""
    query = text(f"""
        SELECT i.uid, i.earliest, a.status, a.covered, a.opened_at, g.response_deadline_s,
               (SELECT coalesce(max(r.killed_best), 0) FROM incident_reports ir
                JOIN reports r ON r.id = ir.report_id WHERE ir.incident_id = i.id) AS killed
        FROM incidents i JOIN assessments a ON a.incident_uid = i.uid
        JOIN agreements g ON g.id = a.agreement_id
        WHERE g.code = 'syria-2016' AND {where}""").columns(
        earliest=UTCDateTime(), opened_at=UTCDateTime())
    with db.engine.connect() as connection:
        return {row.uid: row._asdict() for row in connection.execute(query, args)}


IN_JANUARY = "i.earliest >= :a AND i.earliest < :b"
JANUARY_ARGS = {"a": datetime(2017, 1, 1, tzinfo=UTC), "b": datetime(2017, 2, 1, tzinfo=UTC)}


def pending_now(x: dict, now: datetime) -> bool:
    return x["status"] == "pending" and x["covered"] and \
        x["opened_at"] + timedelta(seconds=x["response_deadline_s"]) > now


def in_order(found: dict[str, dict], order: str, now: datetime) -> list[str]:
    """The incidents' ids as the order means them."""
    def newest(x):  # newest event first, then by id descending
        return (-x["earliest"].timestamp(), [-ord(c) for c in x["uid"]])
    rows = list(found.values())
    if order == "newest":
        return [x["uid"] for x in sorted(rows, key=newest)]
    if order == "deaths":
        return [x["uid"] for x in sorted(rows, key=lambda x: (-x["killed"], newest(x)))]
    waiting = sorted((x for x in rows if pending_now(x, now)),
                     key=lambda x: (x["opened_at"], x["earliest"], x["uid"]))
    rest = sorted((x for x in rows if not pending_now(x, now)), key=newest)
    return [x["uid"] for x in waiting + rest]


# -- the columns ------------------------------------------------------------------------------

def _attributed(db) -> dict[str, str]:
    """January's confirmed incidents and whom the list must say they are attributed to."""
    first = _covered(db)[0].incident
    covered = [v.incident for v in _covered(db)[:3]]
    one, two, none = [u for u in _deadliest_covered(db) if u not in covered][:3]
    return {first: GOVERNMENT, one: GOVERNMENT, two: "the guarantors differ", none: "—"}


def test_the_list_shows_deaths_attribution_by_name_and_deadlines(record, officer):
    expected = _attributed(record)
    known = incidents(record, IN_JANUARY, **JANUARY_ARGS)
    confirmed = listing(officer, **JANUARY, status="confirmed", sort="deaths")
    assert confirmed.headings == ["Began (UTC)", "Place", "Violation", "Killed",
                                  "Attributed to", "Reports", "Reported by", "Status",
                                  "Verdicts due"]
    shown = dict(zip(confirmed.uids, confirmed.rows, strict=True))
    assert {uid: (row["Killed"], row["Attributed to"]) for uid, row in shown.items()} == {
        uid: (f"{known[uid]['killed']:,}", who) for uid, who in expected.items()}
    assert {row["Verdicts due"] for row in shown.values()} == {""}  # decided: no deadline

    now = datetime.now(UTC)
    waiting = listing(officer, **JANUARY, status="pending", sort="deadline")
    assert waiting.rows
    for uid, row in zip(waiting.uids, waiting.rows, strict=True):
        x = known[uid]
        deadline = x["opened_at"] + timedelta(seconds=x["response_deadline_s"])
        assert row["Verdicts due"].startswith(f"{deadline:%-d %b %Y %H:%M} UTC, "), row
        left = int(re.search(r"(\d+) h left", row["Verdicts due"]).group(1))
        assert abs((deadline - now).total_seconds() / 3600 - left) <= 1
        assert row["Attributed to"] == "—" and row["Killed"] == f"{x['killed']:,}"


def test_the_public_list_shows_deaths_and_attribution_but_not_who_reported_nor_deadlines(
        record, public):
    expected = _attributed(record)
    known = incidents(record, IN_JANUARY, **JANUARY_ARGS)
    page = listing(public, "/public/incidents", **JANUARY)
    assert page.headings == ["Began (UTC)", "Place", "Violation", "Killed", "Attributed to",
                             "Reports", "Status"]
    assert {uid: (row["Killed"], row["Attributed to"])
            for uid, row in zip(page.uids, page.rows, strict=True)} == {
        uid: (f"{known[uid]['killed']:,}", who) for uid, who in expected.items()}
    assert listing(public, "/public/incidents").total == len(
        incidents(record, "a.status = 'confirmed'"))
    text_shown = public.get("/public/incidents", params=JANUARY).text
    assert "h left" not in text_shown and "Verdicts due" not in text_shown
    refused = public.get("/public/incidents", params={"sort": "deadline"})
    assert refused.status_code == 422 and "<strong>Order</strong>" in refused.text


def test_the_public_list_does_not_rest_on_the_overviews_deaths_or_attribution(record,
                                                                                 public):
    """Someone who can write to the database raises the deaths of a confirmed incident in
    the pages' overview, or drops its attribution: the public list leaves it out rather
    than say what the records do not (docs/ledger.md)."""
    uid = next(iter(_attributed(record)))
    assert uid in listing(public, "/public/incidents", **JANUARY).uids
    for change in ("killed = killed + 100", "attributed_id = NULL, attributed_actors = 0"):
        with record.engine.begin() as connection:
            held = connection.execute(text(
                "SELECT killed, attributed_id, attributed_actors FROM incident_overview "
                "WHERE uid = :uid"), {"uid": uid}).one()
            connection.execute(text(f"UPDATE incident_overview SET {change} WHERE uid = :uid"),
                               {"uid": uid})
        assert uid not in listing(public, "/public/incidents", **JANUARY).uids, change
        with record.engine.begin() as connection:
            connection.execute(text(
                "UPDATE incident_overview SET killed = :k, attributed_id = :a, "
                "attributed_actors = :n WHERE uid = :uid"),
                {"k": held[0], "a": held[1], "n": held[2], "uid": uid})


def test_deadlines_are_said_in_hours_left_or_as_overdue():
    due = datetime(2017, 1, 5, 14, 0, tzinfo=UTC)
    assert words.deadline_words(due, due - timedelta(hours=31, minutes=5)) == \
        "5 Jan 2017 14:00 UTC, 31 h left"
    assert words.deadline_words(due, due - timedelta(minutes=5)) == \
        "5 Jan 2017 14:00 UTC, under an hour left"
    assert words.deadline_words(due, due) == "overdue since 5 Jan 2017 14:00 UTC"


# -- how many ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "where"), [
    ({}, "1 = 1"),
    (JANUARY, IN_JANUARY),
    ({**JANUARY, "adm": "SY03"}, f"{IN_JANUARY} AND i.adm1 = 'SY03'"),
    ({**JANUARY, "adm": "SY0302"}, f"{IN_JANUARY} AND i.adm2 = 'SY0302'"),
    ({"violation": "shelling"}, "i.violation = 'shelling'"),
    ({"status": "confirmed"}, "a.status = 'confirmed'"),
    ({**JANUARY, "status": "pending"}, f"{IN_JANUARY} AND a.status = 'pending'"),
    ({"party": "TR"}, "EXISTS (SELECT 1 FROM incident_reports ir JOIN reports r ON "
                      "r.id = ir.report_id JOIN parties p ON p.id = r.party_id WHERE "
                      "ir.incident_id = i.id AND p.code = 'TR')"),
])
def test_the_total_is_an_independent_count_of_the_record(record, officer, params, where):
    total = len(incidents(record, where, **JANUARY_ARGS))
    page = listing(officer, **params)
    assert page.total == total
    shown = min(total, 50)
    assert page.shown == (f"1–{shown} of {total:,}." if total else "")
    assert len(page.rows) == shown


def test_the_pages_say_which_rows_they_show(record, officer):
    total = len(incidents(record, f"{IN_JANUARY} AND i.adm1 = 'SY03'", **JANUARY_ARGS))
    assert 50 < total <= 100
    first, second = every_page(officer, **JANUARY, adm="SY03")
    assert (first.shown, second.shown) == (f"1–50 of {total}.", f"51–{total} of {total}.")


# -- search -----------------------------------------------------------------------------------

def _uids(pages: list[Listing]) -> list[str]:
    return [uid for page in pages for uid in page.uids]


@pytest.mark.parametrize("q", ["Duma", "duma", "دوما", "Duma district", "  Duma "])
def test_a_place_name_finds_that_areas_incidents_and_nothing_else(record, officer, q):
    expected = incidents(record, f"{IN_JANUARY} AND i.adm2 = 'SY0302'", **JANUARY_ARGS)
    assert expected
    pages = every_page(officer, **JANUARY, q=q)
    assert sorted(_uids(pages)) == sorted(expected)
    assert pages[0].total == len(expected)
    assert "those in Duma" in pages[0].size and "district" in pages[0].size


def test_a_governorate_by_its_english_or_arabic_name_or_another_spelling(record, officer):
    expected = len(incidents(record, "i.adm1 = 'SY07'"))
    assert {listing(officer, q=q).total for q in ("Idlib", "Idleb", "إدلب")} == {expected}


def _reports_of(db) -> list[tuple[str, str, str]]:
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT i.uid, coalesce(r.place_name, ''), r.narrative FROM reports r "
            "JOIN incident_reports ir ON ir.report_id = r.id "
            "JOIN incidents i ON i.id = ir.incident_id"))]


@pytest.mark.parametrize("q", ["barrel bomb", "BARREL", "Aleppo town"])
def test_other_words_find_the_incidents_whose_reports_hold_them_all(record, officer, q):
    wanted = q.lower().split()
    expected = {uid for uid, place, narrative in _reports_of(record)
                if all(w in place.lower() or w in narrative.lower() for w in wanted)}
    assert expected and len(expected) < len(incidents(record))
    pages = every_page(officer, q=q)
    assert sorted(_uids(pages)) == sorted(expected)
    assert "whose place name or account holds" in pages[0].size


def test_a_search_of_too_many_words_is_refused_by_name(officer):
    response = officer.get("/incidents", params={"q": "one two three four five six seven "
                                                       "eight nine"})
    assert response.status_code == 422
    assert "<strong>Search</strong>: at most 8 words" in response.text


def test_the_lists_download_holds_what_the_search_found(officer):
    page = listing(officer, **JANUARY, q="Duma")
    download = officer.get("/incidents/export.json", params={**JANUARY, "q": "Duma"}).json()
    assert download["selection"]["q"] == "Duma"
    assert sorted(x["id"] for x in download["incidents"]) == sorted(page.uids)


def test_the_public_searches_by_place_only(record, public):
    with record.engine.connect() as connection:
        adm1 = connection.execute(text(
            "SELECT min(i.adm1) FROM incidents i JOIN assessments a ON a.incident_uid = i.uid"
            " WHERE a.status = 'confirmed'")).scalar()
    confirmed_in = incidents(record, "a.status = 'confirmed' AND i.adm1 = :adm", adm=adm1)
    found = every_page(public, "/public/incidents", q=syria().area(adm1).name)
    assert sorted(_uids(found)) == sorted(confirmed_in)
    refused = public.get("/public/incidents", params={"q": "barrel"})
    assert refused.status_code == 422 and "<strong>Search</strong>" in refused.text
    too_long = public.get("/public/incidents", params={"q": "x" * 201})
    assert too_long.status_code == 422 and "<strong>Search</strong>" in too_long.text


@pytest.mark.parametrize("q", ["Idlib", "Duma", "barrel bomb"])
def test_the_dashboard_and_the_map_count_a_search_as_the_list_does(record, q):
    now = datetime.now(UTC)
    selection = Selection(q=q)
    with record.session() as session:
        listed = overview.count(session, overview.scope(session, selection, now=now))
        counted = overview.dashboard(session, selection, now=now).incidents
        mapped = map_counts(session, selection, now=now).incidents
    assert listed == counted == mapped > 0


# -- orders -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("order", "adm"), [
    ("newest", "SY03"), ("deaths", "SY03"),
    ("deadline", "SY03"),  # more pending than a page: the cursor inside the pending ones
    ("deadline", "SY02"),  # fewer: the second page goes on among the decided ones
])
def test_each_order_holds_across_the_page_boundary(record, officer, order, adm):
    now = datetime.now(UTC)
    found = incidents(record, f"{IN_JANUARY} AND i.adm1 = :adm", **JANUARY_ARGS, adm=adm)
    pages = every_page(officer, **JANUARY, adm=adm, sort=order)
    assert len(pages) == 2
    assert _uids(pages) == in_order(found, order, now)
    if order == "deadline":
        waiting = sum(pending_now(x, now) for x in found.values())
        assert 0 < waiting < len(found)
        assert (waiting > 50) == (adm == "SY03")


@pytest.mark.parametrize("public_list", [False, True])
def test_an_unknown_order_is_refused_by_name(officer, public, public_list):
    client, path = (public, "/public/incidents") if public_list else (officer, "/incidents")
    response = client.get(path, params={"sort": "oldest"})
    assert response.status_code == 422
    assert "<strong>Order</strong>" in response.text and "oldest" in response.text


def test_a_cursor_of_another_order_or_of_nothing_is_refused(officer):
    deaths = listing(officer, sort="deaths")
    cursor = parse_qs(urlsplit(deaths.next).query)["cursor"][0]
    for params in ({"cursor": cursor}, {"sort": "deadline", "cursor": cursor},
                   {"sort": "deaths", "cursor": "bm90IGEgY3Vyc29y"},
                   {"sort": "deaths", "cursor": cursor[:-8]}):
        response = officer.get("/incidents", params=params)
        assert response.status_code == 422, params
        assert "<strong>Page</strong>" in response.text


# -- in a browser -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(built_records, tmp_path_factory) -> Iterator[str]:
    db = built_records.sqlite_copy(ATTRIBUTED, tmp_path_factory.mktemp("list") / "r.db")
    set_password(db, username="tr-officer", password=PASSWORD)
    with serving(db) as url:
        yield url
    db.dispose()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_the_list_fits_the_screen_and_searches_from_the_form(browser: Browser, site, width,
                                                             height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(site) else route.abort())
    page.goto(f"{site}/login")
    page.get_by_label("Username").fill("tr-officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("tr-officer")
    page.goto(f"{site}/incidents?from=2017-01-01&to=2017-01-31")
    page.get_by_label("Search").fill("Idlib")
    page.get_by_label("Order").select_option(label="Most deaths first")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"q=Idlib.*sort=deaths"))
    expect(page.locator("#list-size")).to_contain_text("those in Idleb")
    killed = [int(k.replace(",", "")) for k in
              page.locator("table.incidents td.killed").all_inner_texts()]
    assert killed and killed == sorted(killed, reverse=True)
    page.goto(f"{site}/incidents?from=2017-01-01&to=2017-01-31&sort=deaths")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"incidents-by-deaths-{width}.png"),
                    full_page=True)
    fits(page)
    context.close()
