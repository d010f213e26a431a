"""SQLAlchemy tables. Only store/ knows about them; repositories map rows to domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

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
    guarantors: Mapped[list[AgreementGuarantorRow]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementGuarantorRow.position")
    actors: Mapped[list[AgreementActorRow]] = relationship(cascade="all, delete-orphan")
    zones: Mapped[list[ZoneRow]] = relationship(cascade="all, delete-orphan",
                                                order_by="ZoneRow.id")


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


class AccountRow(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(63), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
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
