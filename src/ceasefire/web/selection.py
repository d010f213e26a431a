"""The selection form the dashboard, the incident list and the map share: query
parameters in, a `Selection` out, and the same form's fields back to the template.

Days are ISO dates; `to` is the last day shown (inclusive), as a reader says it, and
becomes the first day not included; `q` is text to search for (services.overview.Search).
The incident list alone also takes `sort`, its order. Unknown or malformed values are
refused by name, so a mistyped link says what is wrong instead of showing everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from ceasefire.domain.bulletin import STATUSES
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import check_day
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import syria
from ceasefire.services.overview import Selection, agreement_of, choosable, search

_PCODE = re.compile(r"^[A-Z]{2}(\d\d){1,3}$")


def _day(params: QueryParams, name: str) -> date | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=name, id=text) from None
    return check_day(day, field=name)


def _text(params: QueryParams, name: str) -> str | None:
    return params.get(name, "").strip() or None


def selection_from(params: QueryParams, *, statuses: tuple[str, ...] | None = None,
                   ) -> Selection:
    """The reader's selection; `statuses` fixes the statuses (the public pages)."""
    adm = _text(params, "adm")
    if adm is not None and not _PCODE.match(adm):
        raise InvalidInput(f"{adm!r} is not a P-code (e.g. SY02 or SY0200)", field="adm",
                           id=adm)
    last = _day(params, "to")
    chosen = tuple(s for s in params.getlist("status") if s)
    if statuses is not None and _text(params, "party"):
        # The public sees what the guarantors found, not who reported it (security.md).
        raise InvalidInput("the public pages do not say which party reported an incident",
                           field="party")
    q = " ".join(params.get("q", "").split()) or None
    if statuses is not None and search(q).words:
        # Nor what the reports say: a search of their words would tell it.
        raise InvalidInput(f"{q!r} names no governorate, district or sub-district; the "
                           "public pages search by place only", field="q", id=q)
    return Selection(agreement=_text(params, "agreement"), since=_day(params, "from"),
                     until=last + timedelta(days=1) if last else None, adm=adm,
                     violation=_text(params, "violation"), party=_text(params, "party"),
                     statuses=chosen if statuses is None else statuses,
                     q=q)


def order_from(params: QueryParams, offered: tuple[str, ...]) -> str:
    """The list's order (`sort`), one of those `offered`; newest event first if none."""
    order = params.get("sort", "").strip() or "newest"
    if order not in offered:
        raise InvalidInput(f"{order!r} is not an order of this list; one of "
                           f"{', '.join(offered)}", field="sort", id=order)
    return order


@dataclass(frozen=True)
class Choices:
    """What the selection form offers, and what is chosen, for the template."""

    agreements: list[str]
    agreement: str
    governorates: list[tuple[str, str, str | None]]  # P-code, English name, Arabic name
    violations: list[str]
    parties: list[tuple[str, str]]
    statuses: list[str]
    chosen: Selection
    to: date | None  # the last day shown
    orders: tuple[str, ...] = ()  # the list's orders (none: a page without one)
    order: str = "newest"

    def query(self, **changes: object) -> str:
        """This selection as a query string, with some fields changed (None: dropped)."""
        s = self.chosen
        values: dict[str, object] = {
            "agreement": s.agreement, "from": s.since, "to": self.to, "adm": s.adm,
            "violation": s.violation, "party": s.party, "status": list(s.statuses),
            "q": s.q, "sort": self.order if self.order != "newest" else None}
        values.update(changes)
        # Every field given, the form's and any other (the page's cursor), encoded.
        pairs = [(name, str(v)) for name, value in values.items()
                 for v in (value if isinstance(value, list) else [value])
                 if v is not None and v != ""]
        return urlencode(pairs)


def choices(session: Session, selection: Selection, *, orders: tuple[str, ...] = (),
            order: str = "newest") -> Choices:
    agreements, parties = choosable(session)
    areas = syria()
    governorates = [(a.pcode, a.name, a.name_ar) for a in areas.level(1)]
    return Choices(
        agreements=agreements,
        agreement=agreement_of(session, selection.agreement).code,
        governorates=sorted(governorates, key=lambda g: g[1]),
        violations=[v.value for v in ViolationType],
        parties=parties,
        statuses=[s.value for s in STATUSES], chosen=selection,
        to=selection.until - timedelta(days=1) if selection.until else None,
        orders=orders, order=order)
