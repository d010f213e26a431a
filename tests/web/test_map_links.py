"""Where a circle of the map leads, on both backends: to the incident list narrowed to
the narrowest area that holds its incidents, and the number of incidents its title
promises is the number that list shows (docs/pages.md, Map)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ceasefire.geo.admin import syria
from ceasefire.services import overview
from ceasefire.services.imports import import_file
from ceasefire.services.map_counts import map_counts, narrowest_area
from ceasefire.services.overview import Selection
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import map_counts as store
from tests.store.test_map_counts import ucdp_part

NOW = datetime(2017, 6, 1, tzinfo=UTC)


@pytest.fixture
def record(database, syria_scenario, tmp_path):
    load_scenario(database, syria_scenario)
    import_file(database, ucdp_part(tmp_path, 8), format="ucdp", party="SEC")
    return database


def _listed(session, selection: Selection) -> list:
    return overview.page(session, overview.scope(session, selection, now=NOW), limit=10_000)


@pytest.mark.parametrize("adm", [None, "SY02", "SY03"])
def test_each_circle_leads_to_a_list_of_as_many_as_it_promises(record, adm):
    areas = syria()
    with record.session() as session:
        m = map_counts(session, Selection(adm=adm), now=NOW)
        assert m.clusters
        for c in m.clusters:
            assert c.area is not None and c.area in areas
            assert 0 < c.in_area <= c.incidents and c.in_area <= c.listed
            shown = _listed(session, Selection(adm=c.area))
            assert len(shown) == c.listed, (c, len(shown))
            if adm is not None:  # a zoomed view's circles stay inside its governorate
                assert areas.codes_for(c.area).adm1 == adm
        # Most circles lie in one area of the view; all their incidents are in the list.
        whole = [c for c in m.clusters if c.in_area == c.incidents]
        assert len(whole) > 0.75 * len(m.clusters)


def test_the_narrowest_area_of_a_cell():
    def part(adm1, adm2, adm3, n):
        return store.CellCount(adm1, 1, 1, "pending", n, 0.0, 0.0, adm1, adm2, adm3)

    narrowest = narrowest_area
    # One sub-district: that sub-district.
    assert narrowest([part("SY02", "SY0202", "SY020200", 3)] * 2) == ("SY020200", 6)
    # Two sub-districts of a district: the district.
    assert narrowest([part("SY02", "SY0202", "SY020200", 3),
                      part("SY02", "SY0202", "SY020201", 1)]) == ("SY0202", 4)
    # One known only by its governorate: the governorate.
    assert narrowest([part("SY02", "SY0202", "SY020200", 3),
                      part("SY02", None, None, 1)]) == ("SY02", 4)
    # Astride two governorates: the one holding most, narrowed within it.
    assert narrowest([part("SY07", "SY0700", "SY070000", 5),
                      part("SY02", "SY0200", "SY020000", 2)]) == ("SY070000", 5)
    # In no governorate: nowhere to lead.
    assert narrowest([part(None, None, None, 4)]) == (None, 0)
