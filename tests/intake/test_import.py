"""Bulk import: the real UCDP extract, round trips, bad files, and skipping bad rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.place import WherePrecision
from ceasefire.domain.when import TimePrecision
from ceasefire.errors import Conflict, InvalidInput
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.services.imports import import_file
from ceasefire.services.reports import export_reports
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import parties
from ceasefire.store.reports import ReportFilter, count_reports, iter_reports
from tests.fingerprint import fingerprint
from tests.records import UCDP, UCDP_IMPORTED


def ucdp_rows() -> list[dict[str, str]]:
    with UCDP.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def loaded(database, syria_scenario):
    load_scenario(database, syria_scenario)
    return database


@pytest.fixture
def with_ucdp(built_records, backend, request):
    """The scenario and the whole UCDP extract, as the secretariat imported it."""
    return built_records.copy(request, UCDP_IMPORTED)


def test_every_ucdp_event_becomes_one_report_with_the_pcodes_its_precision_allows(with_ucdp):
    with with_ucdp.session() as session:
        reports = {r.source.key: r for r in iter_reports(session)}
    assert len(reports) == 3484
    levels = {WherePrecision.EXACT: 3, WherePrecision.NEAR: 3, WherePrecision.DISTRICT: 2,
              WherePrecision.GOVERNORATE: 1, WherePrecision.REGION: 1, WherePrecision.COUNTRY: 0}
    for report in reports.values():
        assert len(report.place.admin.codes()) == levels[report.place.precision], report.id
    # Cross-check with UCDP's own governorate names (its older boundaries differ from
    # OCHA's near the edges, hence not 100%).
    gazetteer = syria_gazetteer()
    rows = [r for r in ucdp_rows() if r["adm_1"]]
    same = sum(gazetteer.resolve(r["adm_1"]).admin.adm1
               == reports[f"ucdp-ged:{r['id']}"].place.admin.adm1 for r in rows)
    assert same / len(rows) >= 0.99


def test_a_sample_of_ucdp_rows_matches_field_by_field(with_ucdp):
    rows = {r["id"]: r for r in ucdp_rows()}
    sample = random.Random(2017).sample(sorted(rows), 40)
    # Named on purpose: a coalition on side_a, civilians as side_b, a range UCDP gives out
    # of order, a border camp just outside the boundary data, a country-wide event.
    coalition = next(i for i, r in rows.items()
                     if r["side_a"].startswith("Ahrar al-Sham, Jabhat Fateh al-Sham"))
    sample += [coalition, "255082", "242444"]
    sample += [next(i for i, r in rows.items() if r["side_b"] == "Civilians"),
               next(i for i, r in rows.items() if r["where_prec"] == "6")]
    with with_ucdp.session() as session:
        directory = ActorDirectory(parties.list_actors(session))
        reports = {r.source.key: r for r in iter_reports(session)}
    for rid in sample:
        row, report = rows[rid], reports[f"ucdp-ged:{rid}"]
        assert report.submitted_by == "SEC" and report.source.name == "UCDP GED"
        assert report.when.earliest.date().isoformat() == row["date_start"]
        assert report.when.latest.date().isoformat() == row["date_end"]
        assert report.when.precision is TimePrecision.from_ucdp(int(row["date_prec"]))
        assert (report.place.point.lon, report.place.point.lat) == (
            float(row["longitude"]), float(row["latitude"]))
        assert int(report.place.precision) == int(row["where_prec"])
        assert report.place.name == (row["where_coordinates"] or None)
        assert report.perpetrator_text == row["side_a"]
        assert list(report.perpetrators) == [
            directory.resolve(n.strip()) for n in row["side_a"].split(",")]
        if row["side_b"] == "Civilians":
            assert report.civilians_targeted and report.targets == ()
        else:
            assert list(report.targets) == [
                directory.resolve(n.strip()) for n in row["side_b"].split(",")]
        numbers = [int(row[c]) for c in ("low", "best", "high")]
        c = report.casualties
        assert (c.low, c.best, c.high) == (min(numbers), int(row["best"]), max(numbers))
        assert c.civilian == int(row["deaths_civilians"])
        assert c.combatant == int(row["deaths_a"]) + int(row["deaths_b"])
        assert c.unknown == int(row["deaths_unknown"])
        assert c.injured is None  # GED counts no injured: not known
        assert report.narrative == row["source_headline"]
    assert reports[f"ucdp-ged:{coalition}"].perpetrators[:2] == ("ahrar-al-sham",
                                                                 "jabhat-fatah-al-sham")


def test_importing_the_same_file_again_adds_nothing(with_ucdp):
    before = fingerprint(with_ucdp, skip=("imports",))
    again = import_file(with_ucdp, UCDP, format="ucdp", party="RU")
    assert (again.added, again.present) == (0, 3484)
    assert fingerprint(with_ucdp, skip=("imports",)) == before


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "hxl"])
def test_export_import_export_gives_the_same_file(with_ucdp, second_database, syria_scenario,
                                                  tmp_path, fmt):
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    with first.open("w", encoding="utf-8", newline="") as out:
        assert export_reports(with_ucdp, fmt, out) == 3484
    load_scenario(second_database, syria_scenario)
    summary = import_file(second_database, first, format=fmt, party="UN")
    assert summary.added == 3484
    with second.open("w", encoding="utf-8", newline="") as out:
        export_reports(second_database, fmt, out)
    assert first.read_bytes() == second.read_bytes()


def test_other_exports_hold_every_report(with_ucdp, tmp_path):
    import json
    out = tmp_path / "all.geojson"
    with out.open("w", encoding="utf-8") as f:
        export_reports(with_ucdp, "geojson", f)
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(features) == 3484 and features[0]["geometry"]["type"] == "Point"
    acled = tmp_path / "acled.csv"
    with acled.open("w", encoding="utf-8", newline="") as f:
        export_reports(with_ucdp, "acled", f, ReportFilter(adm="SY07"))
    with acled.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with with_ucdp.session() as session:
        assert len(rows) == count_reports(session, ReportFilter(adm="SY07")) > 100
    assert {r["admin1"] for r in rows} == {"Idleb"}


# -- bad files change nothing -----------------------------------------------------------------

def _ucdp_file(path: Path, rows: int = 20) -> list[list[str]]:
    with UCDP.open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))[:rows + 1]
    return records


def _write(path: Path, records: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(records)
    return path


def _set(records, line: int, column: str, value: str):
    records[line - 1][records[0].index(column)] = value
    return records


BAD_FILES = {
    "malformed date": (lambda p: _write(p, _set(_ucdp_file(p), 7, "date_start", "2017-02-30")),
                       7, "date_start"),
    "latitude out of range": (lambda p: _write(p, _set(_ucdp_file(p), 9, "latitude", "135.2")),
                              9, "latitude"),
    "unknown actor": (lambda p: _write(p, _set(_ucdp_file(p), 12, "side_a", "Martian Brigade")),
                      12, "side_a"),
    "wrong encoding": (lambda p: _write(p, _set(_ucdp_file(p), 15, "source_headline",
                                                  "Qصف على إدلب"), encoding="cp1256"),
                       15, "source_headline"),
}


def _truncated(path: Path) -> Path:
    _write(path, _ucdp_file(path))
    text = path.read_bytes()
    path.write_bytes(text[: text.rstrip(b"\n").rfind(b",Syria,") ])  # cut the last row
    return path


BAD_FILES["truncated last line"] = (_truncated, 21, "country")
def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


BAD_FILES["empty file"] = (_empty, 1, "header")


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_names_line_and_field_and_changes_nothing(with_ucdp, tmp_path, case):
    make, line, field = BAD_FILES[case]
    path = make(tmp_path / "bad.csv")
    before = fingerprint(with_ucdp)
    with pytest.raises(InvalidInput) as caught:
        import_file(with_ucdp, path, format="ucdp", party="SEC")
    assert (caught.value.line, caught.value.field) == (line, field), str(caught.value)
    assert caught.value.source == str(path)
    assert fingerprint(with_ucdp) == before


def test_an_amended_record_is_refused_not_overwritten(with_ucdp, tmp_path):
    records = _set(_ucdp_file(tmp_path), 4, "deaths_unknown", "40")
    records = _set(records, 4, "best", "40")
    records = _set(records, 4, "high", "40")
    before = fingerprint(with_ucdp)
    with pytest.raises(Conflict) as caught:
        import_file(with_ucdp, _write(tmp_path / "amended.csv", records), format="ucdp",
                    party="SEC")
    assert caught.value.line == 4 and "different content" in caught.value.message
    assert fingerprint(with_ucdp) == before


def test_skip_invalid_imports_the_rest_and_writes_the_rejects(loaded, tmp_path):
    records = _ucdp_file(tmp_path)
    _set(records, 3, "date_start", "yesterday")
    _set(records, 6, "side_b", "Martian Brigade")
    path = _write(tmp_path / "mixed.csv", records)
    rejects = tmp_path / "rejects.csv"
    summary = import_file(loaded, path, format="ucdp", party="SEC", rejects=rejects)
    assert (summary.read, summary.added, summary.rejected) == (20, 18, 2)
    with rejects.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["line"], r["field"]) for r in rows] == [("3", "date_start"), ("6", "side_b")]
    assert "Martian Brigade" in rows[1]["error"] and "Martian Brigade" in rows[1]["record"]
    fixed = _write(tmp_path / "fixed.csv", _ucdp_file(tmp_path))
    assert import_file(loaded, fixed, format="ucdp", party="SEC").added == 2


def test_a_jsonl_row_names_its_field(loaded, tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text('{"when": {"date": "2017-01-05"}, "place": {"name": "Idleb"}, '
                    '"violation": "shelling"}\n'
                    '{"when": {"date": "2017-01-32"}, "place": {"name": "Idleb"}, '
                    '"violation": "shelling"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_file(loaded, path, format="jsonl", party="TR")
    assert (caught.value.line, caught.value.field) == (2, "when.date")
    with loaded.session() as session:
        assert count_reports(session) == 0


# Another tool's HXL file: its own headers, found by tag; one figure of injured given, one
# left empty (not known).
INJURED_HXL = ("when,lat,lon,type,dead,wounded\n"
               "#date,#geo+lat,#geo+lon,#event+type,#affected+killed,#affected+injured\n"
               "2017-01-05T10:00:00Z,35.9306,36.6339,shelling,2,7\n"
               "2017-01-06T10:00:00Z,35.9306,36.6339,shelling,1,\n")


def test_hxl_injured_imports_and_every_export_carries_it(loaded, tmp_path):
    import json
    path = tmp_path / "injured.csv"
    path.write_text(INJURED_HXL, encoding="utf-8")
    assert import_file(loaded, path, format="hxl", party="UN").added == 2
    with loaded.session() as session:
        injured = {r.when.earliest.day: r.casualties.injured for r in iter_reports(session)}
    assert injured == {5: 7, 6: None}  # empty is not known, not none

    def exported(fmt: str) -> str:
        with (tmp_path / f"all.{fmt}").open("w", encoding="utf-8", newline="") as out:
            export_reports(loaded, fmt, out)
        return (tmp_path / f"all.{fmt}").read_text(encoding="utf-8")

    rows = list(csv.DictReader(exported("csv").splitlines()))
    assert [r["injured"] for r in rows] == ["7", ""]
    hxl = list(csv.reader(exported("hxl").splitlines()))
    assert [row[hxl[1].index("#affected+injured")] for row in hxl[2:]] == ["7", ""]
    lines = [json.loads(line) for line in exported("jsonl").splitlines()]
    assert [x["casualties"]["injured"] for x in lines] == [7, None]
    features = json.loads(exported("geojson"))["features"]
    assert [f["properties"]["casualties"]["injured"] for f in features] == [7, None]
    assert "injured" not in exported("acled").splitlines()[0]  # ACLED has no such column


def test_a_negative_injured_names_line_and_column_and_changes_nothing(loaded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(INJURED_HXL.replace(",2,7\n", ",2,-7\n"), encoding="utf-8")
    before = fingerprint(loaded)
    with pytest.raises(InvalidInput) as caught:
        import_file(loaded, path, format="hxl", party="UN")
    assert (caught.value.line, caught.value.field) == (3, "wounded"), str(caught.value)
    assert fingerprint(loaded) == before


ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
                "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
                "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
                "location,latitude,longitude,geo_precision,source,source_scale,notes,"
                "fatalities,tags,timestamp\n")
ACLED_ROWS = [
    'SYR1001,2017-01-08,2017,1,Political violence,Explosions/Remote violence,'
    'Shelling/artillery/missile attack,Military Forces of Syria (2000-),,1,'
    'Civilians (Syria),,7,17,Civilian targeting,760,Middle East,Syria,Idleb,Ariha,Ariha,'
    'Ariha,35.8131,36.6103,1,SOHR,National,Shells hit a residential area.,3,,1484000000\n',
    'SYR1002,08 January 2017,2017,2,Political violence,Battles,Armed clash,'
    'Islamic State (Syria),,2,Military Forces of Syria (2000-),National Defence Forces,1,'
    '12,,760,Middle East,Syria,Homs,Tadmor,Tadmor,Tadmor,34.5560,38.2670,2,SANA,National,'
    'Clashes near the airbase.,11,,1484000000\n',
    'SYR1003,2017-01-09,2017,1,Demonstrations,Protests,Peaceful protest,Protesters (Syria),'
    ',6,,,0,60,,760,Middle East,Syria,Idleb,Idleb,Idleb,Idleb,35.9306,36.6339,1,Local,'
    'Local,A protest.,0,,1484000000\n',
]


def test_acled_rows_map_actors_precisions_and_types(loaded, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_HEADER + "".join(ACLED_ROWS), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:  # a protest is not a ceasefire violation
        import_file(loaded, path, format="acled", party="UN")
    assert (caught.value.line, caught.value.field) == (4, "sub_event_type")
    summary = import_file(loaded, path, format="acled", party="UN",
                          rejects=tmp_path / "rejects.csv")
    assert (summary.added, summary.rejected) == (2, 1)
    with loaded.session() as session:
        found = {r.source.key: r for r in iter_reports(session)}
    shelling, clash = found["acled:SYR1001"], found["acled:SYR1002"]
    assert shelling.perpetrators == ("syrian-government",) and shelling.civilians_targeted
    assert shelling.place.admin.adm1 == "SY07" and shelling.casualties.best == 3
    assert shelling.casualties.injured is None  # ACLED counts no injured: not known
    assert clash.when.precision is TimePrecision.WEEK  # ACLED time_precision 2
    assert clash.place.precision is WherePrecision.NEAR  # geo_precision 2
    assert clash.perpetrators == ("isil",)
    assert clash.targets == ("syrian-government", "ndf")


def test_a_fault_in_a_later_batch_stops_the_import_and_its_reader(loaded, tmp_path):
    import threading

    records = _set(_ucdp_file(tmp_path, rows=40), 33, "latitude", "95")
    before = fingerprint(loaded)
    with pytest.raises(InvalidInput) as caught:
        import_file(loaded, _write(tmp_path / "late.csv", records), format="ucdp", party="SEC",
                    batch_size=5)
    assert (caught.value.line, caught.value.field) == (33, "latitude")
    assert fingerprint(loaded) == before
    assert not [t for t in threading.enumerate() if t.name == "import-prepare"]


def test_skipped_rows_of_every_batch_reach_the_rejects_in_line_order(loaded, tmp_path):
    records = _ucdp_file(tmp_path, rows=40)
    for line in (4, 12, 13, 38):
        _set(records, line, "side_b", "Nobody")
    rejects = tmp_path / "rejects.csv"
    summary = import_file(loaded, _write(tmp_path / "dirty.csv", records), format="ucdp",
                          party="SEC", rejects=rejects, batch_size=5)
    assert (summary.read, summary.added, summary.rejected) == (40, 36, 4)
    with rejects.open(encoding="utf-8") as f:
        assert [r["line"] for r in csv.DictReader(f)] == ["4", "12", "13", "38"]


def test_an_import_is_one_ledger_entry_that_the_record_matches(with_ucdp):
    from ceasefire.services import ledger_checks
    from ceasefire.store import ledger as ledger_store

    with with_ucdp.session() as session:
        actions = [e.action for e, _ in ledger_store.entries(session)]
    assert actions == ["ledger.opened", "scenario.loaded", *["agreement.amended"] * 6,
                       "reports.imported", "incidents.correlated"]
    # Every imported report, written in bulk (executemany, or COPY on PostgreSQL), holds
    # the digest the entry took of it.
    verified = ledger_checks.verify(with_ucdp)
    assert verified.ok, verified.problem
    assert verified.records > 3 * 3484
