"""A report: one account of a possible violation, as one source gave it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ceasefire.domain.casualties import Casualties
from ceasefire.domain.place import AdminCodes, Place, WherePrecision
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.text import check_name, is_unicode
from ceasefire.domain.when import When, check_moment, utc
from ceasefire.errors import InvalidInput

NARRATIVE_MAX = 20_000
KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Source:
    name: str  # e.g. "SOHR", "TR field team", "UCDP GED"
    # The record's stable id in its source dataset ("ucdp-ged:235528"): importing the
    # same record again finds it by this key and adds nothing.
    key: str | None = None
    reference: str | None = None  # article, URL, message id
    published: datetime | None = None

    def __post_init__(self) -> None:
        check_name(self.name, field="source.name")
        if self.key is not None:
            check_name(self.key, field="source.key", max_length=KEY_MAX)
        if self.reference is not None:
            check_name(self.reference, field="source.reference", max_length=2000)
        if self.published is not None:
            object.__setattr__(self, "published", check_moment(
                utc(self.published, field="source.published"), field="source.published"))


@dataclass(frozen=True, slots=True)
class Evidence:
    description: str
    sha256: str | None = None  # fingerprint of the file, when one was given
    uri: str | None = None


def admin_for_precision(admin: AdminCodes, precision: WherePrecision) -> AdminCodes:
    """The admin codes a place of this precision can honestly claim.

    A point given "somewhere in the district" lies in some sub-district, but claiming that
    sub-district would invent knowledge; so coarse places keep only the coarse codes.
    """
    if precision <= WherePrecision.NEAR:
        return admin
    if precision is WherePrecision.DISTRICT:
        return AdminCodes(admin.adm1, admin.adm2)
    if precision <= WherePrecision.REGION:
        return AdminCodes(admin.adm1)
    return AdminCodes()


@dataclass(frozen=True, slots=True)
class Report:
    """One account of a possible violation, as one source gave it."""

    id: str
    submitted_by: str  # party code
    received_at: datetime
    when: When
    place: Place
    violation: ViolationType
    source: Source
    perpetrators: tuple[str, ...] = ()  # actor codes
    perpetrator_text: str | None = None  # the name(s) as the source wrote them
    targets: tuple[str, ...] = ()
    target_text: str | None = None
    civilians_targeted: bool = False
    casualties: Casualties = Casualties()
    narrative: str = ""
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_at", check_moment(
            utc(self.received_at, field="received_at"), field="received_at"))
        if len(self.narrative) > NARRATIVE_MAX:
            raise InvalidInput(f"is {len(self.narrative)} characters long; at most "
                               f"{NARRATIVE_MAX}", field="narrative", id=self.id)
        for field in ("narrative", "perpetrator_text", "target_text"):
            text = getattr(self, field)
            if text is not None and not is_unicode(text):
                raise InvalidInput("is not valid Unicode (a lone surrogate)", field=field,
                                   id=self.id)
        for field, codes in (("perpetrators", self.perpetrators), ("targets", self.targets)):
            if len(set(codes)) != len(codes):
                raise InvalidInput("names an actor twice", field=field, id=self.id)

    def content(self) -> dict[str, Any]:
        """What the report says, without who filed it or when it arrived: two reports with
        equal content are one record, whoever imported it."""
        place, cas, src = self.place, self.casualties, self.source
        content: dict[str, Any] = {
            "source": [src.name, src.key, src.reference,
                       src.published.isoformat() if src.published else None],
            "when": [self.when.earliest.isoformat(), self.when.latest.isoformat(),
                     self.when.precision.value],
            "place": [place.point.lon if place.point else None,
                      place.point.lat if place.point else None, int(place.precision),
                      place.name, *place.admin.codes()],
            "violation": self.violation.value,
            "perpetrators": [list(self.perpetrators), self.perpetrator_text],
            "targets": [list(self.targets), self.target_text, self.civilians_targeted],
            "casualties": [cas.low, cas.best, cas.high, cas.civilian, cas.combatant,
                           cas.unknown],
            "narrative": self.narrative,
            "evidence": [[e.description, e.sha256, e.uri] for e in self.evidence],
        }
        # Only when given: the content of a report without the figure digests as it did
        # before the record counted injuries, so importing it again finds it unchanged.
        if cas.injured is not None:
            content["injured"] = cas.injured
        return content

