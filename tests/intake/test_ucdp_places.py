"""Where UCDP GED rows are placed: a region by the governorate it names, a country-level
event in no governorate, and how the assessment reads each, on the shipped extract."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.place import AdminCodes, Point, WherePrecision
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.intake.files import LineReader
from ceasefire.intake.formats.ucdp import UcdpGed
from ceasefire.intake.normalise import Draft, IntakeContext, normalise
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import verification
from tests.records import UCDP, UCDP_IMPORTED

# Rows of the shipped extract: IS against civilians in "Western Deir ez Zor Governorate",
# at a point UCDP put in Homs governorate; and two events UCDP places only in "Syria"
# (where_prec 6), the government against insurgents in January and in June 2017.
WESTERN_DEIR_EZ_ZOR, JANUARY, JUNE = "243112", "241422", "243418"


def extract_rows(*ids: str) -> list[dict[str, str]]:
    with UCDP.open(encoding="utf-8", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    return [rows[i] for i in ids]


def read_rows(tmp_path: Path, rows: list[dict[str, str]], scenario):  # noqa: ANN001, ANN201
    """Rows through the project's UCDP reader and normaliser, without a database."""
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    context = IntakeContext(frozenset({"SEC"}), ActorDirectory(scenario.actors), syria(),
                            syria_gazetteer())
    with path.open("rb") as stream:
        drafts = list(UcdpGed().read(LineReader(path, stream), None))
    return normalise(context, drafts, submitted_by="SEC",
                     received_at=datetime(2017, 7, 1, tzinfo=UTC))


def test_a_region_is_filed_by_the_governorate_it_names_not_by_its_point(tmp_path,
                                                                       syria_scenario):
    (row,) = extract_rows(WESTERN_DEIR_EZ_ZOR)
    point = Point(float(row["longitude"]), float(row["latitude"]))
    assert syria().locate(point).adm1 == "SY04"  # Homs: UCDP's point is over the line
    (report,) = read_rows(tmp_path, [row], syria_scenario)
    assert report.place.point == point  # kept as UCDP gave it
    assert report.place.admin == AdminCodes("SY09")  # Deir-ez-Zor, as the text says
    assert report.place.precision is WherePrecision.REGION


@pytest.mark.parametrize(("where_prec", "where", "adm1", "precision"), [
    # Known only to a region: the governorate named, region-level when only part of it.
    ("4", "Western Deir ez Zor", "SY09", WherePrecision.REGION),
    ("4", "ريف دير الزور الغربي", "SY09", WherePrecision.REGION),
    ("4", "Deir ez Zor Governorate", "SY09", WherePrecision.GOVERNORATE),
    ("5", "Eastern Qalamoun", "SY09", WherePrecision.REGION),  # adm_1 names it
    # A precise place keeps the governorate its point lies in, whatever its name says.
    ("2", "Western Deir ez Zor", "SY04", WherePrecision.NEAR),
])
def test_which_governorate_a_row_is_filed_by(tmp_path, syria_scenario, where_prec, where,
                                             adm1, precision):
    (row,) = extract_rows(WESTERN_DEIR_EZ_ZOR)
    row |= {"where_prec": where_prec, "where_coordinates": where}
    (report,) = read_rows(tmp_path, [row], syria_scenario)
    assert (report.place.admin.adm1, report.place.precision) == (adm1, precision)


@pytest.fixture
def with_ucdp(built_records, backend, request):
    """The scenario and the whole UCDP extract, as the secretariat imported it."""
    return built_records.copy(request, UCDP_IMPORTED)


def standing_of(db, key: str) -> verification.StandingView:  # noqa: ANN001
    with db.engine.connect() as c:
        (uid,) = c.execute(text(
            "SELECT i.uid FROM reports r JOIN incident_reports ir ON ir.report_id = r.id "
            "JOIN incidents i ON i.id = ir.incident_id WHERE r.source_key = :k"),
            {"k": f"ucdp-ged:{key}"}).scalars().all()
    (view,) = verification.read(db, uid)
    return view


def reason(view: verification.StandingView, rule: str) -> str:
    (found,) = [c["reason"] for c in view.checks if c["rule"] == rule]
    return found


def test_a_country_level_event_is_judged_by_the_area_of_the_whole_agreement(with_ucdp):
    for key in (JANUARY, JUNE):
        view = standing_of(with_ucdp, key)
        assert view.covered and view.status.value == "pending" and view.terms == "syria-2016"
        assert reason(view, "area") == ("located only to the country, all of which lies in "
                                        "the area the agreement covers")
    # In June the zones are in force, and it cannot be placed in any of them.
    assert reason(standing_of(with_ucdp, JUNE), "terms").startswith(
        "located only to the country, it cannot be placed in a zone, so no zone's terms "
        "apply; the terms of the Nationwide ceasefire")
    assert "zone" not in reason(standing_of(with_ucdp, JANUARY), "terms")


def test_the_imported_region_lies_in_the_governorate_named(with_ucdp):
    view = standing_of(with_ucdp, WESTERN_DEIR_EZ_ZOR)
    assert reason(view, "area") == "SY09 lies in the area the agreement covers"


@pytest.mark.parametrize(("precision", "adm1", "filed", "refused"), [
    (5, "SY09", "SY09", None),  # a region: the governorate given, wherever the point is
    (4, "SY09", "SY09", None),
    (1, "SY09", None, "SY09 does not hold the point, which lies in SY04"),
    (5, "SY99", None, "unknown P-code 'SY99'"),
])
def test_a_point_with_a_governorate_given(syria_scenario, precision, adm1, filed, refused):
    given = ReportIn.model_validate({
        "when": {"date": "2017-03-09"}, "violation": "shelling",
        "place": {"lon": 39.55, "lat": 34.97, "precision": precision, "adm1": adm1}})
    context = IntakeContext(frozenset({"SEC"}), ActorDirectory(syria_scenario.actors),
                            syria(), syria_gazetteer())

    def place():  # noqa: ANN202
        (report,) = normalise(context, [Draft(given)], submitted_by="SEC",
                              received_at=datetime(2017, 7, 1, tzinfo=UTC))
        return report.place

    if refused is None:
        assert place().admin == AdminCodes(filed)
    else:
        with pytest.raises(InvalidInput, match=re.escape(refused)) as caught:
            place()
        assert caught.value.field == "place.adm1"
