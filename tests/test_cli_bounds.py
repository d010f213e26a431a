"""Values at the edge of what the record holds, through the command line and a JSON Lines
import: one `error:` line naming the field, exit 1, nothing changed (issue 15, defect 6)."""

from __future__ import annotations

import json

import pytest

from ceasefire.services.scenarios import load_scenario
from tests.fingerprint import fingerprint
from tests.test_cli import run, url_of

GOOD = {"when": {"date": "2017-01-05"}, "place": {"lat": 35.9306, "lon": 36.6339},
        "violation": "shelling", "perpetrators": ["isil"], "casualties": {"best": 2},
        "narrative": "Shells hit the market."}


@pytest.fixture
def url(database, syria_scenario):
    load_scenario(database, syria_scenario)
    return url_of(database)


def _one_error_line(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(("args", "field"), [
    (("--killed", "1152921504606846976"), "casualties.best"),
    (("--killed", str(2 ** 63)), "casualties.best"),
    (("--killed", str(10 ** 30)), "casualties.best"),
    (("--date", "9999-12-31"), "when.date"),
    (("--date", "0001-01-01"), "when.date"),
    (("--at", "0001-01-01T00:00:00+02:00"), "when.earliest"),
])
def test_report_add_names_a_value_out_of_bounds(database, url, args, field):
    before = fingerprint(database)
    base = ["--date", "2017-01-05"] if "--date" not in args and "--at" not in args else []
    result = run("--database-url", url, "report", "add", "--party", "TR", "--type",
                 "shelling", "--place", "Idlib", *base, *args)
    _one_error_line(result, field)
    assert fingerprint(database) == before


@pytest.mark.parametrize(("change", "field"), [
    ({"casualties": {"best": 2 ** 60}}, "casualties.best"),
    ({"casualties": {"best": 2, "high": 2 ** 31}}, "casualties.high"),
    ({"narrative": "Shells \ud800 hit."}, "not valid JSON"),  # refused by the parser
    ({"when": {"date": "9999-12-31"}}, "when.date"),
    ({"when": {"date": "0001-01-01"}}, "when.date"),
    ({"received_at": "9999-12-31T23:59:59Z"}, "received_at"),
])
def test_a_jsonl_import_names_the_line_and_field_and_imports_nothing(database, url, tmp_path,
                                                                    change, field):
    path = tmp_path / "reports.jsonl"
    rows = [GOOD, {**GOOD, "narrative": "Second.", **change}, {**GOOD, "narrative": "Third."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    before = fingerprint(database)
    result = run("--database-url", url, "import", str(path), "--format", "jsonl",
                 "--party", "TR")
    _one_error_line(result, "line 2", field)
    assert fingerprint(database) == before
    skipped = run("--database-url", url, "import", str(path), "--format", "jsonl",
                  "--party", "TR", "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "2 reports added" in skipped.stdout and "1 rejected" in skipped.stdout


@pytest.mark.parametrize(("args", "field"), [
    (("--from", "0001-01-01", "--to", "2017-01-31"), "from"),
    (("--from", "2017-01-01", "--to", "9999-12-31"), "to"),
    (("--date", "9999-12-31"), "date"),
])
def test_a_bulletin_of_days_outside_the_calendar_is_refused(database, url, args, field):
    before = fingerprint(database)
    result = run("--database-url", url, "bulletin", *args)
    _one_error_line(result, f"{field}:")
    assert fingerprint(database) == before
