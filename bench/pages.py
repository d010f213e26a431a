"""Server time of pages and API reads on a record of 1,000,000 reports, against bare SQL.

Issue 7 asked that the dashboard and the incident list answer in at most 300 ms of server
time with 1,000,000 reports loaded; issue 20, that every page here does, the map of the
whole record included, on a record correlated for real. The record is bench/page_db.py's:
the simulator's five sources at 16 events a day, imported and correlated by the product's
own path and kept under data/bench/ (BENCH_PAGE_REPORTS sets its size).

The app runs in this process (FastAPI's TestClient, no network). The bench logs in as
ACCOUNT through the login form (CSRF token, session cookie) and also holds an API token
of the same account, so web pages and API paths can both be measured. Each path of
`pages` is requested WARM_UP times, then ROUNDS times; the server time is read from the
response's ``Server-Timing: app;dur=<ms>`` header (src/ceasefire/http/timing.py), so the
test client's own work does not count. Between two requests the path's bare baseline runs
once: plain SQL for the same information through the sqlite3 module on its own read-only
connection, the rows fetched into tuples and nothing else done with them. The two meet the
same load; the table gives the median and p95 of each, the ratio of the medians, and the
items the answer held against the rows the SQL fetched (a page of N asks for N + 1 rows,
to know whether there is a next page).

To measure a new page, add it to `pages` with the SQL that fetches the same information.

    PYTHONPATH=. python -m bench.pages
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import statistics
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from bench import PASSPHRASE
from bench.page_db import PASSWORD, page_database
from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.services.accounts import issue_token
from ceasefire.services.map_counts import MapCache
from ceasefire.store.db import Database

WARM_UP = int(os.environ.get("BENCH_PAGE_WARM_UP", "3"))
ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "20"))
ACCOUNT = "ru-officer"
BUDGET_MS = 300  # issues 7 and 20: every page, server time (p50)
TIMING = re.compile(r"(?:^|,)\s*app;dur=([0-9.]+)")

# The columns the incident list gives (api/schemas.py IncidentOut), as the store reads them.
_INCIDENT = "SELECT * FROM incidents"
_NEWEST = "ORDER BY earliest DESC, uid DESC"
_REPORT = ("SELECT r.*, (SELECT group_concat(actor_id) FROM report_actors a "
           "WHERE a.report_id = r.id) AS actors, i.uid AS incident FROM reports r "
           "LEFT JOIN incident_reports ir ON ir.report_id = r.id "
           "LEFT JOIN incidents i ON i.id = ir.incident_id")


def _counts(start: str, end: str, extra: str = "") -> str:
    """Incidents by day, governorate and status, joined to their assessment."""
    return ("SELECT date(i.earliest), i.adm1, a.status, count(*) FROM incidents i "
            "JOIN assessments a ON a.incident_uid = i.uid WHERE a.agreement_id = 1 AND "
            f"i.earliest >= '{start} 00:00:00.000000' AND i.earliest < '{end} 00:00:00.000000' "
            f"{extra} GROUP BY 1, 2, 3")


@dataclass(frozen=True)
class Page:
    """A path to time and the bare SQL that fetches the same information (None: none)."""

    path: str
    baseline: str | None
    budget_ms: float = BUDGET_MS  # the server time (p50) this path must stay within
    cold: bool = False  # forget the pages' map cache before each request


def pages(last: date) -> list[Page]:
    """The paths to time, on a record whose newest incident began on ``last``: the
    dashboard without days chosen shows the 30 days up to it."""
    default = ((last - timedelta(days=29)).isoformat(),
               (last + timedelta(days=1)).isoformat())
    march = "from=2017-03-01&to=2017-03-31"
    return [
        Page("/api/v1/incidents", f"{_INCIDENT} {_NEWEST} LIMIT 101"),
        Page("/api/v1/incidents?limit=50&adm=SY02",
             f"{_INCIDENT} WHERE adm1 = 'SY02' {_NEWEST} LIMIT 51"),
        Page("/api/v1/incidents?limit=50&violation=suicide_bombing",
             f"{_INCIDENT} WHERE violation = 'suicide_bombing' {_NEWEST} LIMIT 51"),
        Page("/api/v1/incidents?limit=50&since=2017-03-01T00:00:00Z&until=2017-04-01T00:00:00Z",
             f"{_INCIDENT} WHERE latest >= '2017-03-01 00:00:00.000000' AND earliest < "
             f"'2017-04-01 00:00:00.000000' {_NEWEST} LIMIT 51"),
        Page("/api/v1/reports?limit=50", f"{_REPORT} ORDER BY r.earliest DESC, r.uid DESC "
             "LIMIT 51"),
        Page("/api/v1/reports?limit=50&status=confirmed",
             f"{_REPORT} JOIN assessments s ON s.incident_uid = i.uid AND s.status = "
             "'confirmed' ORDER BY r.earliest DESC, r.uid DESC LIMIT 51"),
        Page("/api/v1/queue?limit=50",
             "SELECT s.* FROM assessments s WHERE s.status = 'pending' AND NOT EXISTS ("
             "SELECT 1 FROM verdicts v WHERE v.assessment_id = s.id AND v.party_id = "
             "(SELECT id FROM parties WHERE code = 'RU')) ORDER BY s.opened_at, "
             "s.incident_uid LIMIT 50"),
        Page("/", None),  # the home page, logged in
        # The web pages (docs/pages.md): the dashboard against the same counts by a join
        # of the record's own tables (what the pages would do without their overview).
        Page("/dashboard", _counts(*default)),
        Page(f"/dashboard?{march}", _counts("2017-03-01", "2017-04-01")),
        Page(f"/dashboard?{march}&adm=SY02",
             _counts("2017-03-01", "2017-04-01", "AND i.adm1 = 'SY02'")),
        Page(f"/dashboard?{march}&violation=shelling",
             _counts("2017-03-01", "2017-04-01", "AND i.violation = 'shelling'")),
        Page("/dashboard?from=2017-01-01&to=2017-06-30", _counts("2017-01-01", "2017-07-01")),
        Page("/incidents", f"{_INCIDENT} {_NEWEST} LIMIT 51"),
        Page("/incidents?status=confirmed", f"{_INCIDENT} i JOIN assessments a ON "
             "a.incident_uid = i.uid AND a.status = 'confirmed' ORDER BY i.earliest DESC, "
             "i.uid DESC LIMIT 51"),
        Page("/incidents?party=TR&adm=SY02", None),
        Page("/map", None),  # the same map again: from the pages' cache
        Page("/map", None, cold=True),  # the whole record: every incident, counted afresh
        Page(f"/map?{march}", None, cold=True),
        Page(f"/map?adm=SY02&{march}", None, cold=True),
        Page("/queue", None),
    ]


def last_day(path: Path) -> date:
    """The day the record's newest incident began."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        newest = conn.execute("SELECT max(earliest) FROM incidents").fetchone()[0]
    return date.fromisoformat(newest[:10])


def _ms(response) -> float:
    value = response.headers.get("server-timing", "")
    match = TIMING.search(value)
    if match is None:
        raise RuntimeError(f"no Server-Timing app;dur in the answer: {value!r}")
    return float(match.group(1))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def log_in(client: TestClient, username: str, password: str) -> None:
    """The web login, as a browser does it: the form's CSRF token, then the POST."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    if token is None:
        raise RuntimeError("the login page has no CSRF token")
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": token.group(1)},
                         follow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"login as {username} failed: {answer.status_code} {answer.text}")


def measure(path: Path, pages: list[Page], *, rounds: int = ROUNDS, warm_up: int = WARM_UP,
            account: str = ACCOUNT) -> list[dict]:
    """Per page: the server times (ms) of its requests and the times of its bare SQL."""
    db = Database(f"sqlite:///{path}", server_passphrase=PASSPHRASE)
    token = issue_token(db, username=account)
    bare = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    results = []
    try:
        app = create_app(Settings(database_url=f"sqlite:///{path}"), database=db)
        # https: the session cookie is Secure, and the client keeps it for https only.
        with TestClient(app, base_url="https://testserver") as client:
            log_in(client, account, PASSWORD)
            client.headers["Authorization"] = f"Bearer {token}"
            for page in pages:
                for _ in range(warm_up):
                    _get(client, page.path)
                    if page.baseline:
                        bare.execute(page.baseline).fetchall()
                ours, sql, rows, items = [], [], None, None
                for _ in range(rounds):
                    if page.cold:
                        app.state.map_cache = MapCache()
                    response = _get(client, page.path)
                    ours.append(_ms(response))
                    items = _items(response)
                    if page.baseline:
                        start = time.perf_counter()
                        rows = len(bare.execute(page.baseline).fetchall())
                        sql.append((time.perf_counter() - start) * 1000)
                results.append({"page": page, "ours": ours, "sql": sql, "rows": rows,
                                "items": items})
    finally:
        bare.close()
        db.dispose()
    return results


def _items(response) -> int | None:
    """How many items a JSON page holds (None: not a JSON page of items)."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    body = response.json()
    return len(body["items"]) if isinstance(body, dict) and "items" in body else None


def _get(client: TestClient, path: str):
    response = client.get(path, follow_redirects=False)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
    return response


def main() -> None:
    started = time.perf_counter()
    path = page_database()
    built = path.with_suffix(".json")
    figures = json.loads(built.read_text()) if built.exists() else {}
    rows = figures.get("rows", {})
    print(f"\npages: server time (Server-Timing) on {path}\n"
          f"  ({path.stat().st_size / 1e9:.1f} GB; {rows.get('reports', 0):,} reports, "
          f"{rows.get('incidents', 0):,} incidents, {rows.get('verdicts', 0):,} verdicts; "
          f"built in {figures.get('seconds', {}).get('total', 0):,.0f} s, found in "
          f"{time.perf_counter() - started:.0f} s)")
    print(f"  logged in as {ACCOUNT}; {WARM_UP} warm-up requests, then {ROUNDS} requests "
          "each alternating with the bare SQL (sqlite3, read-only connection)")
    results = measure(path, pages(last_day(path)))
    width = max(len(r["page"].path) for r in results)
    print(f"  {'path':<{width}}{'p50 ms':>9}{'p95 ms':>9}{'SQL p50':>9}{'SQL p95':>9}"
          f"{'× SQL':>7}{'items/SQL rows':>16}  budget")
    over = []
    for r in results:
        page, ours, sql = r["page"], r["ours"], r["sql"]
        median = statistics.median(ours)
        if median > page.budget_ms:
            over.append(page.path)
        line = f"  {page.path:<{width}}{median:>9.1f}{_p95(ours):>9.1f}"
        counts = f"{'-' if r['items'] is None else r['items']}/{r['rows'] or '-'}"
        if sql:
            base = statistics.median(sql)
            line += f"{base:>9.1f}{_p95(sql):>9.1f}{median / base:>7.1f}{counts:>16}"
        else:
            line += f"{'-':>9}{'-':>9}{'-':>7}{counts:>16}"
        line += f"  {'ok' if median <= page.budget_ms else 'OVER'} ({page.budget_ms:.0f})"
        print(line + ("  (uncached)" if page.cold else ""), flush=True)
    print(f"  every page within its budget at p50: {'yes' if not over else 'no'}"
          + (f" ({len(over)} over: {', '.join(over)})" if over else ""))


if __name__ == "__main__":
    main()
