"""The engine's columns read from the record a column at a time equal those built report by
report, and so do the incidents made of them: on the shipped UCDP record and on a mix of
every kind of place, time, actor, source and narrative; on both backends."""

import random
import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ceasefire.correlate.engine import correlate
from ceasefire.domain.casualties import Casualties
from ceasefire.domain.place import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.report import Report, Source
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import TimePrecision, When
from ceasefire.geo.admin import syria
from ceasefire.intake.normalise import content_digest
from ceasefire.services import correlation, ledger
from ceasefire.services.correlation import SETTINGS, links_again, run_batch
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import incidents as store
from ceasefire.store.reports import ReportWriter
from tests.records import UCDP_IMPORTED

START = datetime(2017, 1, 1, tzinfo=UTC)
WORDS = ("The", "On", "May", "Sunday", "shelling", "reported", "positions", "killed", "4",
         "12", "2017", "Kafr", "Laha", "Ar-Raqqa", "al-Bab", "Dar'a", "DEAŞ", "İdlib", "Straße",
         "الرقة", "حلب", "٣", "SAA", "YPG", "Aleppo's", "Ma'arrat", "_x", "-", "'")


def read_both_ways(session):
    """The record's columns report by report, and a column at a time; with what each read."""
    rows = store.all_facts(session)
    row_of, facts, cols = correlation._all_columns(session, SETTINGS)
    assert row_of.tolist() == [r.row_id for r in rows]
    return rows, correlation._columns(session, rows, SETTINGS), (row_of, facts, cols)


def assert_same_columns(one_by_one, at_once):
    for f in fields(one_by_one):
        a, b = getattr(one_by_one, f.name), getattr(at_once, f.name)
        if f.name == "areas":
            assert a is b
            continue
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f.name
        np.testing.assert_array_equal(a, b, err_msg=f.name)  # NaN equals NaN here


def founders_at_random(n, rng):
    """Reports grouped at random, each group with a founder among its reports."""
    label = rng.integers(0, max(1, n // 3), n)
    founder = np.empty(n, np.int64)
    for group in np.unique(label):
        members = np.flatnonzero(label == group)
        founder[members] = rng.choice(members)
    return founder


def assert_same_incidents(rows, read, founder):
    row_of, facts, cols = read
    assert correlation._incidents(rows, founder) == correlation._incidents_from(
        row_of, facts, cols, founder)


def test_the_ucdp_record_read_a_column_at_a_time_gives_the_same_columns_and_incidents(
        built_records, request, backend):
    db = built_records.copy(request, UCDP_IMPORTED)
    with db.session() as session:
        rows, one_by_one, read = read_both_ways(session)
    assert len(rows) == 3484
    assert_same_columns(one_by_one, read[2])
    assert_same_incidents(rows, read, correlate(read[2]).founder)
    assert_same_incidents(rows, read, founders_at_random(len(rows), np.random.default_rng(1)))


def mix(actors, parties, count, seed):
    """Reports of every place precision, with and without a point and admin codes; of
    every time precision, exact to the microsecond or spanning days, weeks, months, a year
    and more; naming no actor or several, civilians or not; keyed or not, by each party;
    narratives in English, Arabic and Turkish, some with more names than are kept."""
    rng = random.Random(seed)
    admin = syria()
    districts = [a.pcode for a in admin.level(3)]
    reports = []
    for k in range(count):
        adm3 = rng.choice(districts)
        codes = AdminCodes(*[adm3[:4], adm3[:6], adm3][:rng.randint(0, 3)])
        point = Point(round(rng.uniform(35.8, 41.0), 5), round(rng.uniform(32.4, 37.2), 5)) \
            if rng.random() < 0.8 else None
        at = START + timedelta(days=rng.randint(0, 20), seconds=rng.randint(0, 86_399),
                               microseconds=rng.randint(0, 999_999))
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        end = timedelta(days=1) - timedelta(microseconds=1)
        when = rng.choice([
            When.exact(at), When(day, day + end, TimePrecision.DAY),
            When(day, day + 6 * timedelta(days=1) + end, TimePrecision.WEEK),
            When(day, day + 10 * timedelta(days=1) + end, TimePrecision.DAY),
            When(day, day + 29 * timedelta(days=1) + end, TimePrecision.MONTH),
            When(day, day + 364 * timedelta(days=1) + end, TimePrecision.YEAR)])
        killed = rng.choice([0, 0, 1, 3, 40])
        party = rng.choice(parties)
        name = rng.choice(["SOHR", "UCDP GED", "TR field team", "Local council"])
        reports.append(Report(
            id=str(uuid.UUID(int=rng.getrandbits(128))) if k % 7 else f"mix-{k}-رقم",
            submitted_by=party,
            received_at=at + timedelta(hours=rng.randint(0, 48), microseconds=rng.randint(0, 9)),
            when=when,
            place=Place(point, rng.choice(list(WherePrecision)), codes,
                        None if point or codes.codes() else "Kafr Laha"),
            violation=rng.choice(list(ViolationType)),
            source=Source(name, f"{name}:{k}" if rng.random() < 0.5 else None),
            perpetrators=tuple(rng.sample(actors, rng.randint(0, 3))),
            targets=tuple(rng.sample(actors, rng.randint(0, 2))),
            civilians_targeted=rng.random() < 0.3,
            casualties=Casualties(0, killed, killed),
            narrative=" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))))
    return reports


def stored_mix(database, scenario, n: int, *, seed: int):
    """The scenario and `mix` of n reports stored in the database, with their entry."""
    load_scenario(database, scenario)
    reports = mix([a.code for a in scenario.actors], [p.code for p in scenario.parties], n,
                  seed=seed)
    with database.session(write=True) as session:
        ReportWriter(session).write(reports, [content_digest(r) for r in reports])
        ledger.append(session, ledger.mechanism(session), "reports.imported",
                      {"reports": len(reports)})
    return database


@pytest.fixture
def mixed(database, syria_scenario):
    return stored_mix(database, syria_scenario, 600, seed=3)


def test_a_mix_of_every_kind_of_report_read_a_column_at_a_time_gives_the_same_columns(mixed):
    with mixed.session() as session:
        rows, one_by_one, read = read_both_ways(session)
    assert_same_columns(one_by_one, read[2])
    cols = read[2]
    assert {int(p) for p in read[1].precision} == {int(p) for p in WherePrecision}
    assert cols.correlatable.any() and not cols.correlatable.all()
    assert (cols.area >= 0).any() and (cols.dataset >= 0).any() and (cols.key < 0).any()
    assert (cols.targets & np.uint64(1 << 63)).any() and (cols.names[:, -1] > 0).any()


def test_incidents_made_a_column_at_a_time_are_those_made_report_by_report(mixed):
    with mixed.session() as session:
        rows, _, read = read_both_ways(session)
    assert_same_incidents(rows, read, correlate(read[2]).founder)
    rng = np.random.default_rng(5)
    for _ in range(5):  # ties of place and type, founders that are not the first report
        assert_same_incidents(rows, read, founders_at_random(len(rows), rng))


def test_a_batch_run_stores_what_it_rereads_and_reruns_to_no_change(mixed):
    first = run_batch(mixed)
    assert first.reports == 600 and first.changed > 0 and first.links > 0
    with mixed.session() as session:
        assert links_again(session) == store.scored_links(session)
    assert run_batch(mixed).changed == 0


def test_an_empty_record_reads_as_empty_columns(database):
    with database.session() as session:
        rows, one_by_one, read = read_both_ways(session)
        assert links_again(session) == {}
    assert rows == [] and len(read[2]) == 0
    assert_same_columns(one_by_one, read[2])


def test_incident_ids_made_many_at_once_are_those_made_one_by_one():
    ids = [str(uuid.UUID(int=random.Random(k).getrandbits(128))) for k in range(500)]
    ids += ["", "x", "mix-1-رقم", "é" * 100]
    assert correlation._incident_uids(ids) == [correlation.incident_uid(u) for u in ids]
