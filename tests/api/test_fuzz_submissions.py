"""Report bodies, valid and poisoned, submitted at once by two parties through the real HTTP
app (issue 15, "Must show"): never a 5xx, every poisoned body a 4xx, every valid one a 201,
and every valid one stored exactly once, whatever shared its batch.

Hypothesis draws each example's bodies: valid ones from the record's own vocabulary (points
and names in Syria, days of 2017, actor codes, tolls up to the ceiling, any Unicode text),
and poisoned ones by one change to a valid body (extreme numbers, days far outside the
record's calendar, lone surrogates, NUL, over-long text, wrong types, unknown names).
Derandomised with a bounded number of examples, so each run tries the same bodies; the
database is shared by the examples, so every report is marked with a serial number.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx2 as httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.domain.casualties import DEATHS_MAX
from ceasefire.domain.report import KEY_MAX, NARRATIVE_MAX
from tests.api.conftest import bearer

pytestmark = pytest.mark.slow  # hypothesis against a live app

EXAMPLES = 15
POINTS = [(36.6339, 35.9306), (37.1343, 36.2021), (36.4053, 33.5711), (38.2670, 34.5560),
          (36.6103, 35.8131), (39.0079, 35.9528)]  # Idlib, Aleppo, Douma, Tadmor, Ariha, Raqqa
NAMES = ["Idlib", "Douma", "Aleppo", "إدلب", "Deir-ez-Zor", "Khan Sheikhoun"]
ACTORS = ["isil", "syrian-government", "syrian-opposition", "russian-forces"]
VIOLATIONS = ["shelling", "air_strike", "armed_clash", "attack_on_civilians", "abduction"]
_marks = itertools.count()
_keys_given: set[tuple[str, str]] = set()

# Text the record keeps: any character but NUL and the surrogates (no character at all).
_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
# Names: printable, as check_name wants them.
_NAME = st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=60
                ).filter(str.strip)


def _offset(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


@st.composite
def _when(draw: st.DrawFn) -> dict[str, Any]:
    day = draw(st.dates(date(2017, 1, 1), date(2017, 6, 30)))
    if draw(st.booleans()):
        return {"date": day.isoformat()}
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 24 * 60 - 1)))
    return {"earliest": moment.astimezone(_offset(draw(st.integers(-12, 14)))).isoformat()}


@st.composite
def valid_body(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        lon, lat = draw(st.sampled_from(POINTS))
        place: dict[str, Any] = {"lon": lon, "lat": lat}
    else:
        place = {"name": draw(st.sampled_from(NAMES))}
    best = draw(st.one_of(st.integers(0, 50), st.integers(0, DEATHS_MAX)))
    body: dict[str, Any] = {
        "when": draw(_when()), "place": place, "violation": draw(st.sampled_from(VIOLATIONS)),
        "perpetrators": draw(st.lists(st.sampled_from(ACTORS), max_size=2, unique=True)),
        "casualties": {"best": best},
        "narrative": draw(st.one_of(  # up to the longest the record keeps, with its mark
            st.text(_TEXT, max_size=300),
            st.builds(lambda c, n: c * n, st.sampled_from("yé🕊"),
                      st.integers(1000, NARRATIVE_MAX - 20)))),
    }
    if draw(st.booleans()):
        body["casualties"]["civilian"] = draw(st.integers(0, best))
    if draw(st.booleans()):
        body["source"] = {"name": draw(_NAME)}
    return body


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of body with the dotted path set to value."""
    out = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    node = out
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = value
    return out


_FAR_DAYS = st.one_of(st.dates(date(1, 1, 1), date(1899, 12, 31)),
                      st.dates(date(2200, 1, 1), date(9999, 12, 31)))
_HUGE = st.one_of(st.integers(DEATHS_MAX + 1, 2 ** 31), st.integers(2 ** 31, 2 ** 64),
                  st.integers(2 ** 64, 10 ** 40), st.integers(max_value=-1),
                  st.sampled_from([True, 1e30, float("nan"), float("inf"), "many"]))
_SURROGATE = st.builds(lambda a, s, b: a + s + b, st.text(_TEXT, max_size=20),
                       st.sampled_from(["\ud800", "\udfff", "\udbff"]), st.text(_TEXT, max_size=20))
# One change each, that makes a valid body invalid: (path, strategy of the value).
POISONS = [
    ("casualties.best", _HUGE),
    ("casualties.high", st.integers(DEATHS_MAX + 1, 10 ** 30)),
    ("casualties.civilian", st.integers(2 ** 63, 2 ** 70)),
    ("when", _FAR_DAYS.map(lambda d: {"date": d.isoformat()})),
    ("when", st.builds(lambda d, h: {"earliest": datetime(d.year, d.month, d.day,
                                                           tzinfo=_offset(h)).isoformat()},
                       _FAR_DAYS, st.integers(-12, 14))),
    ("when", st.just({"date": "2017-02-30"})),
    ("narrative", _SURROGATE),
    ("narrative", st.text(_TEXT, min_size=1, max_size=5).map(lambda t: t + "\x00")),
    ("narrative", st.just("x" * (NARRATIVE_MAX + 1))),
    ("source", _SURROGATE.map(lambda t: {"name": "A" + t})),
    ("source", st.just({"name": "TR field team", "key": "k" * (KEY_MAX + 1)})),
    ("source", st.just({"name": "n" * 201})),
    ("source", _FAR_DAYS.map(lambda d: {"name": "TR field team",
                                        "published": f"{d.isoformat()}T00:00:00Z"})),
    ("perpetrators", st.lists(_NAME, min_size=1, max_size=2).map(lambda n: ["Martians", *n])),
    ("perpetrators", st.just(ACTORS * 6)),  # over 20
    ("place", st.sampled_from([{"lon": 2.35, "lat": 48.85}, {"lon": 36.6, "lat": 95.0},
                               {"name": "Atlantis"}, {"lat": 35.9}, {}])),
    ("violation", st.sampled_from(["jaywalking", 7, None])),
    ("colour", st.just("red")),  # not a field of the report
]


@dataclass(frozen=True)
class Post:
    party: str  # whose officer posts it
    body: dict[str, Any]
    valid: bool


@st.composite
def posts(draw: st.DrawFn) -> list[Post]:
    out = []
    shared = f"shared-{next(_marks)}"  # a key both parties may give: two reports
    for _ in range(draw(st.integers(2, 12))):
        party = draw(st.sampled_from(["ru-officer", "tr-officer"]))
        body = draw(valid_body())
        mark = next(_marks)
        body["narrative"] = f"{body['narrative']} #{mark}"
        if draw(st.integers(0, 2)) == 0:
            body["source"] = {"name": "Field team",
                              "key": draw(st.sampled_from([shared, f"own-{mark}"]))}
        valid = draw(st.integers(0, 2)) != 0
        if not valid:
            path, values = draw(st.sampled_from(POISONS))
            body = _set(body, path, draw(values))
        out.append(Post(party, body, valid))
    # A party giving one of its keys twice is refused (409), in this example or an
    # earlier one: the valid bodies keep each party's keys unique.
    unique = []
    for p in out:
        source = p.body.get("source")
        key = source.get("key") if isinstance(source, dict) else None
        if p.valid and key is not None:
            if (p.party, key) in _keys_given:
                continue
            _keys_given.add((p.party, key))
        unique.append(p)
    return unique


def _raw(body: dict[str, Any]) -> bytes:
    # As a client's JSON library sends it: a lone surrogate escaped ("\ud800"), numbers
    # of any size, NaN and Infinity as Python writes them.
    return json.dumps(body).encode()


def test_no_body_fails_another_or_the_server(client, tokens):
    created: dict[str, str] = {}  # report id -> its narrative

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(posts())
    def check(batch: list[Post]) -> None:
        async def send_all() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=client.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                return await asyncio.gather(*(
                    http.post("/api/v1/reports", content=_raw(p.body),
                              headers={**bearer(tokens[p.party]),
                                       "Content-Type": "application/json"})
                    for p in batch))

        for post, response in zip(batch, asyncio.run(send_all()), strict=True):
            assert response.status_code < 500, (post, response.text)
            if post.valid:
                assert response.status_code == 201, (post, response.text)
                answer = response.json()
                assert answer["id"] not in created
                created[answer["id"]] = answer["narrative"]
            else:
                assert 400 <= response.status_code < 500, (post, response.text)
        listed = client.get("/api/v1/reports", params={"limit": 1000},
                            headers=bearer(tokens["analyst"])).json()["items"]
        assert sorted(r["id"] for r in listed) == sorted(created)  # each stored once
        assert {r["id"]: r["narrative"] for r in listed} == created

    check()
    assert len(created) > EXAMPLES  # valid bodies were stored, not only refused
