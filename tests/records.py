"""Records many tests start from, built once per session and backend (tests/conftest.py's
BuiltRecords) and copied for each test that asks."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

from ceasefire.domain.agreement import AmendedBy
from ceasefire.intake.scenario import Scenario, locate, parse
from ceasefire.services.imports import import_file
from ceasefire.services.scenarios import load_scenario
from tests.conftest import Recipe

# The UCDP GED extract the product ships (its SOURCE note beside it).
UCDP = Path(str(resources.files("ceasefire.scenarios.data")
                .joinpath("ged_syria_2016-12_2017-06.csv")))


@cache
def syria() -> Scenario:
    source, body = locate("syria-2016")
    return parse(body, source=source)


def _ucdp(db, tmp: Path) -> None:
    summary = import_file(db, UCDP, format="ucdp", party="SEC")
    assert (summary.read, summary.added, summary.rejected) == (3484, 3484, 0)


# The Syria 2016 scenario, loaded.
SCENARIO = Recipe("scenario", lambda db, tmp: load_scenario(db, syria()).tokens)


def by_guarantors() -> Scenario:
    """The Syria scenario with terms its guarantors amend, by proposal and consent."""
    s = syria()
    return replace(s, agreements=tuple(replace(a, amended_by=AmendedBy.GUARANTORS)
                                       for a in s.agreements))


# The same, its terms amended by the guarantors' consent rather than the secretariat.
BY_GUARANTORS = Recipe("by_guarantors", lambda db, tmp: load_scenario(db, by_guarantors()).tokens)
# ...and the whole UCDP extract imported by the secretariat.
UCDP_IMPORTED = Recipe("ucdp", _ucdp, base=SCENARIO)
