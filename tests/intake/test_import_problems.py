"""Bad rows in bulk: every problem of a row named at once, each row normalised once, and a
check of a whole file that changes nothing."""

from __future__ import annotations

import csv
import json

import pytest

from ceasefire.errors import InvalidInput
from ceasefire.intake import normalise as normalise_module
from ceasefire.services import imports as imports_service
from ceasefire.services.imports import check_file, import_file
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import ledger as ledger_store
from tests.fingerprint import fingerprint
from tests.intake.test_import import _set, _ucdp_file, _write


@pytest.fixture
def loaded(database, syria_scenario):
    load_scenario(database, syria_scenario)
    return database


def _rejects(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _dirty_ucdp(tmp_path, rows: int = 20):
    """Bad rows of several kinds, some with several problems each."""
    records = _ucdp_file(tmp_path, rows=rows)
    # Three unknown names in one row: two on side_a, one on side_b.
    _set(records, 3, "side_a", "Martian Brigade, Ahrar al-Shan")
    _set(records, 3, "side_b", "Lunar Legion")
    # Cells that cannot be read, a value out of range, and an unknown actor.
    _set(records, 5, "date_start", "2017-02-30")
    _set(records, 5, "latitude", "135.2")
    _set(records, 5, "side_b", "Lunar Legion")
    _set(records, 8, "deaths_a", "many")
    _set(records, 8, "type_of_violence", "9")
    # Read well, refused when normalised: a point outside the country, an unknown actor.
    _set(_set(records, 11, "latitude", "10.0"), 11, "longitude", "10.0")
    _set(records, 11, "side_a", "Ahrar al-Shan")
    return _write(tmp_path / "dirty.csv", records)


EVERY_PROBLEM = [("3", "side_a", "Martian Brigade"), ("3", "side_a", "Ahrar al-Shan"),
                 ("3", "side_b", "Lunar Legion"), ("5", "date_start", "2017-02-30"),
                 ("5", "latitude", "less than or equal to 90"),
                 ("5", "side_b", "Lunar Legion"), ("8", "type_of_violence", "9 is not one"),
                 ("8", "deaths_a", "'many' is not a whole number"),
                 ("11", "latitude", "outside every admin area"),
                 ("11", "side_a", "Ahrar al-Shan")]


def test_the_rejects_file_lists_every_problem_of_each_row(loaded, tmp_path):
    rejects = tmp_path / "rejects.csv"
    summary = import_file(loaded, _dirty_ucdp(tmp_path), format="ucdp", party="SEC",
                          rejects=rejects)
    assert (summary.read, summary.added, summary.rejected) == (20, 16, 4)
    rows = _rejects(rejects)
    assert list(rows[0]) == ["line", "field", "id", "error", "record"]
    assert [(r["line"], r["field"]) for r in rows] == [(line, field)
                                                       for line, field, _ in EVERY_PROBLEM]
    for row, (_, _, said) in zip(rows, EVERY_PROBLEM, strict=True):
        assert said in row["error"], row
    assert len({r["record"] for r in rows if r["line"] == "3"}) == 1  # the row as given


def test_without_skip_invalid_the_first_problem_stops_the_import(loaded, tmp_path):
    path = _dirty_ucdp(tmp_path)
    before = fingerprint(loaded)
    with pytest.raises(InvalidInput) as caught:
        import_file(loaded, path, format="ucdp", party="SEC")
    assert (caught.value.source, caught.value.line, caught.value.field) == (
        str(path), 3, "side_a")
    assert "Martian Brigade" in caught.value.message
    assert fingerprint(loaded) == before


def test_a_jsonl_row_names_every_problem(loaded, tmp_path):
    good = {"when": {"date": "2017-01-05"}, "place": {"name": "Idleb"},
            "violation": "shelling"}
    bad = {**good, "when": {"date": "2017-01-32"}, "casualties": {"best": -1},
           "perpetrators": ["Martian Brigade", "isil", "Lunar Legion"]}
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    summary = import_file(loaded, path, format="jsonl", party="TR", rejects=rejects)
    assert (summary.added, summary.rejected) == (1, 1)
    assert [(r["line"], r["field"]) for r in _rejects(rejects)] == [
        ("2", "when.date"), ("2", "casualties.best"), ("2", "perpetrators[0]"),
        ("2", "perpetrators[2]")]


def _counting(monkeypatch) -> dict[str, list]:
    """Count the batches normalised and the rows each row's normalisation is run for."""
    seen: dict[str, list] = {"batches": [], "rows": []}
    batch, row = imports_service.normalise_each, normalise_module._report

    def each(context, drafts, **kwargs):
        seen["batches"].append(len(drafts))
        return batch(context, drafts, **kwargs)

    def report(draft, *args, **kwargs):
        seen["rows"].append(draft.line)
        return row(draft, *args, **kwargs)

    monkeypatch.setattr(imports_service, "normalise_each", each)
    monkeypatch.setattr(normalise_module, "_report", report)
    return seen


def test_normalisation_does_not_grow_with_the_bad_rows(loaded, tmp_path, monkeypatch):
    seen = _counting(monkeypatch)
    clean = _write(tmp_path / "clean.csv", _ucdp_file(tmp_path, rows=40))
    import_file(loaded, clean, format="ucdp", party="SEC", batch_size=10,
                rejects=tmp_path / "none.csv", correlate=False)
    clean_batches, clean_rows = seen["batches"][:], seen["rows"][:]
    seen["batches"].clear()
    seen["rows"].clear()
    records = _ucdp_file(tmp_path, rows=40)
    for line in range(2, 42, 3):  # 14 bad rows, refused once normalised
        _set(records, line, "side_b", f"Nobody {line}")
    summary = import_file(loaded, _write(tmp_path / "dirty.csv", records), format="ucdp",
                          party="RU", batch_size=10, rejects=tmp_path / "rejects.csv",
                          correlate=False)
    assert summary.rejected == 14
    assert clean_batches == seen["batches"] == [10, 10, 10, 10]
    assert sorted(clean_rows) == sorted(seen["rows"]) == list(range(2, 42))  # each once


def _state(db):
    with db.session() as session:
        return fingerprint(db), ledger_store.head(session)[0]


def test_check_names_unknown_actors_with_their_rows_and_nearest_and_writes_nothing(
        loaded, tmp_path):
    path = _dirty_ucdp(tmp_path)
    before = _state(loaded)
    found = check_file(loaded, path, format="ucdp")
    assert _state(loaded) == before
    assert (found.read, found.bad_rows, found.clean) == (20, 4, False)
    unknown = {u.name: u for u in found.unknown}
    assert {n: u.rows for n, u in unknown.items()} == {
        "Ahrar al-Shan": 2, "Lunar Legion": 2, "Martian Brigade": 1}
    assert found.unknown[0].name == "Ahrar al-Shan"  # most rows first, then by name
    nearest = unknown["Ahrar al-Shan"].nearest[0]
    assert (nearest.code, nearest.letters) == ("ahrar-al-sham", 1)
    assert unknown["Martian Brigade"].nearest == ()
    assert {(c.column, c.count) for c in found.problems} == {
        ("latitude", 2), ("date_start", 1), ("type_of_violence", 1), ("deaths_a", 1)}
    latitude = next(c for c in found.problems if c.column == "latitude")
    assert latitude.line == 5


def test_check_of_a_clean_file(loaded, tmp_path):
    path = _write(tmp_path / "clean.csv", _ucdp_file(tmp_path))
    found = check_file(loaded, path, format="ucdp", party="SEC")
    assert (found.read, found.clean, found.unknown, found.problems) == (20, True, (), ())
