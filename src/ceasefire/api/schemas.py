"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ceasefire.domain.actors import Actor
from ceasefire.domain.agreement import Agreement, Area, Position, Zone
from ceasefire.domain.parties import Account, Party
from ceasefire.domain.status import Status
from ceasefire.domain.when import CALENDAR, CALENDAR_END, CALENDAR_START

_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")


def _iso_8601(value: object) -> object:
    # pydantic would also read a number as seconds since 1970: `until=2017` is a mistake
    # to name, not 1970-01-01T00:33:37Z.
    if isinstance(value, str):
        if _DAY.match(value):  # a day, as the pages and the command line take it: its start, UTC
            value = f"{value}T00:00:00+00:00"
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("iso_8601", "give a day (2017-01-05) or an ISO 8601 "
                                      "date-time with a UTC offset (e.g. "
                                      "2017-01-05T00:00:00Z)") from None
    return value


def _in_calendar(value: datetime) -> datetime:
    # Far from the record's calendar, a time zone's offset leaves Python's dates (year
    # 9999 at -05:00): named here rather than failing in the query.
    if value.tzinfo is not None and not CALENDAR_START <= value < CALENDAR_END:
        raise PydanticCustomError("calendar", "is outside the record's calendar ({calendar})",
                                  {"calendar": CALENDAR})
    return value


# A date-time in a query string: ISO 8601 text only, as the OpenAPI document says.
QueryMoment = Annotated[datetime, BeforeValidator(_iso_8601), AfterValidator(_in_calendar)]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    line: int | None = None
    id: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    schema_needed: str | None


class PartyOut(BaseModel):
    code: str
    name: str
    kind: str
    public_key: str | None  # hex

    @classmethod
    def of(cls, party: Party) -> PartyOut:
        return cls(code=party.code, name=party.name, kind=party.kind.value,
                   public_key=party.public_key.hex() if party.public_key else None)


class AliasOut(BaseModel):
    text: str
    lang: str


class ActorOut(BaseModel):
    code: str
    name: str
    is_state: bool
    side: str | None
    aliases: list[AliasOut]
    merged_into: str | None = Field(description="the actor this one was merged into (its "
                                    "code); its names lead there for new reports")

    @classmethod
    def of(cls, actor: Actor) -> ActorOut:
        return cls(code=actor.code, name=actor.name, is_state=actor.is_state, side=actor.side,
                   aliases=[AliasOut(text=a.text, lang=a.lang) for a in actor.aliases],
                   merged_into=actor.merged_into)


class AreaOut(BaseModel):
    pcodes: list[str]
    polygons: list[dict[str, Any]]

    @classmethod
    def of(cls, area: Area) -> AreaOut:
        return cls(pcodes=sorted(area.pcodes), polygons=[dict(p) for p in area.polygons])


class ZoneOut(BaseModel):
    code: str
    name: str
    start: datetime
    end: datetime | None
    area: AreaOut
    prohibited: list[str] | None = Field(description="the zone's own terms; null: the "
                                         "agreement's")

    @classmethod
    def of(cls, zone: Zone) -> ZoneOut:
        return cls(code=zone.code, name=zone.name, start=zone.period.start,
                   end=zone.period.end, area=AreaOut.of(zone.area),
                   prohibited=None if zone.prohibited is None else sorted(zone.prohibited))


class AgreementOut(BaseModel):
    code: str
    title: str
    start: datetime
    end: datetime | None
    area: AreaOut
    prohibited: list[str]
    guarantors: list[str]
    signatories: list[str]
    excluded: list[str]
    quorum: str
    quorum_size: int
    response_deadline_hours: float
    silence: str = Field(description="what a missing verdict counts as after the deadline")
    zones: list[ZoneOut]
    version: int = Field(description="the terms' version: 0 as first agreed, one more with "
                         "each amendment (GET .../amendments)")
    status_changes: list[dict[str, str]] = Field(
        description="actors' status from a date, by amendment: actor, status, effective")

    @classmethod
    def of(cls, a: Agreement) -> AgreementOut:
        return cls(code=a.code, title=a.title, start=a.period.start, end=a.period.end,
                   area=AreaOut.of(a.area), prohibited=sorted(a.prohibited),
                   guarantors=list(a.guarantors), signatories=sorted(a.signatories),
                   excluded=sorted(a.excluded), quorum=a.quorum.value,
                   quorum_size=a.quorum_size(),
                   response_deadline_hours=a.response_deadline.total_seconds() / 3600,
                   silence=a.silence.value, zones=[ZoneOut.of(z) for z in a.zones],
                   version=a.version,
                   status_changes=[{"actor": c.actor, "status": c.status.value,
                                    "effective": c.effective.isoformat()}
                                   for c in a.status_changes])


class AccountOut(BaseModel):
    username: str
    party: str
    role: str
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(username=account.username, party=account.party, role=account.role.value,
                   created_at=account.created_at)


class AdminAreaOut(BaseModel):
    pcode: str
    level: int
    name: str
    name_ar: str


class LocationOut(BaseModel):
    lat: float
    lon: float
    areas: list[AdminAreaOut]  # coarsest first; empty when the point is outside them all


class ViolationTypeOut(BaseModel):
    code: str
    label: str
    acled: list[str]  # "Event type / Sub-event type" pairs that map to this type


# -- reports: the shape of intake.report_in.record_of -------------------------------------

class WhenOut(BaseModel):
    earliest: datetime
    latest: datetime
    precision: str


class PlaceOut(BaseModel):
    lon: float | None
    lat: float | None
    precision: int  # UCDP where_prec scale, 1 exact … 7 waters
    name: str | None
    adm1: str | None
    adm2: str | None
    adm3: str | None


class SourceOut(BaseModel):
    name: str
    key: str | None
    reference: str | None
    published: datetime | None


class CasualtiesOut(BaseModel):
    low: int
    best: int
    high: int
    civilian: int | None
    combatant: int | None
    unknown: int | None
    injured: int | None = Field(description="injured, best estimate; null: unknown")


class EvidenceOut(BaseModel):
    description: str
    sha256: str | None
    uri: str | None


class ReportOut(BaseModel):
    id: str
    submitted_by: str
    received_at: datetime
    when: WhenOut
    place: PlaceOut
    violation: str
    source: SourceOut
    perpetrators: list[str]
    perpetrator_text: str | None
    targets: list[str]
    target_text: str | None
    civilians_targeted: bool
    casualties: CasualtiesOut
    narrative: str
    evidence: list[EvidenceOut]
    incident: str | None = Field(None, description="the incident the report belongs to")


class KeyClaimOut(BaseModel):
    id: str = Field(description="the other report's id")
    submitted_by: str = Field(description="the party that submitted it")


class SubmittedOut(ReportOut):
    source_key_claims: list[KeyClaimOut] | None = Field(
        None, description="other parties' reports that give the same source key (a key is "
        "its party's own: they are other reports); present only when there are some")


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: str | None  # pass as ?cursor= for the next page; null on the last


class IncidentOut(BaseModel):
    id: str
    report_count: int
    earliest: datetime
    latest: datetime
    lon: float | None
    lat: float | None
    where_precision: int
    adm1: str | None
    adm2: str | None
    adm3: str | None
    violation: str


def incident_out(summary: Any) -> IncidentOut:
    """From a services.correlation Summary."""
    return IncidentOut(id=summary.uid, **{k: getattr(summary, k) for k in (
        "report_count", "earliest", "latest", "lon", "lat", "where_precision", "adm1", "adm2",
        "adm3", "violation")})


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None


class PairOut(BaseModel):
    a: str
    b: str
    levels: dict[str, str] = Field(description="per field, the level the pair falls in")
    points: dict[str, float] = Field(description="per field, what it added to the score")
    score: float = Field(description="the prior plus the points")
    linked: bool = Field(description="the engine linked the pair")
    vetoed: bool = Field(description="scored at or below the veto: never joined through "
                         "other reports")
    forced: bool = Field(description="an analyst joined the pair")
    apart: bool = Field(description="an analyst separated the pair")


class DecisionOut(BaseModel):
    kind: str
    incidents: list[str]
    reports: list[str]
    reason: str
    made_at: datetime


class IncidentDetail(IncidentOut):
    reports: list[str] = Field(description="report ids, the founding report first")
    threshold: float = Field(description="the score at which two reports are linked")
    veto: float = Field(description="the score at or below which two reports are kept apart")
    prior: float = Field(description="the log-odds of a candidate pair before its fields")
    pairs: list[PairOut]
    decisions: list[DecisionOut]


class CheckOut(BaseModel):
    rule: str = Field(description="in-force, area, terms, prohibited or excluded-actors")
    passed: bool
    reason: str


class VerdictOut(BaseModel):
    party: str
    account: str | None
    position: Position
    attributed_to: str | None = Field(description="the actor a confirming party holds "
                                      "responsible")
    comment: str
    cast_at: datetime
    version: int = Field(description="the standing's version this verdict made")


class StandingOut(BaseModel):
    """An incident under one agreement: the rules' finding, and the guarantors' verdicts."""

    incident: str
    agreement: str
    covered: bool = Field(description="a candidate violation: every rule passed")
    terms: str = Field(description="the agreement's code, or the zone's whose terms applied")
    terms_version: int = Field(description="the version of the agreement's terms that judged "
                               "it (0: as first agreed)")
    checks: list[CheckOut]
    status: Status = Field(description="at the time of the answer: pending, confirmed, "
                           "disputed, rejected or not-covered")
    version: int = Field(description="give it back when casting a verdict")
    opened_at: datetime | None = Field(description="when it was put to the guarantors")
    deadline: datetime | None
    deadline_passed: bool
    missing: list[str] = Field(description="guarantors that have not answered")
    verdicts: dict[str, VerdictOut | None] = Field(description="each guarantor's standing "
                                                   "verdict")
    sides: dict[str, list[str]] = Field(description="guarantors by position, side by side")
    history: list[VerdictOut] = Field(description="every verdict, in the order cast")


def standing_out(view: Any) -> StandingOut:
    """From a services.verification.StandingView."""
    def verdict(v: Any) -> VerdictOut | None:
        return None if v is None else VerdictOut(**{k: getattr(v, k) for k in (
            "party", "account", "position", "attributed_to", "comment", "cast_at", "version")})
    return StandingOut(
        incident=view.incident, agreement=view.agreement, covered=view.covered,
        terms=view.terms, terms_version=view.terms_version,
        checks=[CheckOut(**c) for c in view.checks], status=view.status,
        version=view.version, opened_at=view.opened_at, deadline=view.deadline,
        deadline_passed=view.deadline_passed, missing=list(view.missing),
        verdicts={p: verdict(v) for p, v in view.latest.items()}, sides=view.sides,
        history=[verdict(v) for v in view.history])


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    position: Position
    version: int = Field(ge=0, description="the standing's version the officer saw")
    attributed_to: str | None = Field(default=None, max_length=63,
                                      description="actor code; only with confirm")
    comment: str = Field(default="", max_length=4000)
    agreement: str | None = Field(default=None, max_length=63,
                                  description="needed only when several agreements apply")


class AwaitingOut(BaseModel):
    incident: str
    agreement: str
    opened_at: datetime
    deadline: datetime
    version: int


class QueueOut(BaseModel):
    party: str
    items: list[AwaitingOut] = Field(description="oldest first")
