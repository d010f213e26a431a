"""The simulator: determinism, the documented noise bounds, sources per event, truth."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, timedelta

import numpy as np
import orjson
import pytest

from ceasefire.domain.place import AdminCodes, WherePrecision
from ceasefire.domain.report import admin_for_precision
from ceasefire.domain.when import TimePrecision
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.intake.report_in import record_of
from ceasefire.simulate import (
    DEFAULT_SOURCES,
    NoiseModel,
    SourceProfile,
    report_event,
    simulate_events,
)
from ceasefire.simulate.events import MIX
from ceasefire.simulate.noise import CONFUSION
from ceasefire.simulate.places import distance_km
from tests.simulate.conftest import START, run
from tests.test_architecture import imports_of, modules

NOISE = NoiseModel()
METRE_KM = 0.001  # coordinates are written to 5 decimals


def jsonl(sim) -> bytes:  # noqa: ANN001
    return b"".join(orjson.dumps(record_of(r)) + b"\n" for r in sim.reports)


def pairs(sim):  # noqa: ANN001, ANN201
    events = {e.id: e for e in sim.events}
    return [(r, events[sim.truth[r.id]]) for r in sim.reports]


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(actors, sim):
    again = run(7, 3000, actors)
    assert jsonl(again) == jsonl(sim)
    assert again.truth == sim.truth
    assert jsonl(run(8, 3000, actors)) != jsonl(sim)


def test_the_truth_covers_every_report_and_names_real_events(sim):
    ids = [r.id for r in sim.reports]
    assert len(set(ids)) == len(ids) and set(sim.truth) == set(ids)
    assert set(sim.truth.values()) == {e.id for e in sim.events}  # every event is reported
    arrivals = [(r.received_at, r.id) for r in sim.reports]
    assert arrivals == sorted(arrivals)


def test_times_stay_within_the_documented_bounds(sim):
    jitter = timedelta(hours=NOISE.max_time_jitter_hours)
    slip = timedelta(hours=NOISE.max_day_slip_hours)
    kinds = Counter()
    for report, event in pairs(sim):
        when = report.when
        kinds[when.precision] += 1
        assert when.latest - when.earliest < timedelta(days=NoiseModel.max_span_days)
        if when.precision is TimePrecision.EXACT:
            assert abs(when.earliest - event.moment) <= jitter
        else:
            assert when.precision in (TimePrecision.DAY, TimePrecision.WEEK)
            assert when.earliest - slip <= event.moment <= when.latest + slip
        assert report.received_at >= min(event.moment, when.earliest)
    assert set(kinds) == {TimePrecision.EXACT, TimePrecision.DAY, TimePrecision.WEEK}
    assert kinds[TimePrecision.WEEK] / sum(kinds.values()) <= 0.08


def test_places_stay_within_the_documented_bounds_and_claim_honest_codes(sim):
    admin = syria()
    kinds = Counter()
    for report, event in pairs(sim):
        place = report.place
        kinds[place.precision] += 1
        assert place.precision <= NoiseModel.coarsest_place
        if place.point is not None:
            found = admin.locate(place.point)
            assert found is not None and place.admin == admin_for_precision(
                found, place.precision)
            km = distance_km(place.point.lon, place.point.lat, event.point.lon, event.point.lat)
        if place.precision is WherePrecision.EXACT:
            assert km <= NOISE.max_point_jitter_km + METRE_KM
        elif place.precision is WherePrecision.NEAR:
            assert km <= NOISE.max_name_distance_km and place.name
        elif place.precision is WherePrecision.DISTRICT:
            assert place.point is None
            assert place.admin == AdminCodes(event.admin.adm1, event.admin.adm2)
        else:
            assert place.point is None and place.admin == AdminCodes(event.admin.adm1)
    assert set(kinds) == {WherePrecision.EXACT, WherePrecision.NEAR, WherePrecision.DISTRICT,
                          WherePrecision.GOVERNORATE}


def test_labels_blame_and_tolls_are_noisy_within_their_tables(sim, actors):
    side = {a.code: a.side for a in actors}
    for report, event in pairs(sim):
        assert report.violation in (event.violation, *CONFUSION.get(event.violation, ()))
        named = report.perpetrators
        assert (named in ((), event.perpetrators, event.targets)
                or side[named[0]] == side[event.perpetrators[0]]), report.id
        cas = report.casualties
        assert cas.low <= cas.best <= cas.high
        if cas.high:  # 0/0/0 is "no figures"
            assert abs(cas.best - event.killed) <= NOISE.max_casualty_error * event.killed + 0.5
        assert report.civilians_targeted == event.civilians_targeted


def test_each_event_has_one_to_four_sources_and_few_duplicates(sim):
    by_event: dict[str, Counter[str]] = {}
    for report in sim.reports:
        by_event.setdefault(sim.truth[report.id], Counter())[report.source.name] += 1
    distinct = [len(c) for c in by_event.values()]
    assert min(distinct) == 1 and max(distinct) == NOISE.max_sources_per_event
    assert 2.1 <= np.mean(distinct) <= 2.5
    copies = Counter(n for c in by_event.values() for n in c.values())
    assert set(copies) == {1, 2} and 0 < copies[2] / copies[1] < 0.06


def test_the_keyed_source_files_one_record_per_event_with_distinct_keys(sim):
    keyed = {s.name for s in DEFAULT_SOURCES if s.keyed}
    records = [r for r in sim.reports if r.source.name in keyed]
    assert records and all(r.source.key for r in records)
    assert len({r.source.key for r in records}) == len(records)
    assert len({sim.truth[r.id] for r in records}) == len(records)
    assert all(r.source.key is None for r in sim.reports if r.source.name not in keyed)


def test_events_look_like_the_war_they_imitate(sim):
    events = sim.events
    assert all(len(e.admin.codes()) == 3 and e.moment.second == 0 for e in events)
    governorates = Counter(e.admin.adm1 for e in events)
    # Aleppo, Rural Damascus, Idlib, Deir ez-Zor and Raqqa hold most of the events.
    assert sum(governorates[g] for g in ("SY02", "SY03", "SY07", "SY09", "SY11")) > 0.5 * len(
        events)
    kinds = Counter(e.violation for e in events)
    for kind, share in MIX.items():
        assert abs(kinds[kind] / len(events) - share) < 0.03, kind
    by_day = sum(8 <= (e.moment.hour + 2) % 24 < 20 for e in events)
    assert by_day > 0.6 * len(events)  # half the hours, most of the events
    killed = np.array([e.killed for e in events])
    assert np.median(killed) <= 3 and (killed >= 10).mean() > 0.03
    for event in events:
        assert event.civilians_targeted == (not event.targets)


def test_narratives_of_one_event_share_words_but_differ(sim):
    texts: dict[str, list[str]] = {}
    for report in sim.reports:
        if report.narrative:
            texts.setdefault(sim.truth[report.id], []).append(report.narrative)
    several = [t for t in texts.values() if len(t) >= 2]
    overlap = []
    for a, b, *_ in several:
        words_a, words_b = set(a.lower().split()), set(b.lower().split())
        overlap.append(len(words_a & words_b) / len(words_a | words_b))
    assert 0.1 < np.mean(overlap) < 0.8
    assert sum(a == b for a, b, *_ in several) < 0.02 * len(several)


def test_report_event_honours_the_given_id_and_arrival(sim, actors):
    event = sim.events[0]
    arrived = event.moment + timedelta(hours=5)
    report = report_event(event, DEFAULT_SOURCES[1], np.random.default_rng(1), NOISE,
                          gazetteer=syria_gazetteer(), admin=syria(),
                          report_id="00000000-0000-4000-8000-000000000001",
                          received_at=arrived, actors=actors)
    assert report.id.endswith("0001") and report.received_at == arrived
    assert report.submitted_by == "TR" and report.source.name == "Turkish field team"


def test_a_source_may_keep_its_own_habits(actors):
    exact_only = SourceProfile("Drone log", "UN", 1.0, time_shares=(1.0, 0.0, 0.0),
                               place_shares=(1.0, 0.0, 0.0, 0.0))
    sim = run(2, 50, actors, sources=(exact_only,))
    assert {r.when.precision for r in sim.reports} == {TimePrecision.EXACT}
    assert {r.place.precision for r in sim.reports} == {WherePrecision.EXACT}


@pytest.mark.parametrize(("build", "field"), [
    (lambda: NoiseModel(time_exact_share=0.5), "time shares"),
    (lambda: NoiseModel(max_point_jitter_km=0), "max_point_jitter_km"),
    (lambda: NoiseModel(blame_swap_share=0.5, blame_missing_share=0.6), "blame_swap_share"),
    (lambda: SourceProfile("X", "RU", 1.5), "coverage"),
    (lambda: SourceProfile("X", "ru", 0.5), "party"),
    (lambda: SourceProfile("X", "RU", 0.5, place_shares=(1.0, 0.0)), "place_shares"),
])
def test_bad_settings_name_their_field(build, field):
    with pytest.raises(InvalidInput) as caught:
        build()
    assert caught.value.field == field


@pytest.mark.parametrize(("options", "field"), [
    ({"seed": -1}, "seed"), ({"events": 0}, "events"), ({"days": 0}, "days"),
    ({"sources": ()}, "sources"),
])
def test_bad_arguments_name_their_field(actors, options, field):
    from ceasefire.simulate import simulate

    arguments = {"seed": 1, "events": 10, "start": START, "days": 10, "admin": syria(),
                 "gazetteer": syria_gazetteer(), "actors": actors, **options}
    with pytest.raises(InvalidInput) as caught:
        simulate(arguments.pop("seed"), **arguments)
    assert caught.value.field == field


def test_simulate_events_alone_is_deterministic(actors):
    def events(seed: int):  # noqa: ANN202
        return simulate_events(np.random.default_rng(seed), 20, START, 5, admin=syria(),
                               gazetteer=syria_gazetteer(), actors=actors)
    first = events(4)
    assert first == events(4) and first != events(5)
    assert all(START <= e.moment.date() < START + timedelta(days=5) for e in first)
    assert all(e.moment.tzinfo is UTC for e in first)


@pytest.mark.parametrize("path", modules("simulate"), ids=lambda p: p.name)
def test_the_simulator_stays_pure(path):
    allowed = ("numpy", "ceasefire.domain", "ceasefire.geo", "ceasefire.errors",
               "ceasefire.simulate", "ceasefire.intake.scenario", "__future__")
    for name in imports_of(path):
        assert name.split(".")[0] in sys.stdlib_module_names or name.startswith(allowed), (
            f"{path.name} imports {name}")
