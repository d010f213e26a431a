"""Parties to the mechanism, and the people who act for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ceasefire.domain.text import check_name
from ceasefire.errors import InvalidInput

PARTY_CODE_PATTERN = r"^[A-Z][A-Z0-9]{1,15}$"
_PARTY_CODE = re.compile(PARTY_CODE_PATTERN)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
ED25519_PUBLIC_KEY_BYTES = 32


class PartyKind(StrEnum):
    GUARANTOR = "guarantor"  # casts verdicts on incidents
    OBSERVER = "observer"  # submits and reads (e.g. a UN team)
    SECRETARIAT = "secretariat"  # runs the mechanism: agreements, accounts, bulletins


class Role(StrEnum):
    """What an account may do; which roles a party's members may hold follows its kind."""

    GUARANTOR = "guarantor"  # guarantor officer: submit reports, cast the party's verdict
    OBSERVER = "observer"  # monitor: submit reports and read
    SECRETARIAT = "secretariat"  # administrator
    ANALYST = "analyst"  # reads; splits and merges incidents

    @property
    def may_submit_reports(self) -> bool:
        return self is not Role.ANALYST

    @property
    def may_curate_incidents(self) -> bool:
        """Split or merge incidents: the record's keepers, not the parties' officers, whose
        word on an incident is their verdict."""
        return self in (Role.ANALYST, Role.SECRETARIAT)


ROLES_FOR_KIND: dict[PartyKind, frozenset[Role]] = {
    PartyKind.GUARANTOR: frozenset({Role.GUARANTOR, Role.OBSERVER, Role.ANALYST}),
    PartyKind.OBSERVER: frozenset({Role.OBSERVER, Role.ANALYST}),
    PartyKind.SECRETARIAT: frozenset({Role.SECRETARIAT, Role.ANALYST}),
}


def check_party_code(code: str, *, field: str = "party") -> str:
    if not _PARTY_CODE.match(code):
        raise InvalidInput(f"{code!r} is not a party code (upper-case, like RU or UN)",
                           field=field)
    return code


def is_username(text: str) -> bool:
    return _USERNAME.match(text) is not None


def check_username(username: str, *, field: str = "username") -> str:
    if not is_username(username):
        raise InvalidInput(
            f"{username!r} is not a valid username (2-63 of a-z, 0-9, '.', '_', '-')",
            field=field, id=username)
    return username


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    kind: PartyKind
    public_key: bytes | None = None  # Ed25519, for checking the party's signatures

    def __post_init__(self) -> None:
        check_party_code(self.code, field="code")
        check_name(self.name, field="name", id=self.code)
        if self.public_key is not None and len(self.public_key) != ED25519_PUBLIC_KEY_BYTES:
            raise InvalidInput(
                f"an Ed25519 public key has {ED25519_PUBLIC_KEY_BYTES} bytes, "
                f"not {len(self.public_key)}", field="public_key", id=self.code)

    def allows(self, role: Role) -> bool:
        return role in ROLES_FOR_KIND[self.kind]


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    party: str
    role: Role
    created_at: datetime
    active: bool = True

    def __post_init__(self) -> None:
        check_username(self.username)
        check_party_code(self.party)


def check_role(party: Party, role: Role) -> None:
    if not party.allows(role):
        allowed = ", ".join(sorted(ROLES_FOR_KIND[party.kind]))
        raise InvalidInput(
            f"a member of {party.code} ({party.kind}) cannot have role {role}; "
            f"allowed: {allowed}", field="role")
