"""Place search on a held-out list of 200 Syrian place names (tests/data/heldout_places.md
says where each came from) and a development list of 68 others (place_search_dev.md), the
named places beyond GeoNames, and what else an officer may type for a place: a P-code or
coordinates."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from ceasefire.domain.place import AdminCodes, Point, WherePrecision
from ceasefire.domain.report import admin_for_precision
from ceasefire.geo.gazetteer import Gazetteer, GazetteerEntry, syria_gazetteer
from ceasefire.geo.names import is_arabic, place_key, romanise
from ceasefire.geo.place_text import coordinates_in, pcode_in
from ceasefire.geo.spelling import letters_apart, nearest_spelling
from ceasefire.services.intake import SAME_PLACE_KM, distance_km

_DATA = Path(__file__).parents[1] / "data"
HELD_OUT = list(csv.DictReader((_DATA / "heldout_places.csv").read_text(encoding="utf-8")
                               .splitlines()))
# Measured: 190 of 200 (95.0%; 189 counting the first place offered only), as the issue
# asks. The ten misses are places no shipped source holds, by any name or spelling
# (heldout_places.md lists them).
HIT_RATE_MIN = 0.95
# The list changes are tried on first, so the held-out one stays a test set: 60 of 68.
DEVELOPMENT = list(csv.DictReader((_DATA / "place_search_dev.csv").read_text(encoding="utf-8")
                                  .splitlines()))
DEV_RATE_MIN = 0.88


def _outcome(row: dict[str, str]) -> tuple[bool, bool]:
    """(the place is found, the report form would file it without the officer's choice).

    Found as the form offers it (web.reporting): the first place offered is filed under
    the expected P-code; or the text is the exact name of places lying apart, which the
    form asks the officer to choose among, none chosen, and one of them is."""
    found = syria_gazetteer().search(row["text"], limit=8)  # the form's limit
    if not found:
        return False, False

    def right(match) -> bool:
        codes = admin_for_precision(match.entry.admin, match.entry.precision).codes()
        return any(code in codes for code in row["expected"].split("|"))

    first = found[0]
    namesakes = [m for m in found[1:] if m.taken_as_typed
                 and distance_km(first.entry.point, m.entry.point) >= SAME_PLACE_KM]
    if first.taken_as_typed and namesakes:
        return any(map(right, [first, *namesakes])), False
    return right(first), first.taken_as_typed


def test_the_held_out_list_is_200_names_of_each_kind_and_script():
    assert len(HELD_OUT) == 200
    assert {r["kind"] for r in HELD_OUT} == {"town", "neighbourhood", "region", "landmark"}
    assert sum(any("\u0600" <= c <= "\u06ff" for c in r["text"]) for r in HELD_OUT) >= 60


def test_the_held_out_names_find_their_p_code():
    outcomes = [_outcome(r) for r in HELD_OUT]
    hits = sum(hit for hit, _ in outcomes)
    missed = [r["text"] for r, (hit, _) in zip(HELD_OUT, outcomes, strict=True) if not hit]
    assert hits / len(HELD_OUT) >= HIT_RATE_MIN, (hits, missed)


def test_the_development_names_find_their_p_code_and_none_is_filed_wrong():
    assert len(DEVELOPMENT) == 68
    assert not {r["text"] for r in DEVELOPMENT} & {r["text"] for r in HELD_OUT}
    outcomes = [_outcome(r) for r in DEVELOPMENT]
    missed = [r["text"] for r, (hit, _) in zip(DEVELOPMENT, outcomes, strict=True) if not hit]
    assert sum(hit for hit, _ in outcomes) / len(DEVELOPMENT) >= DEV_RATE_MIN, missed
    assert all(hit for hit, alone in outcomes if alone)


def test_only_exact_names_would_be_filed_without_a_choice_and_they_are_right():
    filed = [(r["text"], hit) for r in HELD_OUT for hit, alone in [_outcome(r)] if alone]
    wrong = [text for text, hit in filed if not hit]
    # Qabasin, the exact name GeoNames gives a village near al-Khafsa, was filed there until
    # the more populous قباسين (GeoNames' Kabbasin, the town meant) came first, as a variant.
    assert not wrong, wrong
    for row in HELD_OUT:
        for match in syria_gazetteer().search(row["text"]):
            assert match.taken_as_typed == (match.how == "exact")
            if is_arabic(row["text"]) and not is_arabic(match.spelled):
                assert match.how == "fuzzy"  # Arabic read in Latin letters


def test_jobar_is_the_damascus_neighbourhood_and_yabroud_is_only_fuzzy():
    (jobar,) = syria_gazetteer().search("Jobar")
    assert (jobar.entry.kind, jobar.entry.admin.adm3, jobar.how) == (
        "neighbourhood", "SY010000", "exact")
    fuzzy = syria_gazetteer().search("Jbar")
    assert fuzzy and all(m.how == "fuzzy" and not m.taken_as_typed for m in fuzzy)
    assert fuzzy[0].entry.name == "Jobar" and fuzzy[0].letters == 1
    assert "Ariqa" not in {m.entry.name for m in syria_gazetteer().search("Raqqa")}


@pytest.mark.parametrize(("text", "name", "code"), [
    ("Wadi Barada", "Wadi Barada", "SY03"), ("East Ghouta", "Eastern Ghouta", "SY03"),
    ("Eastern Qalamoun", "Eastern Qalamoun", "SY03"), ("جبل الأكراد", "Jabal al Akrad", "SY06"),
    ("Ghab plain", "Sahl al Ghab", "SY05"),
])
def test_regions_are_held_at_region_precision_with_their_governorate_only(text, name, code):
    entry = syria_gazetteer().resolve(text)
    assert (entry.name, entry.kind, entry.precision) == (name, "region", WherePrecision.REGION)
    assert entry.admin.codes() == (code,)


def test_a_named_place_that_is_a_town_only_lends_it_its_names():
    kafr_batna = syria_gazetteer().search("Kafr Batna suburb")
    assert [m.entry.kind for m in kafr_batna][:1] == ["town"]
    assert syria_gazetteer().resolve("Palmyra") == syria_gazetteer().resolve("Tadmur")


def test_p_codes_and_coordinates_are_read():
    assert pcode_in(" sy0703 ") == "SY0703" and pcode_in("Idlib") is None
    pair = coordinates_in("35.93, 36.63")
    assert pair.first == Point(36.63, 35.93) and pair.swapped == Point(35.93, 36.63)
    assert coordinates_in("36.63E 35.93N").first == Point(36.63, 35.93)
    assert coordinates_in("36.63E 35.93N").swapped is None
    assert coordinates_in("35.93 N, 36.63 E").first == Point(36.63, 35.93)
    assert coordinates_in("135, 36").first == Point(135, 36)
    assert coordinates_in("Jobar") is None and coordinates_in("200, 300") is None


def test_letters_apart():
    assert letters_apart("jobar", "jobar") == 0
    assert letters_apart("jbar", "jobar") == 1
    assert letters_apart("raqqa", "ariqa") == 3
    assert letters_apart("abcdefgh", "z", cap=2) == 3
    assert nearest_spelling("Jbar", ["Jobar", "جوبر", "Jawbar"]) == ("Jobar", 1)


def test_arabic_is_read_in_latin_letters():
    assert romanise("سقبا") == "sqba"
    assert romanise("الرقة") == "al rqa"  # the article kept apart, a closing ة as "a"
    assert romanise("معرة النعمان") == "mrat al nman"  # ة before another word: "at"
    assert romanise("حيان") == "hyan" and romanise("نصيب") == "nsib"  # y before a vowel
    assert romanise("سهل") == "sahl"  # not "shl", which would read as ش
    assert romanise("Saqba Town") == "saqba town"  # Latin as normalise_name gives it


def test_arabic_no_place_is_known_by_finds_its_latin_name_for_the_officer_to_choose():
    (saqba, *_) = syria_gazetteer().search("سقبا")
    assert (saqba.entry.name, saqba.how, saqba.spelled) == ("Saqba", "fuzzy", "Saqba")
    assert not saqba.taken_as_typed
    assert syria_gazetteer().resolve("سقبا") is None  # the API and imports never guess


def test_the_gazetteers_arabic_names_read_in_latin_letters_find_their_own_place():
    """Apart from the held-out list: each Arabic name the gazetteer has, looked up in a
    copy holding the Latin names only, finds its own place first (measured 92%)."""
    latin = Gazetteer(dataclasses.replace(e, names=tuple(n for n in e.names
                                                         if not is_arabic(n)))
                      for e in syria_gazetteer())
    outcomes = []
    for entry in syria_gazetteer():
        for name in sorted({n for n in entry.names if is_arabic(n)}):
            found = latin.search(name, limit=1)
            outcomes.append(bool(found) and found[0].entry.name == entry.name and distance_km(
                found[0].entry.point, entry.point) < SAME_PLACE_KM)
    assert len(outcomes) > 1000 and sum(outcomes) / len(outcomes) >= 0.9


def test_a_place_known_by_another_arabic_name_comes_after_one_known_only_in_latin():
    def entry(name: str, *names: str) -> GazetteerEntry:
        return GazetteerEntry(name, Point(37.0, 36.0), AdminCodes("SY02"), "town",
                              WherePrecision.EXACT, names=(name, *names))
    gazetteer = Gazetteer([entry("Hadher", "الحاضر", "Hader"), entry("Hadar")])
    assert [m.entry.name for m in gazetteer.search("حضر")] == ["Hadar", "Hadher"]


def test_a_capital_bearing_its_areas_name_takes_its_arabic_name_and_geonames_twin():
    (town, *_) = syria_gazetteer().search("أبو الظهور")
    assert (town.entry.name, town.entry.kind, town.how) == ("Abul Thohur", "town", "exact")
    assert "Abū az̧ Z̧uhūr" in town.entry.names  # GeoNames' spelling, merged by the Arabic
    assert sum(e.kind == "town" and e.name in ("Abul Thohur", "Abū az̧ Z̧uhūr")
               for e in syria_gazetteer()) == 1


def test_a_more_populous_place_of_the_same_arabic_name_comes_first_for_the_officer():
    def entry(name: str, lon: float, population: int | None, *names: str) -> GazetteerEntry:
        return GazetteerEntry(name, Point(lon, 36.4), AdminCodes("SY02"), "town",
                              WherePrecision.EXACT, population, names=(name, *names))
    gazetteer = Gazetteer([entry("Qabbasin", 38.2, 12_000, "Qabasin", "قباسين"),
                           entry("Kabbasin", 37.6, 51_000, "Qabbasin", "قباسين"),
                           entry("Kabasin", 36.9, 90_000, "كباسين")])
    first, second = gazetteer.search("Qabasin")[:2]
    assert (first.entry.name, first.how, second.entry.name, second.how) == (
        "Kabbasin", "variant", "Qabbasin", "exact")  # not filed without a choice
    assert [m.entry.name for m in gazetteer.search("Qabbasin")] == ["Kabbasin", "Qabbasin"]
    assert "Kabasin" not in {m.entry.name for m in gazetteer.search("Qabasin")}  # other name
    smaller = Gazetteer([entry("Qabbasin", 38.2, 60_000, "Qabasin", "قباسين"),
                         entry("Kabbasin", 37.6, 51_000, "قباسين")])
    assert [(m.entry.name, m.how) for m in smaller.search("Qabasin")] == [("Qabbasin", "exact")]


def test_no_latin_name_is_filed_alone_when_a_more_populous_arabic_namesake_lies_apart():
    """Apart from the held-out list: over the whole gazetteer, a Latin spelling that is one
    place's name and, by key, a more populous place's of the same Arabic name elsewhere
    is never the first place offered as typed (Qabasin, and Suran town: صوران in Aleppo
    and the larger one in Hama)."""
    entries = list(syria_gazetteer())
    by_arabic: dict[str, list[GazetteerEntry]] = {}
    for e in entries:
        for name in {n for n in e.names if is_arabic(n)}:
            by_arabic.setdefault(name, []).append(e)
    checked = 0
    for group in by_arabic.values():
        for small in group:
            for big in group:
                if ((big.population or 0) <= (small.population or 0)
                        or distance_km(small.point, big.point) < SAME_PLACE_KM):
                    continue
                keys = {place_key(n) for n in big.names}
                for name in small.names:
                    if is_arabic(name) or name in big.names or place_key(name) not in keys:
                        continue
                    first = syria_gazetteer().search(name)[0]
                    checked += 1
                    assert not (first.entry == small and first.taken_as_typed), name
    assert checked >= 5


def test_an_airbase_is_near_the_town_it_is_named_after():
    (menagh, *_) = syria_gazetteer().search("Menagh airbase")
    assert (menagh.entry.name, menagh.entry.precision) == ("Menagh", WherePrecision.NEAR)
    assert menagh.entry.admin.adm2 == "SY0204"
    assert syria_gazetteer().resolve("Hama military airport").admin.adm2 == "SY0501"
    # A base the gazetteer names is found by its own name first.
    assert syria_gazetteer().resolve("T4 airbase").kind == "landmark"
