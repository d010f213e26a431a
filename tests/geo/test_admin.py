import json
from importlib import resources

import pytest

from ceasefire.domain import Point
from ceasefire.errors import NotFound
from ceasefire.geo.admin import syria


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


@pytest.mark.parametrize("feature", CAPITALS,
                         ids=[f"{f['properties']['name']}-{i}" for i, f in enumerate(CAPITALS)])
def test_each_admin_capital_resolves_to_its_own_areas(feature):
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    codes = syria().locate(Point(lon, lat))
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


def test_coastal_point_a_few_hundred_metres_off_resolves_with_tolerance():
    hameidiyyeh = Point(35.95044, 34.702)
    assert syria().locate(hameidiyyeh, tolerance_deg=0) is None
    assert syria().locate(hameidiyyeh).adm3 == "SY100002"


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
    assert syria().locate_many(pts) == [syria().locate(p) for p in pts]
    assert syria().locate_many([]) == []
