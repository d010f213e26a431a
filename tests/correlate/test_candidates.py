"""The candidate stage finds exactly the pairs its rule allows: no more, and none missed."""

import numpy as np
import pytest

from ceasefire.correlate.candidates import (
    candidate_pairs,
    is_candidate,
    pairs_with,
)
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.simulate.places import distance_km
from tests.correlate.columns import columns, mixed, with_areas

SETTINGS = CorrelationSettings()


def brute_force(cols, settings):
    i, j = np.triu_indices(len(cols), 1)
    keep = is_candidate(cols, i, j, settings)
    return set(zip(i[keep].tolist(), j[keep].tolist(), strict=True))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_grid_finds_every_pair_the_rule_allows_across_precisions(seed):
    cols = mixed(1500, seed)
    i, j = candidate_pairs(cols, SETTINGS)
    found = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(found) == len(set(found))  # each pair once
    assert set(found) == brute_force(cols, SETTINGS)
    assert len(found) > 1000  # the mixture really produced pairs of every kind


@pytest.mark.parametrize("seed", [1, 2])
def test_the_joins_find_every_pair_the_rule_allows_with_admin_areas(seed):
    cols = with_areas(2500, seed)
    i, j = candidate_pairs(cols, SETTINGS)
    found = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(found) == len(set(found))
    assert set(found) == brute_force(cols, SETTINGS)
    area = cols.area >= 0
    assert (area[i] & area[j]).sum() > 100 and (area[i] ^ area[j]).sum() > 1000


@pytest.mark.parametrize("build", [mixed, with_areas])
def test_walks_across_time_blocks_miss_nothing(monkeypatch, build):
    """Blocks of two days, so that most pairs lie across blocks and week-long reports
    reach past the next one's start (the block then widens to the longest span)."""
    import ceasefire.correlate.candidates as candidates

    monkeypatch.setattr(candidates, "_BLOCK_H", 48.0)
    cols = build(2000, 5)
    i, j = candidate_pairs(cols, SETTINGS)
    found = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(found) == len(set(found)) and set(found) == brute_force(cols, SETTINGS)


def test_the_pairs_do_not_depend_on_how_many_threads_join_them(monkeypatch):
    from numba import get_num_threads, set_num_threads

    import ceasefire.correlate.candidates as candidates

    monkeypatch.setattr(candidates, "_MANY", 100)  # slice even these few reports
    cols = with_areas(3000, 6)
    before = get_num_threads()
    try:
        set_num_threads(1)
        one = set(zip(*(x.tolist() for x in candidate_pairs(cols, SETTINGS)), strict=True))
        set_num_threads(before)
        many = set(zip(*(x.tolist() for x in candidate_pairs(cols, SETTINGS)), strict=True))
    finally:
        set_num_threads(before)
    assert one == many and len(one) > 1000


def test_an_area_meets_what_lies_near_it_and_not_what_lies_only_in_its_circle():
    """Against the exact geometry (shapely, in km about each area): a point within its
    radius and the slack of the area always meets it; one two raster cells further does
    not, however close to the area's centre."""
    import shapely

    from ceasefire.geo.admin import syria

    admin = syria()
    grid = admin.area_grid()
    rng = np.random.default_rng(7)
    diagonal = np.hypot(grid.step_lon * 111.2 * np.cos(np.radians(37.8)),
                        grid.step_lat * 111.2)
    checked = 0
    for code in grid.codes[::5]:
        centre, extent = admin.extent(code)
        lon0 = np.cos(np.radians(centre.lat)) * 111.2
        scale = np.array([lon0, 111.2])
        area_km = shapely.transform(admin.geometry(code), lambda xy, s=scale: xy * s)
        # Points within the area's circle, where the circle rule would meet them all.
        angle, r = rng.uniform(0, 2 * np.pi, 400), extent * np.sqrt(rng.uniform(0, 1, 400))
        lon = centre.lon + r * np.cos(angle) / lon0
        lat = centre.lat + r * np.sin(angle) / 111.2
        true = shapely.distance(area_km, shapely.points(np.c_[lon, lat] * scale))
        n = len(lon) + 1
        cols = columns(n, lon=np.r_[centre.lon, lon], lat=np.r_[centre.lat, lat],
                       radius_km=np.r_[extent, np.full(n - 1, 2.0)],
                       area=np.r_[grid.index[code], np.full(n - 1, -1)].astype(np.int32),
                       areas=grid)
        meets = is_candidate(cols, np.zeros(n - 1, np.int64), np.arange(1, n), SETTINGS)
        reach = 2.0 + SETTINGS.slack_km
        # Projection about the centre errs by under 1%: half a km at these distances.
        assert meets[true <= reach - 0.5].all()
        assert not meets[true > reach + 2 * diagonal + 0.5].any()
        checked += int((true > reach + 2 * diagonal + 0.5).sum())
    assert checked > 500  # the circle held many points the area rule turns away


def test_a_district_level_report_meets_a_point_inside_its_district():
    # 60 km apart: too far for two points, not for a district 55 km wide and a point.
    lon = np.array([37.0, 37.0 + 60 / (111.2 * np.cos(np.radians(36.0)))])
    cols = columns(2, lon=lon, radius_km=np.array([55.0, 2.0]))
    assert distance_km(lon[0], 36.0, lon[1], 36.0) == pytest.approx(60, 0.01)
    assert brute_force(cols, SETTINGS) == {(0, 1)}
    i, j = candidate_pairs(cols, SETTINGS)
    assert (i.tolist(), j.tolist()) == ([0], [1])
    far = columns(2, lon=lon)
    assert candidate_pairs(far, SETTINGS)[0].size == 0


def test_a_day_meets_an_exact_time_in_it_and_the_next_morning_within_the_slack():
    day = 412_008.0  # a midnight (hours since 1970 divisible by 24)
    t0 = np.array([day, day + 15.0, day + 24.0 + 5.0, day + 24.0 + 7.0])
    t1 = np.array([day + 24.0 - 1e-6, *t0[1:]])
    cols = columns(4, t0_h=t0, t1_h=t1)
    pairs = set(zip(*(x.tolist() for x in candidate_pairs(cols, SETTINGS)), strict=True))
    # 0-1: inside the day; 0-2: 5 h after it (slack 6 h); 0-3: 7 h after it, too late.
    assert (0, 1) in pairs and (0, 2) in pairs and (0, 3) not in pairs


def test_reports_too_vague_to_compare_meet_nothing():
    cols = columns(3, correlatable=np.array([True, False, True]))
    pairs = set(zip(*(x.tolist() for x in candidate_pairs(cols, SETTINGS)), strict=True))
    assert pairs == {(0, 2)}


def test_the_pairs_of_a_few_new_reports_are_the_grids_pairs_that_hold_them():
    cols = mixed(1200, 4)
    i, j = candidate_pairs(cols, SETTINGS)
    new = np.array([3, 500, 501, 1199])
    touching = np.isin(i, new) | np.isin(j, new)
    expected = set(zip(i[touching].tolist(), j[touching].tolist(), strict=True))
    pi, pj = pairs_with(cols, new, SETTINGS)
    found = list(zip(pi.tolist(), pj.tolist(), strict=True))
    assert len(found) == len(set(found)) and set(found) == expected and expected
