"""How the ledger holds each table, so that no table can change what the record says
unseen. Every table is one of:

- a record (`RECORD`): each row is a record of one kind; the entry that writes it signs its
  digest, and `ledger verify` replays the entries against the rows;
- part of a record (`PART`): rows that belong to a record of another table and are in its
  digest (a report's actors, an incident's reports);
- derived (`DERIVED`): computed from records, and recomputed and compared by `ledger
  verify` (services/ledger_checks.py), so an edit is named as an edit of a record is;
- the ledger itself (`LEDGER`): hash-linked, signed entries, the records each wrote, and
  signed checkpoints;
- access (`ACCESS`): who may act and the server's memory of requests; nothing the record
  says rests on them (docs/ledger.md says what someone who edits them can and cannot do).

tests/store/test_integrity.py fails when a table is in none of these, and docs/ledger.md
lists the same classes table by table.
"""

from __future__ import annotations

from typing import NamedTuple

RECORD, PART, DERIVED, LEDGER, ACCESS = "record", "part", "derived", "ledger", "access"


class Held(NamedTuple):
    how: str  # one of the classes above
    kind: str | None = None  # the record kind (RECORD), or the record it belongs to (PART)


TABLES: dict[str, Held] = {
    "parties": Held(RECORD, "party"),
    "actors": Held(RECORD, "actor"),
    "actor_aliases": Held(PART, "actor"),
    "agreements": Held(RECORD, "agreement"),
    "agreement_guarantors": Held(PART, "agreement"),
    "agreement_actors": Held(PART, "agreement"),
    "zones": Held(PART, "agreement"),
    "accounts": Held(RECORD, "account"),  # but its password hash: access
    "api_tokens": Held(RECORD, "token"),
    "imports": Held(RECORD, "import"),
    "reports": Held(RECORD, "report"),
    "report_actors": Held(PART, "report"),
    "place_names": Held(RECORD, "place"),
    "incidents": Held(RECORD, "incident"),
    "incident_reports": Held(PART, "incident"),
    "correlation_decisions": Held(RECORD, "decision"),
    "report_apart": Held(RECORD, "apart"),
    "report_links": Held(DERIVED),  # scored by the engine; forced ones: records ("joined")
    "assessments": Held(RECORD, "assessment"),
    "verdicts": Held(RECORD, "verdict"),
    "bulletins": Held(RECORD, "bulletin"),
    "incident_overview": Held(DERIVED),
    "overview_days": Held(DERIVED),
    "ledger_keys": Held(RECORD, "key"),  # but its sealed private key: a secret
    "ledger_entries": Held(LEDGER),
    "ledger_writes": Held(LEDGER),
    "ledger_checkpoints": Held(LEDGER),
    "idempotency_keys": Held(ACCESS),
    "web_sessions": Held(ACCESS),
}
