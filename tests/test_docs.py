"""The docs name every setting, command and violation type the code has."""

from pathlib import Path

import click
import pytest

from ceasefire.cli import cli
from ceasefire.config import SETTINGS
from ceasefire.domain.taxonomy import FROM_ACLED, ViolationType

DOCS = Path(__file__).resolve().parent.parent / "docs"


def commands(group: click.Group, prefix: str = "ceasefire"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_with_its_default(setting):
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert f"`{setting.name}` | `{setting.default}`" in text


@pytest.mark.parametrize("command", sorted(commands(cli)))
def test_every_command_is_documented(command):
    assert f"`{command}" in (DOCS / "cli.md").read_text(encoding="utf-8")


def test_every_violation_type_and_acled_sub_event_is_documented():
    text = " ".join((DOCS / "taxonomy.md").read_text(encoding="utf-8").split())
    for kind in ViolationType:
        assert f"| `{kind.value}` |" in text
    for _, sub_event in FROM_ACLED:
        assert sub_event in text


def test_every_flat_column_and_hxl_tag_is_documented():
    from ceasefire.intake.formats.flat import COLUMNS

    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| `{column.header}` | `{column.tag}` |" in text


def test_every_column_of_the_rejects_file_is_documented():
    from ceasefire.services.imports import REJECTS_COLUMNS

    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    section = text[text.index("## Rejected rows"):text.index("## GeoJSON")]
    for column in REJECTS_COLUMNS:
        assert f"| `{column}` |" in section
