"""SQLAlchemy tables. Only store/ knows about them; repositories map rows to domain objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ceasefire.store import dialects

# Stable constraint names, so migrations name the same thing on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite would otherwise hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialects.named(dialect.name).naive_times \
            else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PartyRow(Base):
    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))


class ActorRow(Base):
    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_state: Mapped[bool] = mapped_column(Boolean, default=False)
    side: Mapped[str | None] = mapped_column(String(63))
    # The actor this one was merged into (its code): the row stays, so reports that named
    # it keep naming it as signed, and its names lead to the actor it became.
    merged_into: Mapped[str | None] = mapped_column(String(63))
    aliases: Mapped[list[ActorAliasRow]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorAliasRow.id")


class ActorAliasRow(Base):
    __tablename__ = "actor_aliases"
    __table_args__ = (UniqueConstraint("actor_id", "lang", "text"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(3))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # normalise_name(text), indexed so a name in a report finds its actor in one look-up
    normalised: Mapped[str] = mapped_column(String(200), index=True)
    actor: Mapped[ActorRow] = relationship(back_populates="aliases")


class AgreementRow(Base):
    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(63), unique=True)
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    area: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"pcodes": [...], "polygons": [...]}
    prohibited: Mapped[list[str]] = mapped_column(JSON)
    quorum: Mapped[str] = mapped_column(String(20))
    response_deadline_s: Mapped[int] = mapped_column(Integer)
    silence: Mapped[str] = mapped_column(String(8))  # a missing verdict after the deadline
    amended_by: Mapped[str] = mapped_column(String(12), server_default="secretariat")
    guarantors: Mapped[list[AgreementGuarantorRow]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementGuarantorRow.position")
    actors: Mapped[list[AgreementActorRow]] = relationship(cascade="all, delete-orphan")
    zones: Mapped[list[ZoneRow]] = relationship(cascade="all, delete-orphan",
                                                order_by="ZoneRow.id")
    amendments: Mapped[list[AmendmentRow]] = relationship(
        cascade="all, delete-orphan", order_by="AmendmentRow.version")


class AgreementGuarantorRow(Base):
    __tablename__ = "agreement_guarantors"
    __table_args__ = (UniqueConstraint("agreement_id", "party_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    position: Mapped[int] = mapped_column(Integer)  # keeps the order the agreement lists
    party: Mapped[PartyRow] = relationship()


class AgreementActorRow(Base):
    __tablename__ = "agreement_actors"
    __table_args__ = (UniqueConstraint("agreement_id", "actor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[ActorRow] = relationship()


class ZoneRow(Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("agreement_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    area: Mapped[dict[str, Any]] = mapped_column(JSON)
    prohibited: Mapped[list[str] | None] = mapped_column(JSON)  # own terms; None: the agreement's


class AmendmentRow(Base):
    """A signed change to an agreement's terms from a moment (domain/amendment.py). The
    agreement's own rows stay as first agreed; the terms in force are those rows with
    every amendment applied in order of ``version``."""

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)  # the terms' version it makes: 1, 2, ...
    change: Mapped[str] = mapped_column(String(20))
    effective: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    # zone (a zone added: code, name, start, area, prohibited; else a zone's code), acts,
    # actor, status: what the change names
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    made_by: Mapped[str] = mapped_column(String(63))  # the party, or "mechanism"
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AmendmentProposalRow(Base):
    """An amendment proposed to an agreement its guarantors amend: it takes effect (an
    ``amendments`` row) once every guarantor has consented, and any one's objection
    closes it."""

    __tablename__ = "amendment_proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    change: Mapped[str] = mapped_column(String(20))
    effective: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposed_by: Mapped[str] = mapped_column(String(63))  # the party
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # [{"party": code, "at": ISO 8601}], in the order given
    consents: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # {"party", "at", "reason"} of the objection that closed it
    objection: Mapped[dict[str, str] | None] = mapped_column(JSON)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"))


class AccountRow(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(63), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # argon2id, PHC string (nacl.pwhash); None: the account cannot log in to the web pages
    password_hash: Mapped[str | None] = mapped_column(String(200))
    party: Mapped[PartyRow] = relationship()


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"),
                                            index=True)
    # SHA-256 of the token: tokens are 256-bit random, so a fast hash is enough and
    # the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    account: Mapped[AccountRow] = relationship()


class ImportRow(Base):
    """One bulk import of a file: committed with its reports, or not at all."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str | None] = mapped_column(String(200))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_added: Mapped[int] = mapped_column(Integer)
    rows_present: Mapped[int] = mapped_column(Integer)  # already in the record: skipped
    rows_rejected: Mapped[int] = mapped_column(Integer)


class ReportRow(Base):
    __tablename__ = "reports"
    # A source key is the reporting party's own (docs/formats.md): another party's report
    # claiming the same key is another report, never a clash that blocks this one.
    __table_args__ = (UniqueConstraint("party_id", "source_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    source_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # SHA-256 of the report's content (Report.content()): tells a repeat from an amendment
    content_sha256: Mapped[str] = mapped_column(String(64))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    earliest: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    latest: Mapped[datetime] = mapped_column(UTCDateTime())
    time_precision: Mapped[str] = mapped_column(String(10))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    where_precision: Mapped[int] = mapped_column(SmallInteger)
    place_name: Mapped[str | None] = mapped_column(String(200))
    adm1: Mapped[str | None] = mapped_column(String(4), index=True)
    adm2: Mapped[str | None] = mapped_column(String(6))
    adm3: Mapped[str | None] = mapped_column(String(8))
    violation: Mapped[str] = mapped_column(String(32), index=True)
    perpetrator_text: Mapped[str | None] = mapped_column(String(500))
    target_text: Mapped[str | None] = mapped_column(String(500))
    civilians_targeted: Mapped[bool] = mapped_column(Boolean)
    killed_low: Mapped[int] = mapped_column(Integer)
    killed_best: Mapped[int] = mapped_column(Integer)
    killed_high: Mapped[int] = mapped_column(Integer)
    killed_civilian: Mapped[int | None] = mapped_column(Integer)
    killed_combatant: Mapped[int | None] = mapped_column(Integer)
    killed_unknown: Mapped[int | None] = mapped_column(Integer)
    injured: Mapped[int | None] = mapped_column(Integer)  # best estimate; NULL: unknown
    narrative: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(200))
    source_reference: Mapped[str | None] = mapped_column(Text)
    source_published: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence: Mapped[list[Any]] = mapped_column(JSON)


class ReportActorRow(Base):
    """The actors a report names, as perpetrator or target, in the order given."""

    __tablename__ = "report_actors"
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)


class IdempotencyRow(Base):
    """The first answer to a request sent with an Idempotency-Key, kept for retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlaceNameRow(Base):
    """Place names learnt from imported records that gave them with precise coordinates."""

    __tablename__ = "place_names"
    __table_args__ = (UniqueConstraint("key", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))  # gazetteer.place_key(name)
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    precision: Mapped[int] = mapped_column(SmallInteger)  # WherePrecision the source gave
    adm1: Mapped[str | None] = mapped_column(String(4))
    adm2: Mapped[str | None] = mapped_column(String(6))
    adm3: Mapped[str | None] = mapped_column(String(8))
    source_name: Mapped[str] = mapped_column(String(200))


class IncidentRow(Base):
    """A real-world event as correlation found it; its id comes from its founding report.

    The summary columns (when, where, what) are derived from the member reports on every
    change, so lists and maps read one row per incident.
    """

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    founder_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    report_count: Mapped[int] = mapped_column(Integer)
    earliest: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    latest: Mapped[datetime] = mapped_column(UTCDateTime())
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    where_precision: Mapped[int] = mapped_column(SmallInteger)
    adm1: Mapped[str | None] = mapped_column(String(4), index=True)
    adm2: Mapped[str | None] = mapped_column(String(6))
    adm3: Mapped[str | None] = mapped_column(String(8))
    violation: Mapped[str] = mapped_column(String(32), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentReportRow(Base):
    """Which incident each report belongs to: exactly one."""

    __tablename__ = "incident_reports"
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)


class ReportLinkRow(Base):
    """Two reports the engine scored as one event (score), or an analyst joined (forced).

    Kept so that a new report re-clusters only its own component, as a batch run would.
    ``report_a`` is the smaller row id.
    """

    __tablename__ = "report_links"
    report_a: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                          primary_key=True)
    report_b: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    score: Mapped[float | None] = mapped_column(Float)
    forced: Mapped[bool] = mapped_column(Boolean)


class CorrelationDecisionRow(Base):
    """An analyst's split or merge, as made: the record behind forced links and apart
    pairs."""

    __tablename__ = "correlation_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "split" or "merge"
    incidents: Mapped[list[str]] = mapped_column(JSON)  # incident uids acted on
    reports: Mapped[list[str]] = mapped_column(JSON)  # report uids split off
    reason: Mapped[str] = mapped_column(Text)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportApartRow(Base):
    """Two reports an analyst said are different events. ``report_a`` is the smaller id."""

    __tablename__ = "report_apart"
    report_a: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                          primary_key=True)
    report_b: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("correlation_decisions.id"))


class AssessmentRow(Base):
    """An incident under one agreement: the finding of the rules (every rule and its
    reason), and where it stands with the guarantors. Incidents are rebuilt by correlation,
    so it refers to the incident by its stable id. ``version`` grows with every verdict:
    a verdict is written only against the version its officer saw, so two officers acting
    at once never lose an update."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("incident_uid", "agreement_id"),
                      # the verdict queue's order (store/verification.py: awaiting)
                      Index("ix_assessments_agreement_id", "agreement_id", "opened_at",
                            "incident_uid"))
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_uid: Mapped[str] = mapped_column(String(36))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    covered: Mapped[bool] = mapped_column(Boolean)
    terms: Mapped[str] = mapped_column(String(63))  # the agreement's or a zone's code
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # rule, passed, reason
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Put to the guarantors when first found covered; the response deadline runs from here.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # as of updated_at
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The version of the agreement's terms that judged it (0: as first agreed).
    terms_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class VerdictRow(Base):
    """Every verdict cast, in order: a party's later verdict replaces its earlier one in
    the standing, never in the history."""

    __tablename__ = "verdicts"
    __table_args__ = (UniqueConstraint("assessment_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the assessment's version it made
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    position: Mapped[str] = mapped_column(String(8))
    attributed_to_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    comment: Mapped[str] = mapped_column(Text)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OverviewRow(Base):
    """What the pages read of an incident under one agreement, in one row: the incident's
    summary, its assessment's status columns, the parties whose reports it holds, its
    deaths and its attribution.

    Derived, not part of the record: rebuilt for every incident a ledger entry touches
    (store/overview.py), so it cannot lag the record it mirrors. Kept in the order of its
    key, (agreement, earliest, uid), so a period is one range of the table and the list's
    pages read it backwards; on SQLite without a rowid, which makes that order the
    table's own.
    """

    __tablename__ = "incident_overview"
    __table_args__ = (
        # a period of one violation type: its rows only, not the whole period's
        Index("ix_incident_overview_violation", "agreement_id", "violation", "earliest"),
        # the list by deaths, and by deadline (the pending ones, by when they were opened)
        Index("ix_incident_overview_killed", "agreement_id", "killed", "earliest", "uid"),
        Index("ix_incident_overview_deadline", "agreement_id", "status", "opened_at",
              "earliest", "uid"),
        {"sqlite_with_rowid": False})
    agreement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    earliest: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    incident_id: Mapped[int] = mapped_column(Integer)
    latest: Mapped[datetime] = mapped_column(UTCDateTime())
    adm1: Mapped[str | None] = mapped_column(String(4))
    adm2: Mapped[str | None] = mapped_column(String(6))
    adm3: Mapped[str | None] = mapped_column(String(8))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    violation: Mapped[str] = mapped_column(String(32))
    report_count: Mapped[int] = mapped_column(Integer)
    assessment_id: Mapped[int] = mapped_column(Integer)
    covered: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer)
    # Bit p set: party id p reported it (ids below PARTY_BITS; see store/overview.py).
    parties: Mapped[int] = mapped_column(BigInteger)
    killed: Mapped[int] = mapped_column(Integer)  # the highest best estimate of its reports
    # The actor the guarantors' latest confirming verdicts name, when they name one; and
    # how many different actors they name (0: none, 2 or more: they differ).
    attributed_id: Mapped[int | None] = mapped_column(Integer)
    attributed_actors: Mapped[int] = mapped_column(Integer)


class OverviewDayRow(Base):
    """`incident_overview` counted by day and by what the dashboard groups and filters
    by (but the violation type: a dashboard of one type reads the overview), so a month is
    a few thousand rows to add, not a hundred thousand to sort.

    Status changes with the deadline, not only with writes: pending incidents keep the
    time they were put to the guarantors (`opened_at`) and whether any guarantor has
    answered, so the reader can apply the silence rule. Other rows keep the epoch there.
    """

    __tablename__ = "overview_days"
    __table_args__ = ({"sqlite_with_rowid": False},)
    agreement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    adm1: Mapped[str] = mapped_column(String(4), primary_key=True)  # "": unknown
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    parties: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    answered: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    incidents: Mapped[int] = mapped_column(Integer)


class OverviewCellRow(Base):
    """`incident_overview` counted over all time by sub-district, cell of the country
    map's grid (store/overview_cells.py: CELL degrees), status and reporting parties,
    with the coordinates summed: what the whole record's map and count read, a few
    thousand rows where the overview and its counts by day hold a row an incident.

    Status columns as in `overview_days`. Unknown areas are "", incidents without a
    position are in cell (-1, -1); coordinates are summed in ten-millionths of a degree,
    integers, so adding and taking away leaves the sums exactly as counted again.
    """

    __tablename__ = "overview_cells"
    __table_args__ = ({"sqlite_with_rowid": False},)
    agreement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    adm1: Mapped[str] = mapped_column(String(4), primary_key=True)
    adm2: Mapped[str] = mapped_column(String(6), primary_key=True)
    adm3: Mapped[str] = mapped_column(String(8), primary_key=True)
    cell_x: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_y: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    parties: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    answered: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    incidents: Mapped[int] = mapped_column(Integer)
    lon_e7: Mapped[int] = mapped_column(BigInteger)
    lat_e7: Mapped[int] = mapped_column(BigInteger)


class BulletinRow(Base):
    """A published bulletin, as issued: never changed; publishing its period again adds a
    correction. The document is the JSON the pages and downloads are rendered from."""

    __tablename__ = "bulletins"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    checkpoint_size: Mapped[int] = mapped_column(Integer)
    checkpoint_root: Mapped[str] = mapped_column(String(64))
    checkpoint_signer: Mapped[str] = mapped_column(String(32))
    checkpoint_signature: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))


class WebSessionRow(Base):
    """A web login. Like API tokens, only the session cookie's hash is kept."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"),
                                            index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LedgerEntryRow(Base):
    """One ledger entry, as signed. Hashes and the signature are hex; the payload is its
    canonical JSON text, so reading it back cannot change what was signed."""

    __tablename__ = "ledger_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    party: Mapped[str | None] = mapped_column(String(16))  # None: the mechanism itself
    account: Mapped[str | None] = mapped_column(String(63))
    action: Mapped[str] = mapped_column(String(63))
    payload: Mapped[str] = mapped_column(Text)
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signer: Mapped[str] = mapped_column(String(32))
    on_behalf: Mapped[bool] = mapped_column(Boolean)
    signature: Mapped[str] = mapped_column(String(128))


class LedgerWriteRow(Base):
    """A record an entry wrote, by kind and key, with the digest of its row as committed
    (None: deleted). The entry signs the digest of its whole list, so this table cannot be
    changed unseen either; replaying it gives what the database must hold."""

    __tablename__ = "ledger_writes"
    seq: Mapped[int] = mapped_column(ForeignKey("ledger_entries.seq"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    digest: Mapped[str | None] = mapped_column(String(64))


class LedgerKeyRow(Base):
    """Keys the ledger registered: the server's (party None; its private key sealed with
    the server passphrase) and each party's own (from `ceasefire party keygen`). A record
    like any other: the entry that registers, replaces or revokes a key writes its row, so
    a row added here is named by `ledger verify` and signs nothing (ledger/trust.py)."""

    __tablename__ = "ledger_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    party: Mapped[str | None] = mapped_column(String(16))
    public: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[str | None] = mapped_column(Text)  # not part of the record: a secret
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(8), server_default="current")  # rotated, revoked


class CheckpointRow(Base):
    """A signed tree head the server gave out: parties may hold it against the ledger."""

    __tablename__ = "ledger_checkpoints"
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    signer: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))
    trust: Mapped[str | None] = mapped_column(String(32))  # the ledger's root key id
    # The C2SP signed note (the server's signature of its text is `signature`); None in
    # checkpoints made before they were notes, which verify in their JSON form.
    note: Mapped[str | None] = mapped_column(Text)


class CosignatureRow(Base):
    """A witness's cosignature (c2sp.org/tlog-cosignature) of a checkpoint."""

    __tablename__ = "ledger_cosignatures"
    size: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.size"), primary_key=True)
    witness: Mapped[str] = mapped_column(String(200), primary_key=True)  # its key name
    vkey: Mapped[str] = mapped_column(String(300))  # its verifier key, when it cosigned
    line: Mapped[str] = mapped_column(Text)  # the signature line, checked when stored and read
    cosigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailureRow(Base):
    """A failed web login, for the login rate limit (web/ratelimit.py): every server
    process counts from here. Kept a day at most; access, not a record (integrity.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_hash", "username_hash", "failed_at"),
        Index("ix_login_failures_address", "address", "failed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the username typed, normalised as logins do: people sometimes type their
    # password there, and it is not kept (security.md).
    username_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))  # the client's, as the server saw it
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Set by the username-and-address pair's next success: the pair's back-off ends, but
    # the failure still counts against the username and the address.
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)
