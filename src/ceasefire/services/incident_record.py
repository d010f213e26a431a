"""One incident in full, as its page shows it: its reports side by side, why correlation
grouped them, its assessment and each guarantor's verdict under every agreement, and, for
each of these records, the ledger entry that last wrote it with the proof that the entry
is in the ledger a signed checkpoint names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ceasefire.domain.report import Report
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import Entry
from ceasefire.ledger.merkle import verify_inclusion
from ceasefire.services import ledger
from ceasefire.services.correlation import IncidentView, explain_incident
from ceasefire.services.verification import StandingView, standings
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from ceasefire.store.records import AssessmentKey, VerdictKey, text
from ceasefire.store.reports import get_report


@dataclass(frozen=True)
class Proof:
    """The ledger entry that last wrote one record, and its inclusion proof."""

    record: str  # e.g. "report 5c0e…", "verdict RU (version 2)"
    entry: Entry
    leaf: bytes  # the entry's leaf hash
    path: list[bytes]
    holds: bool  # the proof leads from the leaf to the checkpoint's root


@dataclass(frozen=True)
class IncidentRecord:
    incident: IncidentView
    reports: list[Report]  # founder first, as the explanation lists them
    standings: list[StandingView]
    checkpoint: Checkpoint
    proofs: list[Proof]


def incident_record(db: Database, uid: str, *, now: datetime | None = None) -> IncidentRecord:
    """Raises NotFound for an incident the record does not hold."""
    now = now or datetime.now(UTC)
    # First the checkpoint: every proof below is against the ledger it names.
    checkpoint = ledger.checkpoint(db)
    with db.session() as session:
        view = explain_incident(session, uid)
        reports = [get_report(session, uid=r) for r in view.reports]
        found = standings(session, uid, now=now)
        tree, _ = ledger.current_tree(session)
        written = [(f"report {r}", seq) for r, seq in sorted(
            ledger_store.last_writes(session, "report", view.reports).items())]
        written += [(f"incident {k}", seq) for k, seq in
                    ledger_store.last_writes(session, "incident", [uid]).items()]
        assessed = ledger_store.last_writes(session, "assessment",
                                            [text(AssessmentKey(uid, s.agreement)) for s in found])
        written += [(f"assessment under {AssessmentKey.parse(k).agreement}", seq)
                    for k, seq in assessed.items()]
        # Every verdict on the incident: their keys begin with its id.
        verdicts = ledger_store.last_writes(session, "verdict", [f"{uid}/"], prefix=True)
        by_key = {VerdictKey(uid, s.agreement, v.version): v for s in found for v in s.history}
        for key, seq in verdicts.items():
            cast = VerdictKey.parse(key)
            v = by_key.get(cast)
            written.append((f"verdict of {v.party if v else '?'} under {cast.agreement} "
                            f"(version {cast.version})", seq))
        proofs = []
        for record, seq in sorted(written, key=lambda w: (w[1], w[0])):
            entry = ledger_store.entry(session, seq)
            if entry is None or seq > checkpoint.size:
                continue  # appended after the checkpoint: the next reading proves it
            leaf = entry.hash()
            path = tree.inclusion_proof(seq - 1, checkpoint.size)
            proofs.append(Proof(record, entry, leaf, path,
                                verify_inclusion(leaf, seq - 1, checkpoint.size, path,
                                                 checkpoint.root)))
    return IncidentRecord(view, reports, found, checkpoint, proofs)
