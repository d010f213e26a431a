"""Region names as reports write them resolve to the governorate they name."""

import pytest

from ceasefire.geo.admin import syria
from ceasefire.geo.regions import governorate_named


@pytest.mark.parametrize(("text", "pcode", "in_part"), [
    # A part of a governorate: a direction, or its countryside.
    ("Western Deir ez Zor", "SY09", True),
    ("Western Deir ez Zor Governorate", "SY09", True),
    ("Northwestern Deir ez Zor Governorate", "SY09", True),
    ("Northern Hama countryside", "SY05", True),
    ("Northern Hamah Governorate", "SY05", True),
    ("Eastern Aleppo countryside", "SY02", True),
    ("southern Idlib", "SY07", True),
    ("Daraa western countryside", "SY12", True),
    ("Hama rural", "SY05", True),
    ("Rif Halab", "SY02", True),
    ("Latakia countryside", "SY06", True),
    ("Southern Rif Dimashq Governorate", "SY03", True),
    ("ريف حماة الشمالي", "SY05", True),
    ("ريف حلب الشرقي", "SY02", True),
    ("جنوب إدلب", "SY07", True),
    ("ريف إدلب الجنوبي", "SY07", True),
    ("ريف دمشق الغربي", "SY03", True),
    # The whole governorate. Damascus's countryside is a governorate of its own.
    ("Rif Dimashq", "SY03", False),
    ("Rif Dimashq Governorate", "SY03", False),
    ("Reef Damascus", "SY03", False),
    ("Damascus countryside", "SY03", False),
    ("Rural Damascus", "SY03", False),
    ("ريف دمشق", "SY03", False),
    ("Tartus Governorate", "SY10", False),
    ("Dayr az Zawr province", "SY09", False),
    ("محافظة حمص", "SY04", False),
])
def test_a_region_resolves_to_the_governorate_it_names(text, pcode, in_part):
    named = governorate_named(syria(), text)
    assert named is not None, text
    assert (named.area.pcode, named.in_part) == (pcode, in_part)


@pytest.mark.parametrize("text", [
    "Northern Syria", "Eastern Qalamoun", "Eastern Ghouta", "Al Hasakah/Ar Raqqah border",
    "Road between Aleppo and Khanasir", "Aleppo city", "Idlib district", "Tal Rifaat",
])
def test_a_text_that_names_no_governorate_resolves_to_none(text):
    assert governorate_named(syria(), text) is None
