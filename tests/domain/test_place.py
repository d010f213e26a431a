import pytest

from ceasefire.domain import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.place import admin_level
from ceasefire.errors import InvalidInput


@pytest.mark.parametrize(("code", "level"), [("SY02", 1), ("SY0200", 2), ("SY020000", 3)])
def test_admin_level_follows_pcode_length(code, level):
    assert admin_level(code) == level


@pytest.mark.parametrize("code", ["SY.01", "sy02", "SY2", "SYR"])
def test_malformed_pcode_is_refused(code):
    with pytest.raises(InvalidInput, match="not a P-code"):
        admin_level(code)


def test_admin_codes_must_nest():
    with pytest.raises(InvalidInput) as err:
        AdminCodes("SY02", "SY0400")
    assert err.value.field == "adm2"


def test_admin_codes_level_must_match_slot():
    with pytest.raises(InvalidInput, match="level-1"):
        AdminCodes(adm1="SY0200")


def test_within_checks_every_level():
    codes = AdminCodes("SY02", "SY0200", "SY020000")
    assert codes.within("SY02") and codes.within("SY0200") and codes.within("SY020000")
    assert not codes.within("SY03")
    assert not AdminCodes("SY02").within("SY0200")  # a governorate is not inside its district


@pytest.mark.parametrize(("lon", "lat", "field"), [(200, 0, "lon"), (0, -91, "lat")])
def test_point_out_of_range(lon, lat, field):
    with pytest.raises(InvalidInput) as err:
        Point(lon, lat)
    assert err.value.field == field


def test_place_needs_something_to_go_by():
    with pytest.raises(InvalidInput):
        Place(None, WherePrecision.COUNTRY)
    assert Place(None, WherePrecision.NEAR, name="Wadi Barada").name == "Wadi Barada"


def test_where_precision_uses_ucdp_numbers():
    assert WherePrecision(1) is WherePrecision.EXACT
    assert WherePrecision(4) is WherePrecision.GOVERNORATE
    assert WherePrecision(7) is WherePrecision.WATERS


def test_acled_geo_precision():
    assert [WherePrecision.from_acled(c) for c in (1, 2, 3)] == [
        WherePrecision.EXACT, WherePrecision.NEAR, WherePrecision.GOVERNORATE]
    with pytest.raises(InvalidInput) as err:
        WherePrecision.from_acled(4)
    assert err.value.field == "geo_precision"
