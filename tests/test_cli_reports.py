"""`ceasefire import`, `report add` and `report export` from the command line."""

import csv
import json

import pytest

from ceasefire.domain.place import Point
from ceasefire.geo.admin import syria
from ceasefire.services.scenarios import load_scenario
from tests.intake.test_import import _set, _ucdp_file, _write
from tests.test_cli import run, url_of


@pytest.fixture
def url(database, syria_scenario):
    load_scenario(database, syria_scenario)
    return url_of(database)


def test_import_prints_progress_and_a_summary(url, tmp_path):
    sample = _write(tmp_path / "sample.csv", _ucdp_file(tmp_path, rows=30))
    result = run("--database-url", url, "import", str(sample), "--format", "ucdp",
                 "--party", "SEC", "--batch-size", "10")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("rows read") == 3  # one line per batch off a terminal
    assert "30 rows read, 30 reports added, 0 already present, 0 rejected" in result.stdout
    again = run("--database-url", url, "import", str(sample), "--format", "ucdp",
                "--party", "SEC")
    assert "0 reports added, 30 already present" in again.stdout


def test_a_bad_row_stops_the_import_with_file_line_and_column(url, tmp_path):
    bad = _write(tmp_path / "bad.csv", _set(_ucdp_file(tmp_path), 5, "latitude", "north"))
    result = run("--database-url", url, "import", str(bad), "--format", "ucdp", "--party", "SEC")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {bad}, line 5, latitude: 'north' is not a number")


def test_skip_invalid_writes_rejects_beside_the_file(url, tmp_path):
    bad = _write(tmp_path / "mixed.csv", _set(_ucdp_file(tmp_path), 5, "side_a", "Nobody"))
    result = run("--database-url", url, "import", str(bad), "--format", "ucdp",
                 "--party", "SEC", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "19 reports added" in result.stdout and "1 rejected" in result.stdout
    with (tmp_path / "mixed.csv.rejects.csv").open(encoding="utf-8") as f:
        assert [r["line"] for r in csv.DictReader(f)] == ["5"]


def test_report_add_by_place_name_then_export(url, tmp_path):
    added = run("--database-url", url, "report", "add", "--party", "TR", "--type",
                "shelling", "--date", "2017-01-05", "--place", "Khan Sheikhoun",
                "--perpetrator", "Syrian Arab Army", "--target", "civilians", "--killed", "4",
                "--injured", "7")
    assert added.exit_code == 0, added.output
    report_id = added.stdout.strip()
    out = tmp_path / "out.geojson"
    exported = run("--database-url", url, "report", "export", "--format", "geojson",
                   "--out", str(out), "--adm", "SY07")
    assert exported.exit_code == 0 and "exported 1 report\n" in exported.stderr
    (feature,) = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert feature["id"] == report_id
    props = feature["properties"]
    assert props["place"]["adm2"] == "SY0702"  # Ma'arrat an-Nu'man district
    assert props["perpetrators"] == ["syrian-government"]
    assert props["civilians_targeted"] and props["casualties"]["best"] == 4
    assert props["casualties"]["injured"] == 7


def test_report_add_refuses_an_unknown_place(url):
    result = run("--database-url", url, "report", "add", "--party", "TR", "--type",
                 "shelling", "--date", "2017-01-05", "--place", "Atlantis")
    assert result.exit_code == 1
    assert "place.name" in result.stderr and "Atlantis" in result.stderr


@pytest.mark.slow
def test_names_learnt_from_an_import_geocode_later_reports(url, tmp_path):
    # A place no shipped gazetteer knows, named by an imported row with its point.
    rows = _set(_ucdp_file(tmp_path, rows=1), 2, "where_coordinates", "Tell Qarqur farms")
    rows = _set(_set(rows, 2, "latitude", "35.65"), 2, "longitude", "36.2")
    imported = run("--database-url", url, "import", str(_write(tmp_path / "one.csv", rows)),
                   "--format", "ucdp", "--party", "SEC")
    assert "1 report added" in imported.stdout and "1 place name learnt" in imported.stdout
    added = run("--database-url", url, "report", "add", "--party", "IR", "--type",
                "armed_clash", "--date", "2017-02-01", "--place", "Tell Qarqur farms")
    assert added.exit_code == 0, added.output
    # Where the imported row put it: the sub-district of its point.
    assert f"in {syria().locate(Point(36.2, 35.65)).adm3}\n" in added.stderr


def test_the_cli_offers_exactly_the_formats_the_services_have():
    from ceasefire.cli.reports import EXPORT_FORMATS, IMPORT_FORMATS
    from ceasefire.outputs.exports import WRITERS
    from ceasefire.services.imports import FORMATS

    assert set(IMPORT_FORMATS) == set(FORMATS)
    assert set(EXPORT_FORMATS) == set(WRITERS)


def test_import_check_lists_unknown_names_and_exits_1_writing_nothing(url, database, tmp_path):
    from ceasefire.store import ledger as ledger_store
    from tests.fingerprint import fingerprint

    records = _ucdp_file(tmp_path)
    for line in (4, 9):
        _set(records, line, "side_a", "Ahrar al-Shan, Martian Brigade")
    _set(records, 12, "latitude", "north")
    path = _write(tmp_path / "dirty.csv", records)
    with database.session() as session:
        before = fingerprint(database), ledger_store.head(session)[0]
    result = run("--database-url", url, "import", "--check", str(path), "--format", "ucdp")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f"{path}: 20 rows read, 3 with problems",
        "unknown actors (2 names), most rows first:",
        "  'Ahrar al-Shan': 2 rows; nearest: ahrar-al-sham ('Ahrar al-Sham', 1 letter apart);"
        " thuwar-al-sham ('Thuwar al-Sham', 4 letters apart)",
        "  'Martian Brigade': 2 rows; nearest: no known actor spelled near",
        "other problems, by column:",
        "  latitude: 1 (first at line 12: 'north' is not a number)",
    ]
    with database.session() as session:
        assert (fingerprint(database), ledger_store.head(session)[0]) == before
    clean = _write(tmp_path / "clean.csv", _ucdp_file(tmp_path))
    result = run("--database-url", url, "import", "--check", str(clean), "--format", "ucdp")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "no problems: the file would import whole"


def test_import_needs_a_party_but_to_check(url, tmp_path):
    sample = _write(tmp_path / "sample.csv", _ucdp_file(tmp_path, rows=2))
    result = run("--database-url", url, "import", str(sample), "--format", "ucdp")
    assert result.exit_code == 2 and "--party" in result.output
