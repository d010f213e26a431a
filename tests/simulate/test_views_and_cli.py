"""Real events split into party views, and `ceasefire simulate` read back by the importer."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from ceasefire.domain.actors import ActorDirectory
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.intake.files import LineReader
from ceasefire.intake.formats.ucdp import UcdpGed
from ceasefire.intake.normalise import IntakeContext, normalise
from ceasefire.intake.report_in import record_of
from ceasefire.services.scenarios import load_scenario
from ceasefire.simulate import NoiseModel, events_from_reports, party_views
from ceasefire.store.reports import count_reports, iter_reports
from tests.intake.test_import import UCDP, _ucdp_file, _write
from tests.test_cli import run, url_of


def ucdp_reports(actors, path: Path = UCDP):  # noqa: ANN001, ANN201
    """UCDP GED rows through the project's reader, without a database."""
    context = IntakeContext(frozenset({"SEC"}), ActorDirectory(actors), syria(),
                            syria_gazetteer())
    with path.open("rb") as stream:
        drafts = list(UcdpGed().read(LineReader(path, stream), None))
    return normalise(context, drafts, submitted_by="SEC",
                     received_at=datetime(2017, 7, 1, tzinfo=UTC))


def test_real_events_split_into_two_noisy_party_views(actors, tmp_path):
    records = ucdp_reports(actors, _write(tmp_path / "sample.csv",
                                          _ucdp_file(tmp_path, rows=300)))
    events = events_from_reports(records)
    assert len(events) == len(records)
    first, record = events[0], records[0]
    assert first.id == f"ev-{record.source.key}" and first.killed == record.casualties.best
    assert first.perpetrators == record.perpetrators and len(first.admin.codes()) == 3
    assert abs(first.moment - record.when.midpoint) <= timedelta(seconds=30)

    views = party_views(events, seed=3, actors=actors)
    assert {r.submitted_by for r in views.reports} == {"RU", "TR"}
    seen = {}
    for report in views.reports:
        seen.setdefault(views.truth[report.id], set()).add(report.submitted_by)
    both = sum(len(parties) == 2 for parties in seen.values())
    assert 0.55 < both / len(events) < 0.75  # 0.8 x 0.8, give or take
    assert views.events == events
    again = party_views(events, seed=3, actors=actors)
    assert [r.id for r in again.reports] == [r.id for r in views.reports]
    quiet = party_views(events, seed=3, actors=actors, noise=NoiseModel(duplicate_share=0.0))
    assert len(quiet.reports) < len(views.reports)


def test_cli_files_are_byte_identical_for_one_seed(tmp_path):
    args = ("simulate", "--seed", "5", "--events", "300", "--start", "2017-02-01",
            "--days", "30")
    first = run(*args, "--out", str(tmp_path / "a.jsonl"), "--truth", str(tmp_path / "a.csv"))
    assert first.exit_code == 0, first.output
    assert "300 events" in first.stderr
    run(*args, "--out", str(tmp_path / "b.jsonl"), "--truth", str(tmp_path / "b.csv"))
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    other = run("simulate", "--seed", "6", "--events", "300", "--out", str(tmp_path / "c.jsonl"))
    assert other.exit_code == 0
    assert (tmp_path / "c.jsonl").read_bytes() != (tmp_path / "a.jsonl").read_bytes()
    assert (tmp_path / "c.jsonl.truth.csv").is_file()
    assert not list(tmp_path.glob("*.partial"))


def test_bad_arguments_give_one_line_and_no_file(tmp_path):
    for args, message in ((("--events", "0"), "error: events: must be at least 1, got 0"),
                          (("--start", "2017-02-30"),
                           "error: start: '2017-02-30' is not a date (YYYY-MM-DD)"),
                          (("--seed", "-3"), "error: seed: must be a whole number >= 0")):
        result = run("simulate", *args, "--out", str(tmp_path / "x.jsonl"))
        assert result.exit_code == 1
        assert result.stderr.strip().startswith(message) and "\n" not in result.stderr.strip()
    assert not list(tmp_path.iterdir())


def test_every_simulated_report_imports(database, syria_scenario, tmp_path):
    load_scenario(database, syria_scenario)
    out, truth = tmp_path / "sim.jsonl", tmp_path / "truth.csv"
    made = run("simulate", "--seed", "9", "--events", "150", "--days", "20", "--out", str(out),
               "--truth", str(truth))
    assert made.exit_code == 0, made.output
    lines = out.read_bytes().count(b"\n")
    imported = run("--database-url", url_of(database), "import", str(out), "--format", "jsonl",
                   "--party", "SEC")
    assert imported.exit_code == 0, imported.output
    assert f"{lines} rows read, {lines} reports added, 0 already present, 0 rejected" in (
        imported.stdout)
    with truth.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with database.session() as session:
        assert count_reports(session) == lines == len(rows)
        stored = {r.id: r for r in iter_reports(session)}
    assert set(stored) == {row["report_id"] for row in rows}
    assert {r.submitted_by for r in stored.values()} == {"RU", "TR", "IR", "UN", "SEC"}
    for line in out.read_bytes().splitlines():  # stored as written
        record = orjson.loads(line)
        assert record_of(stored[record["id"]]) == record
