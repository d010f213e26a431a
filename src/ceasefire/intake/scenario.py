"""Scenario files: the parties, actors, agreements and demo accounts of one setting.

A scenario is TOML (readable, diffable, with real date-times). It is parsed and checked
whole (schema, references between its parts, P-codes against the shipped boundaries)
before anything is stored, and every error names the file, field and id at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ceasefire.domain.actors import Actor, ActorName, ActorStatus
from ceasefire.domain.agreement import Agreement, AmendedBy, Area, Position, QuorumRule, Zone
from ceasefire.domain.amendment import Amendment, Change
from ceasefire.domain.parties import Party, PartyKind, Role, check_role, check_username
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import Period
from ceasefire.errors import CeasefireError, InvalidInput, NotFound
from ceasefire.geo.admin import AdminIndex, syria
from ceasefire.geo.shapes import polygon_problem
from ceasefire.intake.toml_lines import line_of
from ceasefire.intake.validation import invalid

BOUNDARIES = {"syria": syria}
_PACKAGED = "ceasefire.scenarios"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Alias(_Model):
    text: str
    lang: str


class _Actor(_Model):
    code: str
    name: str
    is_state: bool = False
    side: str | None = None
    aliases: list[_Alias] = []


class _Party(_Model):
    code: str
    name: str
    kind: PartyKind
    public_key: str | None = None  # hex


class _Area(_Model):
    pcodes: list[str] = []
    polygons: list[dict[str, Any]] = []


class _Zone(_Model):
    code: str
    name: str
    start: datetime
    end: datetime | None = None
    area: _Area
    prohibited: list[ViolationType] | None = None  # its own terms; None: the agreement's


class _NewZone(_Model):
    """A zone an amendment adds: it begins when the amendment takes effect."""

    code: str
    name: str
    area: _Area
    prohibited: list[ViolationType] | None = None


class _Amendment(_Model):
    change: Change
    effective: datetime
    reason: str
    zone: str | _NewZone | None = None
    acts: list[ViolationType] | None = None
    actor: str | None = None
    status: ActorStatus | None = None


class _Agreement(_Model):
    code: str
    title: str
    start: datetime
    end: datetime | None = None
    area: _Area
    prohibited: list[ViolationType]
    guarantors: list[str]
    signatories: list[str] = []
    excluded: list[str] = []
    quorum: QuorumRule = QuorumRule.UNANIMOUS
    # Whole hours, at most a year: what is stored is then exactly what was read.
    response_deadline_hours: Annotated[int, Field(gt=0, le=8760)] = 72
    silence: Position = Position.ABSTAIN  # what a missing verdict counts as after it
    zones: list[_Zone] = []
    # Changes to the terms agreed later, oldest first; loaded as signed amendments.
    amendments: list[_Amendment] = []
    amended_by: AmendedBy = AmendedBy.SECRETARIAT


class _Account(_Model):
    username: str
    party: str
    role: Role


class _Header(_Model):
    code: str
    title: str
    boundaries: Literal["syria"]


class _Witnessing(_Model):
    parties: list[str]
    quorum: Annotated[int, Field(gt=0)]


class _File(_Model):
    scenario: _Header
    witnessing: _Witnessing | None = None
    parties: list[_Party] = []
    actors: list[_Actor] = []
    agreements: list[_Agreement] = []
    accounts: list[_Account] = []


@dataclass(frozen=True)
class DemoAccount:
    username: str
    party: str
    role: Role


@dataclass(frozen=True)
class Scenario:
    code: str
    title: str
    parties: tuple[Party, ...]
    actors: tuple[Actor, ...]
    agreements: tuple[Agreement, ...]  # as first agreed
    accounts: tuple[DemoAccount, ...]
    amendments: tuple[Amendment, ...] = ()  # in the order the file lists them
    # The guarantors whose witnesses cosign the ledger, and how many make a checkpoint
    # witnessed (empty: the scenario names none).
    witnesses: tuple[str, ...] = ()
    witness_quorum: int = 0


def available() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files(_PACKAGED)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def locate(name_or_path: str) -> tuple[str, str]:
    """(label, text) of a shipped scenario by name, or of a scenario file by path."""
    if name_or_path in available():
        file = resources.files(_PACKAGED).joinpath(f"{name_or_path}.toml")
        return f"{name_or_path}.toml", file.read_text(encoding="utf-8")
    path = Path(name_or_path)
    if not path.is_file():
        raise NotFound(f"no scenario {name_or_path!r}: not a shipped scenario "
                       f"({', '.join(available())}) nor a file")
    try:
        return str(path), path.read_text(encoding="utf-8-sig")  # tolerate a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the file: {exc}", source=str(path)) from exc


def parse(text: str, *, source: str) -> Scenario:
    """Parse and check a whole scenario; raises InvalidInput naming the first fault."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise InvalidInput(f"not valid TOML: {exc.msg} (column {exc.colno})", source=source,
                           line=exc.lineno) from exc
    try:
        model = _File.model_validate(data)
    except ValidationError as exc:
        error = invalid(exc, source=source)
        error.line = line_of(text, error.field)
        raise error from exc
    try:
        return _build(model, boundaries=BOUNDARIES[model.scenario.boundaries]())
    except CeasefireError as exc:
        exc.source = source
        exc.line = exc.line or line_of(text, exc.field)
        raise


def _unique(items: list[Any], key: str, field: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise InvalidInput(f"{key} {value!r} is given twice", field=f"{field}[{i}].{key}",
                               id=value)
        seen.add(value)


def _at(field: str, build: Any, *args: Any, at_id: str | None = None, **kwargs: Any) -> Any:
    """Build a domain object, prefixing the field of any error with where it came from
    (and naming the record, ``at_id``, when the error does not)."""
    try:
        return build(*args, **kwargs)
    except InvalidInput as exc:
        exc.field = f"{field}.{exc.field}" if exc.field else field
        exc.id = exc.id or at_id
        raise


def _area(model: _Area, field: str, boundaries: AdminIndex) -> Area:
    for i, code in enumerate(model.pcodes):
        if code not in boundaries:
            raise InvalidInput(f"unknown P-code {code!r}", field=f"{field}.pcodes[{i}]", id=code)
    for i, geometry in enumerate(model.polygons):
        problem = polygon_problem(geometry)
        if problem:
            raise InvalidInput(problem, field=f"{field}.polygons[{i}]")
    return _at(field, Area, frozenset(model.pcodes), tuple(model.polygons))


def _build(model: _File, *, boundaries: AdminIndex) -> Scenario:
    _unique(model.parties, "code", "parties")
    _unique(model.actors, "code", "actors")
    _unique(model.agreements, "code", "agreements")
    _unique(model.accounts, "username", "accounts")
    parties = tuple(
        _at(f"parties[{i}]", Party, p.code, p.name, p.kind,
            _hex_key(p.public_key, f"parties[{i}].public_key"))
        for i, p in enumerate(model.parties))
    actors = tuple(
        _at(f"actors[{i}]", Actor, a.code, a.name,
            tuple(_at(f"actors[{i}].aliases[{j}]", ActorName, n.text, n.lang)
                  for j, n in enumerate(a.aliases)), a.is_state, a.side)
        for i, a in enumerate(model.actors))
    party_codes = {p.code: p for p in parties}
    actor_codes = {a.code for a in actors}
    agreements = tuple(_agreement(a, f"agreements[{i}]", party_codes, actor_codes, boundaries)
                       for i, a in enumerate(model.agreements))
    amendments = tuple(
        amendment for i, (a, agreed) in enumerate(zip(model.agreements, agreements, strict=True))
        for amendment in _amendments(a, agreed, f"agreements[{i}]", actor_codes, boundaries))
    accounts = []
    for i, acc in enumerate(model.accounts):
        field = f"accounts[{i}]"
        _at(field, check_username, acc.username)
        if acc.party not in party_codes:
            raise InvalidInput(f"unknown party {acc.party!r}", field=f"{field}.party",
                               id=acc.username)
        _at(field, check_role, party_codes[acc.party], acc.role, at_id=acc.username)
        accounts.append(DemoAccount(acc.username, acc.party, acc.role))
    witnesses: tuple[str, ...] = ()
    quorum = 0
    if model.witnessing is not None:
        witnesses, quorum = tuple(model.witnessing.parties), model.witnessing.quorum
        for i, code in enumerate(witnesses):
            if code in witnesses[:i]:
                raise InvalidInput(f"{code!r} is named twice", field=f"witnessing.parties[{i}]",
                                   id=code)
            if code not in party_codes:
                raise InvalidInput(f"unknown party {code!r}", field="witnessing.parties",
                                   id=code)
        if quorum > len(witnesses):
            raise InvalidInput(f"a quorum of {quorum} out of {len(witnesses)} witnesses",
                               field="witnessing.quorum")
    return Scenario(model.scenario.code, model.scenario.title, parties, actors, agreements,
                    tuple(accounts), amendments, witnesses, quorum)


def _amendments(model: _Agreement, agreed: Agreement, field: str, actors: set[str],
                boundaries: AdminIndex) -> list[Amendment]:
    """The agreement's amendments, each checked against the terms the ones before it
    leave, so a file that contradicts itself is refused before anything is stored."""
    found, terms = [], agreed
    for i, m in enumerate(model.amendments):
        at = f"{field}.amendments[{i}]"
        if m.actor is not None and m.actor not in actors:
            raise InvalidInput(f"unknown actor {m.actor!r}", field=f"{at}.actor", id=m.actor)
        zone: Zone | str | None = m.zone if not isinstance(m.zone, _NewZone) else _at(
            f"{at}.zone", Zone, m.zone.code, m.zone.name, Period(m.effective),
            _area(m.zone.area, f"{at}.zone.area", boundaries),
            None if m.zone.prohibited is None else frozenset(m.zone.prohibited))
        amendment = _at(at, Amendment, agreed.code, m.change, m.effective, m.reason,
                        zone=zone, acts=None if m.acts is None else frozenset(m.acts),
                        actor=m.actor, status=m.status)
        terms = _at(at, amendment.apply, terms)
        found.append(amendment)
    return found


def _hex_key(value: str | None, field: str) -> bytes | None:
    if value is None:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidInput("public_key must be hexadecimal", field=field) from None


def _agreement(model: _Agreement, field: str, parties: dict[str, Party],
               actors: set[str], boundaries: AdminIndex) -> Agreement:
    for i, code in enumerate(model.guarantors):
        if code not in parties:
            raise InvalidInput(f"unknown party {code!r}", field=f"{field}.guarantors[{i}]",
                               id=code)
        if parties[code].kind is not PartyKind.GUARANTOR:
            raise InvalidInput(f"party {code!r} is a {parties[code].kind}, not a guarantor",
                               field=f"{field}.guarantors[{i}]", id=code)
    status: dict[str, ActorStatus] = {}
    for key, kind in (("signatories", ActorStatus.SIGNATORY),
                      ("excluded", ActorStatus.EXCLUDED)):
        for i, code in enumerate(getattr(model, key)):
            if code not in actors:
                raise InvalidInput(f"unknown actor {code!r}", field=f"{field}.{key}[{i}]",
                                   id=code)
            if code in status:
                raise InvalidInput(f"actor {code!r} is listed twice", field=f"{field}.{key}[{i}]",
                                   id=code)
            status[code] = kind
    zones = tuple(
        _at(f"{field}.zones[{i}]", Zone, z.code, z.name,
            _at(f"{field}.zones[{i}]", Period, z.start, z.end),
            _area(z.area, f"{field}.zones[{i}].area", boundaries),
            None if z.prohibited is None else frozenset(z.prohibited))
        for i, z in enumerate(model.zones))
    return _at(field, Agreement,
               code=model.code, title=model.title,
               period=_at(field, Period, model.start, model.end),
               area=_area(model.area, f"{field}.area", boundaries),
               prohibited=frozenset(model.prohibited), guarantors=tuple(model.guarantors),
               actor_status=status, quorum=model.quorum,
               response_deadline=timedelta(hours=model.response_deadline_hours), zones=zones,
               silence=model.silence, amended_by=model.amended_by)
