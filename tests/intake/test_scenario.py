import re

import pytest

from ceasefire.domain import ActorStatus, QuorumRule
from ceasefire.errors import InvalidInput, NotFound
from ceasefire.intake.scenario import available, locate, parse

MINIMAL = """
[scenario]
code = "mini"
title = "Minimal"
boundaries = "syria"

[[parties]]
code = "RU"
name = "Russian Federation"
kind = "guarantor"

[[parties]]
code = "UN"
name = "United Nations"
kind = "observer"

[[actors]]
code = "isil"
name = "Islamic State"
aliases = [{ text = "داعش", lang = "ar" }]

[[agreements]]
code = "mini"
title = "Mini ceasefire"
start = 2016-12-30T00:00:00+02:00
guarantors = ["RU"]
prohibited = ["shelling"]
excluded = ["isil"]
area = { pcodes = ["SY02"] }

[[accounts]]
username = "ru-officer"
party = "RU"
role = "guarantor"
"""


def error_of(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        parse(text, source="mini.toml")
    assert err.value.source == "mini.toml"
    return err.value


def test_shipped_syria_scenario_matches_the_public_facts(syria_scenario):
    assert "syria-2016" in available()
    assert {p.code for p in syria_scenario.parties} == {"RU", "TR", "IR", "UN", "SEC"}
    (agreement,) = syria_scenario.agreements
    assert agreement.guarantors == ("RU", "TR", "IR")
    assert agreement.quorum is QuorumRule.UNANIMOUS
    assert agreement.period.start.isoformat() == "2016-12-29T22:00:00+00:00"
    assert len(agreement.area.pcodes) == 14
    assert agreement.excluded == {"isil", "jabhat-fatah-al-sham", "al-qaida"}
    assert agreement.status_of("syrian-government") is ActorStatus.SIGNATORY
    assert agreement.status_of("sdf") is ActorStatus.NON_SIGNATORY
    assert [z.code for z in agreement.zones] == ["idlib", "northern-homs", "eastern-ghouta",
                                                 "south"]


def test_excluded_groups_are_known_by_their_usual_aliases(syria_scenario):
    actors = {a.code: a for a in syria_scenario.actors}
    for name in ("Daesh", "ISIS", "داعش", "ИГИЛ"):
        assert actors["isil"].is_called(name)
    for name in ("Jabhat al-Nusra", "Jabhat Fateh al-Sham", "جبهة النصرة", "HTS"):
        assert actors["jabhat-fatah-al-sham"].is_called(name)


def test_every_actor_has_an_arabic_name(syria_scenario):
    assert all(any(a.lang == "ar" for a in actor.aliases) for actor in syria_scenario.actors)


def test_minimal_scenario_parses():
    scenario = parse(MINIMAL, source="mini.toml")
    assert scenario.agreements[0].excluded == {"isil"}
    assert scenario.accounts[0].username == "ru-officer"


def test_toml_syntax_error_names_the_line():
    err = error_of(MINIMAL.replace('title = "Minimal"', 'title = "Minimal'))
    assert err.line == 4 and "not valid TOML" in err.message


@pytest.mark.parametrize(("old", "new", "field"), [
    ('kind = "observer"', 'kind = "referee"', "parties[1].kind"),
    ('code = "isil"\nname', 'code = "isil"\ncolour = "black"\nname', "actors[0].colour"),
    ('prohibited = ["shelling"]', 'prohibited = ["shouting"]', "agreements[0].prohibited[0]"),
    ('lang = "ar"', 'lang = "arabic"', "actors[0].aliases[0].lang"),
    ('excluded = ["isil"]', 'excluded = ["isis"]', "agreements[0].excluded[0]"),
    ('guarantors = ["RU"]', 'guarantors = ["UN"]', "agreements[0].guarantors[0]"),
    ('pcodes = ["SY02"]', 'pcodes = ["SY99"]', "agreements[0].area.pcodes[0]"),
    ('start = 2016-12-30T00:00:00+02:00', 'start = 2016-12-30T00:00:00',
     "agreements[0].start"),
    ('role = "guarantor"', 'role = "secretariat"', "accounts[0].role"),
    ('party = "RU"', 'party = "KZ"', "accounts[0].party"),
    ('code = "UN"', 'code = "RU"', "parties[1].code"),
    ('code = "UN"', 'code = "un"', "parties[1].code"),
    ('username = "ru-officer"', 'username = "Bad Name"', "accounts[0].username"),
    ('prohibited = ["shelling"]', 'prohibited = ["shelling"]\nresponse_deadline_hours = 72.5',
     "agreements[0].response_deadline_hours"),
    ('prohibited = ["shelling"]', 'prohibited = ["shelling"]\nresponse_deadline_hours = inf',
     "agreements[0].response_deadline_hours"),
    ('prohibited = ["shelling"]', 'prohibited = ["shelling"]\nresponse_deadline_hours = 0',
     "agreements[0].response_deadline_hours"),
    ('start = 2016-12-30T00:00:00+02:00', 'start = 0001-01-01T00:00:00+02:00',
     "agreements[0].start"),
    ('area = { pcodes = ["SY02"] }', 'area = { pcodes = [] }', "agreements[0].area"),
    ('area = { pcodes = ["SY02"] }',
     'area = { pcodes = ["SY02"] }\nzones = [{ code = "Z 1", name = "z", '
     'start = 2017-05-06T00:00:00+03:00, area = { pcodes = ["SY02"] } }]',
     "agreements[0].zones[0].code"),
    ('name = "Russian Federation"', 'name = "Rus\\u0000sia"', "parties[0].name"),
])
def test_bad_scenario_names_the_field_and_its_line(old, new, field):
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    err = error_of(text)
    assert err.field == field
    last_key = re.findall(r"[a-z_]+", field)[-1]
    assert last_key in text.splitlines()[err.line - 1]


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFound, match="not a shipped scenario"):
        locate(str(tmp_path / "nope.toml"))


def test_binary_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidInput) as err:
        locate(str(path))
    assert err.value.source == str(path)


@pytest.mark.parametrize(("polygon", "message"), [
    ('{ type = "Polygon", coordinates = [[[36, 33], [37, 33], [36, 34], [37, 34], [36, 33]]] }',
     "invalid: Self-intersection"),
    ('{ type = "Polygon", coordinates = [[[36, 33], [37]]] }', "not a readable"),
    ('{ type = "Polygon", coordinates = [[[360, 33], [370, 33], [370, 34], [360, 33]]] }',
     "WGS 84"),
])
def test_bad_polygon_is_refused(polygon, message):
    text = MINIMAL.replace('area = { pcodes = ["SY02"] }',
                           f'area = {{ polygons = [{polygon}] }}')
    err = error_of(text)
    assert err.field == "agreements[0].area.polygons[0]" and message in err.message


def test_valid_polygon_area_is_kept():
    polygon = '{ type = "Polygon", coordinates = [[[36, 33], [37, 33], [37, 34], [36, 33]]] }'
    text = MINIMAL.replace('area = { pcodes = ["SY02"] }', f"area = {{ polygons = [{polygon}] }}")
    (agreement,) = parse(text, source="mini.toml").agreements
    assert agreement.area.polygons[0]["type"] == "Polygon" and not agreement.area.pcodes


def test_a_byte_order_mark_is_tolerated(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_text(MINIMAL, encoding="utf-8-sig")
    source, text = locate(str(path))
    assert parse(text, source=source).code == "mini"
