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
from tests.correlate.columns import columns, mixed

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
