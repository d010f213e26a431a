"""The pure domain model: no I/O, no framework imports."""

from ceasefire.domain.actors import Actor, ActorName, ActorStatus, normalise_name
from ceasefire.domain.agreement import Agreement, Area, Position, QuorumRule, Zone
from ceasefire.domain.casualties import Casualties
from ceasefire.domain.parties import Account, Party, PartyKind, Role
from ceasefire.domain.place import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.report import Evidence, Report, Source
from ceasefire.domain.status import Standing, Status, standing, status_from_verdicts
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.verdict import Verdict, latest_verdicts
from ceasefire.domain.when import Period, TimePrecision, When

__all__ = [
    "Account", "Actor", "ActorName", "ActorStatus", "AdminCodes", "Agreement", "Area",
    "Casualties", "Evidence", "Party", "PartyKind", "Period",
    "Place", "Point", "Position", "QuorumRule", "Report", "Role", "Source", "Standing",
    "Status", "TimePrecision", "Verdict", "ViolationType", "When", "WherePrecision", "Zone",
    "latest_verdicts", "normalise_name", "standing", "status_from_verdicts",
]
