"""A gazetteer of Syrian places: a name as a report writes it in, a point and P-codes out.

Built from three offline sources shipped in ``data/syria`` (see SOURCE.md): the OCHA admin
areas, the OCHA admin capitals, and the GeoNames populated places. A GeoNames place that
is an admin capital is merged into it (OCHA point and codes, GeoNames names and
population), and an admin area takes the names of the town at its seat, so "Dayr az Zawr
Governorate" finds Deir-ez-Zor although OCHA spells it one way only. The villages,
neighbourhoods, regions and landmarks of ``geo.named_places`` come last: one that is a
town already only lends it its names.

A name is found three ways, and a reader is told which: "exact" (one of the place's names,
case and accents aside), "variant" (the same transliteration key: Deir Ezzor) and "fuzzy"
(the same consonants, a key a letter or two away, or Arabic that no place is known by
read in Latin letters: سقبا for Saqba), each with how many letters the text is from the
nearest name. An exact name hides the variants, save a more populous place elsewhere that
bears the same Arabic name: which Latin spellings a source lists does not tell namesakes
apart, so that place comes first, as a variant, and the officer chooses (Qabasin).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from ceasefire.domain.actors import normalise_name
from ceasefire.domain.place import AdminCodes, Point, WherePrecision, admin_level
from ceasefire.domain.text import check_name
from ceasefire.errors import InvalidInput
from ceasefire.geo import admin
from ceasefire.geo.named_places import NamedPlace, curated_places, ucdp_places
from ceasefire.geo.names import (
    DISTRICT,
    GOVERNORATE,
    IMPORTED,
    LANDMARK,
    LOCALITY,
    NEIGHBOURHOOD,
    REGION,
    SUB_DISTRICT,
    TOWN,
    Query,
    is_arabic,
    parse_query,
    place_key,
    romanise,
)
from ceasefire.geo.spelling import letters_apart, nearest_spelling

__all__ = ["PRECISION", "SAME_PLACE_DEG", "Gazetteer", "GazetteerEntry", "Match", "place_key",
           "syria_gazetteer"]

PRECISION = {TOWN: WherePrecision.EXACT, SUB_DISTRICT: WherePrecision.NEAR,
             DISTRICT: WherePrecision.DISTRICT, GOVERNORATE: WherePrecision.GOVERNORATE}
_LEVEL_KIND = {1: GOVERNORATE, 2: DISTRICT, 3: SUB_DISTRICT}
# Best first: a bare name means the town (ACLED's habit), "X countryside" the area. Areas
# go coarse to fine: OCHA names each capital's district and sub-district after the
# governorate ("Rural Damascus", "Idleb"), and the bare name means the larger one.
_TOWN_FIRST = {TOWN: 0, GOVERNORATE: 1, DISTRICT: 2, SUB_DISTRICT: 3, LOCALITY: 4,
               NEIGHBOURHOOD: 5, REGION: 6, LANDMARK: 7, IMPORTED: 8}
_AREA_FIRST = {GOVERNORATE: 0, DISTRICT: 1, SUB_DISTRICT: 2, REGION: 3, TOWN: 4, LOCALITY: 5,
               NEIGHBOURHOOD: 6, LANDMARK: 7, IMPORTED: 8}
SAME_PLACE_DEG = 0.05  # about 5 km: a town of the same name this close is the same place
_DATA = "ceasefire.geo.data.syria"
_LOOSE_MIN = 3  # consonant skeletons shorter than this match too much to be used
_EDIT_MIN = 5  # keys shorter than this are a letter away from too many others
REGION_SAME_DEG = 0.2  # a region named twice this close is the same region
# Names reports use that OCHA does not give.
_ALIASES = {"SY03": ("Rif Dimashq", "Reef Damascus", "Damascus countryside", "Rif Damascus")}


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    name: str
    point: Point
    admin: AdminCodes
    kind: str  # governorate, district, sub-district, town, locality, neighbourhood,
    # region, landmark, imported
    precision: WherePrecision  # what a report placed by this name alone knows
    population: int | None = None
    names: tuple[str, ...] = ()  # every known name, Arabic too; ``name`` counts as one

    def __post_init__(self) -> None:
        check_name(self.name, field="name")
        if self.kind not in _TOWN_FIRST:
            raise InvalidInput(f"{self.kind!r} is not one of {sorted(_TOWN_FIRST)}",
                               field="kind", id=self.name)


@dataclass(frozen=True, slots=True)
class Match:
    entry: GazetteerEntry
    how: str  # "exact" (a name) | "variant" (its transliteration key) | "fuzzy"
    spelled: str = ""  # the entry's name nearest the text
    letters: int = 0  # how many letters the text is from it

    @property
    def taken_as_typed(self) -> bool:
        """Whether the text names this place outright, so no reader need confirm it."""
        return self.how == "exact"


class Gazetteer:
    """Place names indexed three ways: normalised, by ``place_key``, and by its consonants
    (used only when the first two find nothing: Kafar Batna for Kafr Batna)."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self._entries: list[GazetteerEntry] = []
        self._index: tuple[dict[str, list[int]], ...] = ({}, {}, {})
        # The consonants of the Latin names however short, for Arabic read in Latin letters.
        self._consonants: dict[str, list[int]] = {}
        self._add(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[GazetteerEntry]:
        return iter(self._entries)

    def _add(self, entries: Iterable[GazetteerEntry]) -> None:
        for entry in entries:
            number = len(self._entries)
            self._entries.append(entry)
            for name in {entry.name, *entry.names}:
                keys = _keys(name)
                for index, key in zip(self._index, keys, strict=True):
                    if key and number not in index.setdefault(key, []):
                        index[key].append(number)
                consonants = keys[1].replace("a", "")
                if consonants.isascii() and consonants and number not in (
                        near := self._consonants.setdefault(consonants, [])):
                    near.append(number)

    def with_entries(self, extra: Iterable[GazetteerEntry]) -> Gazetteer:
        """A new gazetteer with ``extra`` added (e.g. places named in imported records);
        they rank below official entries found the same way."""
        new = Gazetteer(())
        new._entries = list(self._entries)
        new._index = tuple({k: list(v) for k, v in index.items()} for index in self._index)
        new._consonants = {k: list(v) for k, v in self._consonants.items()}
        new._add(extra)
        return new

    def search(self, text: str, *, limit: int = 10, edits: bool = True) -> list[Match]:
        """The entries ``text`` may name, best first: its exact names if any, else its
        variants, else the fuzzy ones; with ``edits``, also Arabic read in Latin letters
        and keys a letter or two away."""
        full = normalise_name(text)
        if not full:
            return []
        # The whole text first: "Rural Damascus" is a name, not Damascus in part.
        found = self._lookup(Query(full), edits=False)
        if not any(m.how == "exact" for m in found):
            query = parse_query(text)
            if query.name and query.name != full:
                found = self._lookup(query, edits=False) or found
        roman = False
        if not found and edits:
            query = parse_query(text)
            found = self._romanised(Query(full)) or self._romanised(query)
            roman = bool(found)  # ordered already
            found = found or self._lookup(query, edits=True)
        if edits and found and found[0].how == "fuzzy" and not roman:
            # Keys alike may be spelled far apart: only near spellings, nearest first.
            most = max(3, len(parse_query(text).name) // 3)
            found = sorted((m for m in found if m.letters <= most), key=lambda m: m.letters)
        return found[:limit]

    def resolve(self, text: str) -> GazetteerEntry | None:
        """The entry ``text`` most likely names, exact, variant or same consonants (what
        the API and imports take); None if it names none."""
        found = self.search(text, limit=1, edits=False)
        return found[0].entry if found else None

    def _lookup(self, query: Query, *, edits: bool) -> list[Match]:
        found: dict[int, int] = {}  # entry number -> tier: exact 0, key 1, consonants 2
        for tier, (index, key) in enumerate(zip(self._index, _keys(query.name), strict=True)):
            if found:  # an exact name hides the variants, a variant the fuzzy ones
                break
            for number in index.get(key, ()) if key else ():
                kind = self._entries[number].kind
                if number not in found and (query.kinds is None or kind in query.kinds):
                    found[number] = tier
        if not found and edits:
            found = dict.fromkeys(self._near_keys(query), 3)
        namesakes = self._arabic_namesakes(found, query)
        return self._ranked(namesakes, query, query.name) + self._ranked(found, query,
                                                                          query.name)

    def _arabic_namesakes(self, found: dict[int, int], query: Query) -> dict[int, int]:
        """The places a Latin name finds by key only that outrank its exact places: those
        bearing the Arabic name of one of them, lying apart, more populous. A Latin
        spelling is one of many for one Arabic name, and which of them a source lists
        does not tell its namesakes apart: GeoNames spells قباسين near al-Bab Kabbasin
        and a village of that name near al-Khafsa Qabasin. Found as variants, they ask
        the officer to choose; a more populous exact place keeps its place first."""
        exact = [n for n, tier in found.items() if tier == 0]
        if not exact or is_arabic(query.name):
            return {}
        arabic = {n: {normalise_name(a) for a in self._entries[n].names if is_arabic(a)}
                  for n in exact}
        namesakes: dict[int, int] = {}
        for number in self._index[1].get(_keys(query.name)[1], ()):
            entry = self._entries[number]
            if number in found or (query.kinds is not None and entry.kind not in query.kinds):
                continue
            names = {normalise_name(a) for a in entry.names if is_arabic(a)}
            twins = [n for n in exact if arabic[n] & names]
            if twins and all(
                    _distance_deg(entry.point, self._entries[n].point) > SAME_PLACE_DEG
                    and (entry.population or 0) > (self._entries[n].population or 0)
                    for n in twins):
                namesakes[number] = 1
        return namesakes

    def _romanised(self, query: Query) -> list[Match]:
        """Arabic that no place is known by, read in Latin letters (``romanise``) and
        matched with the Latin names by key, else by consonants: سقبا is Saqba. Always
        fuzzy: Arabic does not write the short vowels, so the reading is a guess."""
        typed = romanise(query.name)
        if typed == query.name:
            return []
        key = _keys(typed)[1]
        found: dict[int, int] = {}
        for index, k in ((self._index[1], key), (self._consonants, key.replace("a", ""))):
            if k and not found:
                found = {n: 2 for n in index.get(k, ()) if query.kinds is None
                         or self._entries[n].kind in query.kinds}
        # A place known by another Arabic name last (Hadher is الحاضر: حضر is more likely
        # the Hadar known only in Latin), then the nearest spellings first.
        return sorted(self._ranked(found, query, typed),
                      key=lambda m: (any(map(is_arabic, m.entry.names)), m.letters))

    def _ranked(self, found: dict[int, int], query: Query, typed: str) -> list[Match]:
        """The entries found, best first, each with the spelling nearest ``typed``."""
        order = _AREA_FIRST if query.area else _TOWN_FIRST

        def rank(number: int) -> tuple[int, bool, int, int, int]:
            entry = self._entries[number]
            return (found[number], entry.kind == IMPORTED, order[entry.kind],
                    -(entry.population or 0), number)

        matches = []
        for number in sorted(found, key=rank):
            entry = self._entries[number]
            if query.near and entry.precision < WherePrecision.NEAR:
                entry = dataclasses.replace(entry, precision=WherePrecision.NEAR)
            how = ("exact", "variant", "fuzzy", "fuzzy")[found[number]]
            spelled, letters = nearest_spelling(typed, (entry.name, *entry.names))
            matches.append(Match(entry, how, spelled, letters))
        return matches

    def _near_keys(self, query: Query) -> list[int]:
        """Entries with a key one letter (two, for long keys) from the text's."""
        key = _keys(query.name)[1]
        if len(key) < _EDIT_MIN:
            return []
        cap = 1 if len(key) < 8 else 2
        numbers: list[int] = []
        for other, entries in self._index[1].items():
            if abs(len(other) - len(key)) <= cap and letters_apart(key, other, cap=cap) <= cap:
                numbers += [n for n in entries if n not in numbers and (
                    query.kinds is None or self._entries[n].kind in query.kinds)]
        return numbers


@lru_cache(maxsize=1 << 16)  # towns lend their names to areas: each is keyed once
def _keys(name: str) -> tuple[str, str, str]:
    key = place_key(name)
    loose = key.replace("a", "")  # the consonants: place_key writes every vowel as "a"
    return normalise_name(name), key, loose if len(loose) >= _LOOSE_MIN else ""


@cache
def syria_gazetteer() -> Gazetteer:
    """The gazetteer of Syria built from the package's data (once per process)."""
    return Gazetteer(_syria_entries())


def _syria_entries() -> list[GazetteerEntry]:
    """Towns (capitals merged with GeoNames, then the other GeoNames places inside Syria)
    and the admin areas, each at its seat."""
    index = admin.syria()
    capitals = _read_capitals()
    places = _read_geonames()
    codes = index.locate_many([c.point for c, _ in capitals] + [p.point for p in places],
                              snap_deg=admin.COAST_SNAP_DEG)
    # Places outside every area, even snapped to the coast, are not in Syria: dropped.
    places = [dataclasses.replace(p, admin=c)
              for p, c in zip(places, codes[len(capitals):], strict=True) if c is not None]
    by_key: dict[str, list[GazetteerEntry]] = {}  # by key and by consonants
    for place in places:
        for key in {k for name in place.names for k in _keys(name)[1:] if k}:
            by_key.setdefault(key, []).append(place)
    merged: set[int] = set()  # id() of the GeoNames places merged into a capital
    seats: dict[str, tuple[int, GazetteerEntry]] = {}  # P-code -> (rank, capital)
    towns: list[GazetteerEntry] = []
    for (capital, (level, pcode)), where in zip(capitals, codes[:len(capitals)], strict=True):
        if where is None:  # none: all 266 lie in an area once snapped (tested)
            continue
        capital = dataclasses.replace(capital, admin=where)
        if pcode is not None and place_key(capital.name) == place_key(index.area(pcode).name):
            # OCHA names the areas in Arabic too, not their capitals: a capital that bears
            # its area's name takes the Arabic one ("Abul Thohur": أبو الظهور; without
            # "مركز", "centre", which names the area), and by it finds its GeoNames twin
            # however that spells it in Latin (Abū az̧ Z̧uhūr).
            arabic = index.area(pcode).name_ar.removeprefix("مركز").strip()
            capital = dataclasses.replace(capital, names=_unique((*capital.names, arabic)))
        near = [p for name in capital.names for k in _keys(name)[1:] if k
                for p in by_key.get(k, ())]
        twin = _nearest(near, capital.point, merged, adm3=where.adm3)
        if twin is not None:
            merged.add(id(twin))
            capital = dataclasses.replace(capital, population=twin.population,
                                          names=_unique(capital.names + twin.names))
        # A capital is the seat of its own area, and of the finer areas it stands in.
        for code in where.codes():
            rank = -1 if code == pcode else level
            if rank < admin_level(code) and (code not in seats or rank < seats[code][0]):
                seats[code] = (rank, capital)
        if not _names_an_area_only(capital, pcode, index):
            towns.append(capital)
    towns += [p for p in places if id(p) not in merged]
    town_keys: dict[str, list[GazetteerEntry]] = {}
    for town in towns:
        for name in town.names:
            town_keys.setdefault(place_key(name), []).append(town)
    areas = [_area(a, seats.get(a.pcode), town_keys, index) for a in index]
    towns, named = _with_named(towns, [*ucdp_places(), *curated_places()], index)
    return towns + areas + named


def _with_named(towns: list[GazetteerEntry], places: list[NamedPlace],
                index: admin.AdminIndex) -> tuple[list[GazetteerEntry], list[GazetteerEntry]]:
    """The towns, with the names of the named places that are one of them; and the other
    named places as entries of their own kind (a later row that is an earlier one only
    adds its names: the curated list names UCDP's regions in Arabic)."""
    codes = index.locate_many([p.point for p in places], snap_deg=admin.COAST_SNAP_DEG)
    entries = list(towns)
    by_key: dict[str, list[int]] = {}
    for number, town in enumerate(towns):
        for name in town.names:
            by_key.setdefault(place_key(name), []).append(number)
    for place, where in zip(places, codes, strict=True):
        if where is None:
            continue
        names = _unique((place.name, *place.names))
        keys = {place_key(n) for n in names} & by_key.keys()
        same = _same_named(entries, keys, by_key, place)
        if same is not None:
            entries[same] = dataclasses.replace(
                entries[same], names=_unique(entries[same].names + names))
            number = same
        else:
            # A region claims only its governorate (docs/decisions.md).
            admin_codes = AdminCodes(where.adm1) if place.kind == REGION else where
            entries.append(GazetteerEntry(place.name, place.point, admin_codes, place.kind,
                                          place.precision, names=names))
            number = len(entries) - 1
        for name in names:
            if number not in by_key.setdefault(place_key(name), []):
                by_key[place_key(name)].append(number)
    return entries[:len(towns)], entries[len(towns):]


def _same_named(entries: list[GazetteerEntry], keys: set[str],
                by_key: dict[str, list[int]], place: NamedPlace) -> int | None:
    """The entry ``place`` is another name for: one sharing a key, near, of a kind it
    may be (a village may be a town; a region only a region)."""
    for key in sorted(keys):
        for number in by_key[key]:
            entry = entries[number]
            if (place.kind == REGION) != (entry.kind == REGION):
                continue
            near = REGION_SAME_DEG if place.kind == REGION else SAME_PLACE_DEG
            if _distance_deg(entry.point, place.point) <= near:
                return number
    return None


def _names_an_area_only(capital: GazetteerEntry, pcode: str | None,
                        index: admin.AdminIndex) -> bool:
    """OCHA lists Aleppo's seat as "Jebel Saman", the name of the district it lies in:
    such a name is that area's, not a town's."""
    key = place_key(capital.name)
    if pcode is None or key == place_key(index.area(pcode).name):
        return False
    return any(key == place_key(index.area(c).name) for c in capital.admin.codes())


def _area(area: admin.AdminArea, seat: tuple[int, GazetteerEntry] | None,
          towns: dict[str, list[GazetteerEntry]], index: admin.AdminIndex) -> GazetteerEntry:
    if seat is not None:
        point = seat[1].point
    else:  # no capital (Rural Damascus and its centre): a point surely inside
        inside = index.geometry(area.pcode).representative_point()
        point = Point(round(inside.x, 5), round(inside.y, 5))
    names = _unique((area.name, area.name_ar, *_ALIASES.get(area.pcode, ())))
    # The town at the seat, if it bears the area's name, lends the area its spellings.
    near = {t for n in names for t in towns.get(place_key(n), ())}
    town = _nearest(near, point, set())
    if town is not None:
        names = _unique(names + town.names)
    kind = _LEVEL_KIND[area.level]
    return GazetteerEntry(area.name, point, index.codes_for(area.pcode), kind, PRECISION[kind],
                          names=names)


def _nearest(candidates: Iterable[GazetteerEntry], point: Point, taken: set[int], *,
             adm3: str | None = None) -> GazetteerEntry | None:
    """The closest candidate within SAME_PLACE_DEG of ``point`` or in sub-district ``adm3``
    (GeoNames and OCHA put a few villages 6-10 km apart)."""
    near = [(_distance_deg(c.point, point), c.name, c) for c in candidates if id(c) not in taken]
    near = [n for n in near if n[0] <= SAME_PLACE_DEG or (adm3 and n[2].admin.adm3 == adm3)]
    return min(near, key=lambda n: n[:2])[2] if near else None


def _distance_deg(a: Point, b: Point) -> float:
    return math.hypot(a.lon - b.lon, a.lat - b.lat)


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in names if n))


def _read_capitals() -> list[tuple[GazetteerEntry, tuple[int, str | None]]]:
    text = resources.files(_DATA).joinpath("syr_admincapitals.geojson").read_text("utf-8")
    out = []
    for feature in json.loads(text)["features"]:
        props = feature["properties"]
        level = props["adm_p_lvl"]
        lon, lat = feature["geometry"]["coordinates"]
        entry = GazetteerEntry(props["name"], Point(lon, lat), AdminCodes(), TOWN,
                               PRECISION[TOWN], names=(props["name"],))
        out.append((entry, (level, props[f"adm{level}_pcode"] if level else None)))
    return out


def _read_geonames() -> list[GazetteerEntry]:
    text = resources.files(_DATA).joinpath("geonames_sy.csv").read_text("utf-8")
    return [GazetteerEntry(row["name"], Point(float(row["lon"]), float(row["lat"])),
                           AdminCodes(), TOWN, PRECISION[TOWN],
                           int(row["population"]) if row["population"] else None,
                           _unique((row["name"], *row["alternatenames"].split("|"))))
            for row in csv.DictReader(text.splitlines())]
