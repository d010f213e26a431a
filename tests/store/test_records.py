"""The ledger's kinds of record are declared once (store/records.py) and used everywhere:
a kind no repository writes, a write of a kind nobody declared, a column that joins a
record's digest without saying what older rows hold, and a key spelt otherwise than the
ledger always spelt it each fail here by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ceasefire.store import digests
from ceasefire.store.integrity import AFTER_APPEND, DERIVED, TABLES
from ceasefire.store.records import KINDS, AssessmentKey, Pair, VerdictKey, text
from ceasefire.store.tables import Base

SRC = Path(__file__).parents[2] / "src" / "ceasefire"
UID, OTHER = "0b9f6c1e-5d2a-4c1b-9a57-1f2e3d4c5b6a", "7d3a0e42-91c4-4f0e-8b1d-2c3e4f5a6b7c"

# What each kind's digest counts, table by table, as its first records were signed. A
# column added to one of these tables later must be declared in store/records.py with the
# value rows written before it hold (`Added`), so that their digests stay the ones signed;
# then it is added here too.
DIGESTED = {
    "party": {"parties": "code name kind public_key"},
    "actor": {"actors": "code name is_state side",
              "actor_aliases": "text lang is_primary normalised"},
    "agreement": {"agreements": "code title starts_at ends_at area prohibited quorum "
                                "response_deadline_s silence",
                  "agreement_guarantors": "party position",
                  "agreement_actors": "actor status",
                  "zones": "code name starts_at ends_at area prohibited"},
    "amendment": {"amendments": "agreement_id version change effective reason terms made_by "
                                "made_at"},
    "proposal": {"amendment_proposals": "agreement_id change effective reason terms "
                                        "proposed_by proposed_at consents objection "
                                        "amendment_id"},
    "account": {"accounts": "username party_id role active created_at"},
    "token": {"api_tokens": "account_id token_hash created_at revoked_at"},
    "import": {"imports": "format file_name file_sha256 source_name party_id started_at "
                          "finished_at rows_read rows_added rows_present rows_rejected"},
    "report": {"reports": "uid source_key content_sha256 party_id account_id import_id "
                          "received_at earliest latest time_precision lon lat "
                          "where_precision place_name adm1 adm2 adm3 violation "
                          "perpetrator_text target_text civilians_targeted killed_low "
                          "killed_best killed_high killed_civilian killed_combatant "
                          "killed_unknown narrative source_name source_reference "
                          "source_published evidence",
               "report_actors": "role position actor_id"},
    "place": {"place_names": "key name lon lat precision adm1 adm2 adm3 source_name"},
    "incident": {"incidents": "uid founder_id report_count earliest latest lon lat "
                              "where_precision adm1 adm2 adm3 violation updated_at",
                 "incident_reports": "report"},
    "decision": {"correlation_decisions": "kind incidents reports reason party_id "
                                          "account_id made_at"},
    "apart": {"report_apart": "decision_id"},
    "joined": {"report_links": "score forced"},
    "assessment": {"assessments": "incident_uid covered terms checks assessed_at opened_at "
                                  "status version updated_at"},
    "verdict": {"verdicts": "version party_id account_id position attributed_to_id comment "
                            "cast_at"},
    "bulletin": {"bulletins": "agreement_id period_start period_end checkpoint_size "
                              "checkpoint_root checkpoint_signer checkpoint_signature "
                              "issued_at published_at party_id account_id document "
                              "document_sha256"},
    "key": {"ledger_keys": "key_id party public created_at status"},
}


@pytest.mark.parametrize(("kind", "key", "spelt"), [
    ("report", UID, UID),
    ("token", 7, "7"),
    ("apart", Pair(UID, OTHER), f"{UID}/{OTHER}"),
    ("joined", Pair(OTHER, UID), f"{OTHER}/{UID}"),
    ("assessment", AssessmentKey(UID, "syria-2016"), f"{UID}/syria-2016"),
    ("verdict", VerdictKey(UID, "syria-2016", 12), f"{UID}/syria-2016/12"),
])
def test_a_key_is_spelt_as_the_ledger_always_spelt_it_and_read_back(kind, key, spelt):
    assert text(key) == spelt
    assert KINDS[kind].parse(spelt) == key
    assert isinstance(key, KINDS[kind].key)


def test_each_kind_names_tables_and_columns_that_exist():
    tables = Base.metadata.tables
    for name, kind in KINDS.items():
        assert tables[kind.table.name] is kind.table, name
        for column in (*kind.left_out, *(a.column for a in kind.added)):
            assert column in kind.table.c, (name, column)
        for part in kind.parts:
            assert tables[part.table.name] is part.table, (name, part.table.name)
            assert part.parent in part.table.c and all(c in part.table.c
                                                        for c, _ in part.named), name


def test_every_kind_is_written_by_some_repository_and_no_other_kind_is():
    """The kinds `changes.touch` is called with in src/ are exactly those declared (a
    kind nobody writes is a stale declaration; a write of another fails when it runs)."""
    call = re.compile(r"changes\.(?:un)?touch\(\s*[\w.]+,\s*\"(\w+)\"")
    written = {m for path in SRC.rglob("*.py") for m in call.findall(path.read_text())}
    assert written == set(KINDS)


def test_a_column_joins_a_digest_only_declared_with_what_older_rows_hold():
    for name, kind in KINDS.items():
        reader = digests.reader(kind)
        counted = {kind.table.name: set(reader.names) - {a.column for a in kind.added}}
        for part in reader.parts:
            counted[part.part.table.name] = set(part.names) - {a.column for a in part.part.added}
        assert counted == {t: set(cs.split()) for t, cs in DIGESTED[name].items()}, (
            f"the columns of {name} changed: a column added to its tables is declared in "
            "store/records.py with the value rows written before it hold (Added), then "
            "listed here")


def test_the_hooks_after_an_append_keep_derived_tables_and_follow_declared_kinds():
    for hook in AFTER_APPEND:
        assert set(hook.follows) <= set(KINDS)
        assert all(TABLES[t].how == DERIVED for t in hook.tables)
    kept = {t for hook in AFTER_APPEND for t in hook.tables}
    # report_links: correlation's own
    assert kept == {"incident_overview", "overview_days", "overview_cells"}
