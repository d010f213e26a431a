"""The batch run's facts read into Arrow (ADBC) equal those read through the session's
driver, to the value and the type, on the shipped UCDP record and on a mix of every kind
of report; and the Arrow reader is used only where it sees what the session sees."""

from dataclasses import fields, replace

import numpy as np
import pytest

from ceasefire.correlate.columns import columns_from
from ceasefire.geo.admin import syria
from ceasefire.intake.normalise import content_digest
from ceasefire.services import correlation, ledger
from ceasefire.services.correlation import SETTINGS
from ceasefire.store import columnar
from ceasefire.store import incidents as store
from ceasefire.store.reports import ReportWriter
from tests.correlate.test_columns_from import assert_same_columns, mix, stored_mix
from tests.records import UCDP_IMPORTED

NAMINGS = ("named_by", "named_target", "named")


def canonical(facts):
    """The facts with their namings in one order: either reader may list them in any."""
    order = np.lexsort([facts.named, facts.named_target, facts.named_by])
    return {f.name: getattr(facts, f.name)[order] if f.name in NAMINGS
            else getattr(facts, f.name) for f in fields(facts) if not f.name.endswith("_utf8")}


def assert_utf8_holds(texts, utf8):
    """Arrow's bytes of each text are the text's own."""
    if utf8 is None:
        assert len(texts) == 0
        return
    data, at = utf8
    assert len(at) == len(texts) + 1
    assert [data[a:b].tobytes().decode() for a, b in zip(at[:-1], at[1:], strict=True)] \
        == texts.tolist()


def assert_same_facts(session):
    rows_of, by_rows = store.fact_columns(session, reader="rows")
    arrow_of, by_arrow = store.fact_columns(session, reader="arrow")
    np.testing.assert_array_equal(rows_of, arrow_of)
    assert rows_of.dtype == arrow_of.dtype
    one, other = canonical(by_rows), canonical(by_arrow)
    for name, a in one.items():
        b = other[name]
        if name == "actor_codes":
            assert a == b
            continue
        assert (a.dtype, a.shape) == (b.dtype, b.shape), name
        if a.dtype == object:  # None, "" and every character told apart
            assert [(type(x), x) for x in a.tolist()] == [(type(x), x) for x in b.tolist()], \
                name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)  # NaN equals NaN here
    assert by_rows.ids_utf8 is None and by_rows.narrative_utf8 is None
    assert_utf8_holds(by_arrow.ids, by_arrow.ids_utf8)
    assert_utf8_holds(by_arrow.narrative, by_arrow.narrative_utf8)
    # ... and the engine's columns made of either are the same, hashed from either form
    cols = [columns_from(f, SETTINGS, syria(), correlation._bits(session))
            for f in (by_rows, by_arrow)]
    assert_same_columns(*cols)
    return by_arrow


def test_the_ucdp_record_reads_the_same_facts_into_arrow(built_records, request, backend):
    db = built_records.copy(request, UCDP_IMPORTED)
    with db.session(write=True) as session:
        assert columnar.reads_as(session)
        facts = assert_same_facts(session)
    assert len(facts) == 3484 and len(facts.named_by) > 3484
    assert any(not n.isascii() for n in facts.narrative)
    assert None in facts.source_key.tolist() or None in facts.adm3.tolist()


@pytest.fixture
def mixed(database, syria_scenario):
    return stored_mix(database, syria_scenario, 2500, seed=11)


def test_a_mix_with_nulls_after_the_first_rows_reads_the_same_facts_into_arrow(mixed):
    # 2,500 reports: NULLs and text meet past the first batch SQLite's driver types by.
    with mixed.session(write=True) as session:
        facts = assert_same_facts(session)
    assert np.isnan(facts.lon).any() and not np.isnan(facts.lon).all()
    for codes in (facts.adm1, facts.adm2, facts.adm3, facts.source_key):
        assert None in codes.tolist() and {type(c) for c in codes.tolist()} == {str, type(None)}
    assert any(not u.isascii() for u in facts.ids)


def test_an_empty_record_reads_the_same_facts_into_arrow(database):
    with database.session(write=True) as session:
        assert len(assert_same_facts(session)) == 0


def test_arrow_is_read_only_where_it_sees_what_the_session_sees(mixed, syria_scenario):
    with mixed.session() as session:  # no writers' lock: a commit could come between
        assert not columnar.reads_as(session)
    with mixed.session(write=True) as session:
        assert columnar.reads_as(session)
        more = [replace(r, id=f"more-{k}") for k, r in enumerate(mix(
            [a.code for a in syria_scenario.actors], [p.code for p in syria_scenario.parties],
            3, seed=12))]
        ReportWriter(session).write(more, [content_digest(r) for r in more])
        assert not columnar.reads_as(session)  # its own reports, not yet committed
        ledger.append(session, ledger.mechanism(session), "reports.imported", {"reports": 3})


def test_a_batch_run_reads_through_arrow(mixed, monkeypatch):
    read = []
    monkeypatch.setattr(columnar, "fact_columns",
                        lambda session, _read=columnar.fact_columns: read.append(1)
                        or _read(session))
    assert correlation.run_batch(mixed).reports == 2500
    assert read == [1]


def test_a_correlation_in_the_transaction_that_stored_reports_sees_them(mixed, syria_scenario,
                                                                        monkeypatch):
    """A first import correlates its reports before it commits: the reader that sees
    them is the session's own."""
    monkeypatch.setattr(columnar, "fact_columns", lambda session: pytest.fail("read Arrow"))
    more = [replace(r, id=f"more-{k}") for k, r in enumerate(mix(
        [a.code for a in syria_scenario.actors], [p.code for p in syria_scenario.parties],
        40, seed=13))]
    with mixed.session(write=True) as session:
        row_ids = ReportWriter(session).write(more, [content_digest(r) for r in more])
        result = correlation.correlate_all(session)
        assert result.reports == 2540
        assert set(store.incident_uids(session, row_ids)) == set(row_ids)
        ledger.append(session, ledger.mechanism(session), "reports.imported", {"reports": 40})
