"""UCDP GED rows known only to a governorate or a region (where_prec 4, 5) are filed by the
governorate their text names: where_coordinates ("Western Deir ez Zor Governorate"), else
adm_1. Their point is UCDP's stand-in for the area and sometimes lies in the next
governorate (that row's point is in Homs). A part of a governorate is region-level.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ceasefire.domain.place import WherePrecision
from ceasefire.geo.admin import syria
from ceasefire.geo.regions import governorate_named


def named_governorate(where_prec: str, where: str, adm_1: str) -> dict[str, Any]:
    """What the row's place takes from the governorate it names: the P-code (``adm1``),
    and for a part of it region-level precision; nothing for a finer place, or for a
    text that names no governorate ("Northern Syria", "Road 42 between Ithriya and Ar
    Raqqah"). A where_prec that is no number is the reader's to refuse."""
    if where_prec.strip() not in ("4", "5"):
        return {}
    named = _named(where, adm_1)
    if named is None:
        return {}
    pcode, in_part = named
    return {"adm1": pcode, "precision": int(WherePrecision.REGION)} if in_part \
        else {"adm1": pcode}


@lru_cache(maxsize=1024)  # a release repeats a few hundred region names
def _named(where: str, adm_1: str) -> tuple[str, bool] | None:
    for text in (where, adm_1):
        named = governorate_named(syria(), text) if text else None
        if named is not None:
            return named.area.pcode, named.in_part
    return None
