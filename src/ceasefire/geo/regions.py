"""Which governorate a region's name names: "Western Deir ez Zor", "Northern Hama
countryside", "ريف حلب الشرقي", "Rif Dimashq". A source that knows only such a region
often gives a point for it that lies in the next governorate; the name is what it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ceasefire.domain.actors import normalise_name
from ceasefire.geo.admin import AdminArea, AdminIndex
from ceasefire.geo.names import GOVERNORATE, is_arabic, parse_query, place_key, romanise

_SKELETON_MIN = 3  # consonants: shorter ones match too much (Hama is "hm")
_RIF = frozenset({"rif", "reef"})


@dataclass(frozen=True, slots=True)
class NamedGovernorate:
    area: AdminArea
    in_part: bool  # a part of it ("northern", "countryside"), not the whole


def governorate_named(index: AdminIndex, text: str) -> NamedGovernorate | None:
    """The governorate ``text`` names, whole ("Hamah Governorate", "Rif Dimashq") or in
    part ("Western Deir ez Zor", "جنوب إدلب"); None when it names none ("Northern Syria",
    "Eastern Qalamoun") or names a town or district ("Idlib city", "Idlib district")."""
    names = _names(index)
    whole = names.get(place_key(text)) or names.get(_skeleton(text))
    if whole is not None:
        return NamedGovernorate(whole, False)
    query = parse_query(text)
    if query.kinds not in (None, frozenset({GOVERNORATE})):
        return None
    # ريف as English writes it, which the gazetteer leaves to its aliases ("Rif Dimashq").
    first, _, rest = query.name.partition(" ")
    rif = first in _RIF and bool(rest)
    name = rest if rif else query.name
    found = names.get(place_key(name)) or names.get(_skeleton(name))
    if found is None:
        return None
    # The countryside of Damascus is a governorate of its own, Rural Damascus.
    rural = _rural(index).get(found.pcode) if query.rural or rif else None
    if rural is not None:
        return NamedGovernorate(rural, query.part)
    return NamedGovernorate(found, query.area or rif)


def _skeleton(text: str) -> str:
    """The consonants of a Latin name's key: Dimashq and دمشق read in Latin letters meet
    on "dmshk" (Arabic does not write the short vowels); empty for Arabic or short ones."""
    loose = place_key(text).replace("a", "")
    return loose if not is_arabic(text) and len(loose) >= _SKELETON_MIN else ""


@cache
def _names(index: AdminIndex) -> dict[str, AdminArea]:
    """Each governorate by the keys of its names, and by the consonants of its English
    name and of its Arabic one read in Latin letters."""
    found: dict[str, AdminArea] = {}
    for area in index.level(1):
        keys = {place_key(area.name), place_key(area.name_ar), _skeleton(area.name),
                _skeleton(romanise(area.name_ar))}
        found.update((k, area) for k in keys if k)
    return found


@cache
def _rural(index: AdminIndex) -> dict[str, AdminArea]:
    """The governorates that are another's countryside ("ريف دمشق"), by that other."""
    by_name = {normalise_name(a.name_ar): a for a in index.level(1)}
    return {a.pcode: by_name[rural] for a in index.level(1)
            if (rural := normalise_name(f"ريف {a.name_ar}")) in by_name}
