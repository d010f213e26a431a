import json
from importlib import resources

import pytest

from ceasefire.domain import Point
from ceasefire.errors import NotFound
from ceasefire.geo.admin import COAST_SNAP_DEG, syria


def _capitals():
    text = resources.files("ceasefire.geo.data.syria").joinpath(
        "syr_admincapitals.geojson").read_text(encoding="utf-8")
    return json.loads(text)["features"]


CAPITALS = _capitals()


def test_boundaries_have_the_ocha_counts():
    index = syria()
    assert [len(index.level(n)) for n in (1, 2, 3)] == [14, 62, 272]


def test_there_are_266_admin_capitals():
    assert len(CAPITALS) == 266


# The one capital the 5-decimal coastline misses (by about 700 m): it resolves only when
# snapped to the nearest area within a kilometre.
OFF_THE_ROUNDED_COAST = {"Hameidiyyeh"}


@pytest.mark.parametrize("feature", CAPITALS,
                         ids=[f"{f['properties']['name']}-{i}" for i, f in enumerate(CAPITALS)])
def test_each_admin_capital_resolves_to_its_own_areas(feature):
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    snap = COAST_SNAP_DEG if props["name"] in OFF_THE_ROUNDED_COAST else 0.0
    codes = syria().locate(Point(lon, lat), snap_deg=snap)
    assert codes is not None
    # Each capital names the areas it is the capital of (the national capital names none).
    for level in (1, 2, 3):
        named = props[f"adm{level}_pcode"]
        if named:
            assert getattr(codes, f"adm{level}") == named


def test_national_capital_is_in_damascus_governorate():
    damascus = next(f for f in CAPITALS if f["properties"]["adm_p_lvl"] == 0)
    assert syria().locate(Point(*damascus["geometry"]["coordinates"])).adm1 == "SY01"


def test_points_outside_syria_resolve_to_nothing():
    assert syria().locate(Point(35.5, 33.89)) is None  # Beirut
    assert syria().locate(Point(32.0, 34.5)) is None  # the Mediterranean, far off the coast


def test_coastal_point_a_few_hundred_metres_off_resolves_only_when_snapped():
    hameidiyyeh = Point(35.95044, 34.702)
    assert syria().locate(hameidiyyeh) is None
    assert syria().locate(hameidiyyeh, snap_deg=COAST_SNAP_DEG).adm3 == "SY100002"


@pytest.mark.parametrize("town", [Point(41.2150, 37.0717), Point(36.656, 36.23)],
                         ids=["Nusaybin", "Cilvegozu"])
def test_towns_just_across_the_turkish_border_are_not_placed_in_syria(town):
    assert syria().locate(town) is None


def test_codes_nest_and_names_are_bilingual():
    index = syria()
    codes = index.codes_for("SY020000")
    assert codes.codes() == ("SY02", "SY0200", "SY020000")
    assert index.area("SY02").name == "Aleppo" and index.area("SY02").name_ar == "حلب"


def test_unknown_pcode_is_not_found():
    with pytest.raises(NotFound) as err:
        syria().area("SY99")
    assert err.value.id == "SY99"


def test_batch_lookup_gives_the_one_by_one_answers():
    pts = [Point(*f["geometry"]["coordinates"]) for f in CAPITALS[:50]]
    pts += [Point(35.5, 33.89), Point(35.95044, 34.702)]  # Beirut; a point just off the coast
    for snap in (0.0, COAST_SNAP_DEG):
        assert syria().locate_many(pts, snap_deg=snap) == [syria().locate(p, snap_deg=snap)
                                                           for p in pts]
    assert syria().locate_many([]) == []
