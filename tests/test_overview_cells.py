"""The counts by map cell (`overview_cells`): the whole record's count and map read from
them equal those counted on the overview's rows, before and after the response deadline
(the silence rule, and overdue incidents some guarantor answered); the country's maps are
drawn on their grid; what the public reads never rests on them. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command

from ceasefire.domain.bulletin import STATUSES
from ceasefire.outputs.mapshapes import view_for
from ceasefire.services import overview
from ceasefire.services.map_counts import _from_cells
from ceasefire.services.overview import Selection
from ceasefire.store import map_counts, overview_cells
from ceasefire.store import overview as store
from tests.test_bulletin import record  # noqa: F401 - a fixture
from tests.test_overview import verified  # noqa: F401 - a fixture


def _summed(cells: list[map_counts.CellCount]) -> dict[tuple, tuple[int, float, float]]:
    """The map's counts by area, cell and status (rows of one key added up)."""
    found: dict[tuple, list] = {}
    for c in cells:
        key = (c.area, c.column, c.row, c.status, c.adm1, c.adm2, c.adm3)
        sums = found.setdefault(key, [0, 0.0, 0.0])
        sums[0] += c.incidents
        sums[1] += c.lon_sum or 0.0
        sums[2] += c.lat_sum or 0.0
    return {k: (n, round(lon, 6), round(lat, 6)) for k, (n, lon, lat) in found.items()}


@pytest.mark.parametrize("hours_later", [0, 73], ids=["before-deadline", "after-deadline"])
def test_the_counts_by_cell_count_what_the_overview_counts(verified, hours_later):  # noqa: F811
    now = datetime.now(UTC) + timedelta(hours=hours_later)
    with verified.session() as session:
        rows = store.page(session, overview.scope(session, Selection(), now=now), limit=10**6)
        district = next(r.adm2 for r in rows if r.adm2)
        selections = [Selection(), Selection(adm="SY02"), Selection(adm=district),
                      Selection(party="TR"), Selection(party="SEC", adm="SY02"),
                      *(Selection(statuses=(s.value,)) for s in STATUSES)]
        answered = overview.scope(session, Selection(), now=now).lapsed.answered
        assert bool(answered) == bool(hours_later)  # both ways of the silence rule
        for selection in selections:
            found = overview.scope(session, selection, now=now)
            assert overview_cells.serves(found)
            assert overview.count(session, found) == store.count(session, found), selection
            for level in (1, 2):
                assert _summed(_from_cells(session, found, level=level)) == _summed(
                    map_counts.by_area_and_cell(session, found, level=level,
                                                size=overview_cells.CELL)), selection
        assert overview.count(session, overview.scope(session, Selection(), now=now)) == \
            len(rows) > 3000


def test_the_country_maps_are_drawn_on_the_grid_of_the_counts_by_cell():
    assert view_for(None).cell == view_for(None, districts=True).cell == overview_cells.CELL


def test_what_the_public_reads_and_periods_are_not_counted_by_cell(verified):  # noqa: F811
    now = datetime.now(UTC)
    with verified.session() as session:
        assert not overview_cells.serves(overview.scope(session, Selection(), now=now,
                                                        checked=True))
        for selection in (Selection(since=now.date()), Selection(violation="shelling"),
                          Selection(q="market")):
            assert not overview_cells.serves(overview.scope(session, selection, now=now))


def test_migration_0017_fills_what_the_code_counts(verified):  # noqa: F811
    with verified.session() as session:
        before = overview_cells.rows(session)
    config = verified._alembic_config()
    with (verified.engine.connect() as connection, verified.dialect.migrating(connection),
          connection.begin()):
        config.attributes["connection"] = connection
        command.downgrade(config, "0016")
    verified.upgrade()
    with verified.session() as session:
        assert overview_cells.differences(session) == []
        assert overview_cells.rows(session) == before and len(before) > 100
