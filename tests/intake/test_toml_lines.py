import pytest

from ceasefire.intake.toml_lines import line_of

TEXT = """\
[scenario]
code = "x"

[[actors]]
code = "a"
name = "A"

[[actors]]
code = "b"
aliases = [
  { text = "B", lang = "en" },
]

[[agreements]]
code = "c"
guarantors = ["RU"]

[agreements.area]
pcodes = ["SY02"]

[[agreements.zones]]
code = "z0"

[[agreements.zones]]
code = "z1"
area = { pcodes = ["SY07"] }

[[accounts]]
username = "u"
"""


@pytest.mark.parametrize(("field", "line"), [
    ("scenario.code", 2),
    ("actors[0]", 4),
    ("actors[1].code", 9),
    ("actors[1].aliases[0].lang", 10),  # inline array: the line of its key
    ("agreements[0].guarantors[0]", 16),
    ("agreements[0].area.pcodes[0]", 19),
    ("agreements[0].zones[1].code", 25),
    ("agreements[0].zones[1].area", 26),
    ("accounts[0].username", 29),
    ("actors[5].code", None),  # no sixth actor: nothing to point at
    (None, None),
])
def test_line_of_follows_the_field_path(field, line):
    assert line_of(TEXT, field) == line
