"""Linking and clustering: the rules that keep events apart, and results that do not
depend on the order reports arrived in."""

import numpy as np
import pytest

from ceasefire.correlate.cluster import Links, founders
from ceasefire.correlate.engine import Decisions, cluster_again, correlate
from ceasefire.correlate.evaluate import bcubed, pair_recall, pairwise
from ceasefire.correlate.scoring import LEVELS, score_pairs
from ceasefire.correlate.settings import CorrelationSettings
from tests.correlate.columns import columns, simulated

SETTINGS = CorrelationSettings()
NO_PAIRS = (np.zeros(0, np.int64), np.zeros(0, np.int64))


def partition(labels):
    groups = {}
    for k, label in enumerate(labels.tolist()):
        groups.setdefault(label, set()).add(k)
    return {frozenset(g) for g in groups.values()}


def test_close_in_place_and_time_links_and_a_few_km_and_hours_more_do_not():
    # 1 is 0.9 km and an hour from 0; 2 is 5.4 km and 3 hours from 1, blamed on another.
    cols = columns(3, lon=np.array([37.0, 37.01, 37.07]),
                   t0_h=np.array([412_000.0, 412_001.0, 412_004.0]),
                   t1_h=np.array([412_000.0, 412_001.0, 412_004.0]),
                   perpetrators=np.array([1, 1, 2], np.uint64))
    result = correlate(cols, SETTINGS)
    assert result.candidates == 3
    assert partition(result.label) == {frozenset({0, 1}), frozenset({2})}


def test_conflicting_blame_does_not_outweigh_one_place_and_one_hour():
    cols = columns(2, lon=np.array([37.0, 37.005]), perpetrators=np.array([1, 2], np.uint64),
                   sides=np.array([1, 2], np.uint64))
    scores = score_pairs(cols, np.array([0]), np.array([1]), SETTINGS)
    assert scores.levels["actors"][0] == LEVELS["actors"].index("nobody in common")
    assert scores.total[0] >= SETTINGS.threshold


def test_blame_reversed_still_describes_one_clash():
    # Each side accuses the other: perpetrator and target swapped.
    cols = columns(2, lon=np.array([37.0, 37.01]), perpetrators=np.array([1, 2], np.uint64),
                   targets=np.array([2, 1], np.uint64))
    scores = score_pairs(cols, np.array([0]), np.array([1]), SETTINGS)
    assert scores.levels["actors"][0] == LEVELS["actors"].index("blame reversed")
    assert scores.total[0] >= SETTINGS.threshold


def test_two_records_of_one_curated_dataset_never_share_an_incident():
    # Reports 0 and 2 are curated records (keys 10 and 11) of one dataset; report 1 matches
    # both. It joins the one it matches better (0: nearer); 2 stays alone.
    cols = columns(3, lon=np.array([37.0, 37.005, 37.02]),
                   dataset=np.array([0, -1, 0], np.int32), key=np.array([10, -1, 11]))
    result = correlate(cols, SETTINGS)
    assert partition(result.label) == {frozenset({0, 1}), frozenset({2})}


def test_an_analysts_split_and_merge_hold():
    cols = columns(4, lon=np.array([37.0, 37.001, 37.002, 38.5]))
    assert partition(correlate(cols, SETTINGS).label) == {frozenset({0, 1, 2}),
                                                          frozenset({3})}
    decisions = Decisions(together=(np.array([0, 2]), np.array([3, 3])),
                          apart=(np.array([1, 1]), np.array([0, 2])))
    assert partition(correlate(cols, SETTINGS, decisions).label) == {
        frozenset({0, 2, 3}), frozenset({1})}


@pytest.mark.parametrize("seed", [5, 6])
def test_the_incidents_do_not_depend_on_the_order_of_the_reports(seed):
    cols, truth = simulated(seed)
    n = len(cols)
    first = correlate(cols, SETTINGS)
    order = np.random.default_rng(seed).permutation(n)
    second = correlate(cols.take(order), SETTINGS)
    back = np.empty(n, np.int64)
    back[order] = np.arange(n)
    assert partition(second.label[back]) == partition(first.label)
    assert (order[second.founder][back] == first.founder).all()
    assert len(partition(first.label)) < 0.6 * n  # reports were grouped
    assert pairwise(truth, first.label).f1 > 0.8  # and mostly rightly


def test_one_component_clustered_alone_equals_the_whole_run():
    cols, _ = simulated(9, events=600)
    whole = correlate(cols, SETTINGS)
    from ceasefire.correlate.cluster import components
    comp = components(len(cols), whole.links.i, whole.links.j)
    biggest = np.bincount(comp).argmax()
    members = np.flatnonzero(comp == biggest)
    assert len(members) >= 5  # big enough for the cannot-link rules to split it
    local = {int(m): k for k, m in enumerate(members)}
    inside = np.isin(whole.links.i, members)
    sub = Links(np.array([local[x] for x in whole.links.i[inside].tolist()]),
                np.array([local[x] for x in whole.links.j[inside].tolist()]),
                whole.links.score[inside], whole.links.forced[inside])
    part = cols.take(members)
    label = cluster_again(part, sub, NO_PAIRS, SETTINGS)
    assert partition(label) == partition(whole.label[members])
    assert (members[founders(part, label)] == whole.founder[members]).all()


def test_the_founder_is_the_first_received_then_the_smallest_id():
    cols = columns(3, lon=np.array([37.0, 37.001, 37.002]),
                   received_h=np.array([5.0, 3.0, 3.0]),
                   ids=np.array(["c", "b", "a"], dtype=object))
    assert correlate(cols, SETTINGS).founder.tolist() == [2, 2, 2]


@pytest.mark.parametrize("threads", [1, 2])
def test_reading_narratives_only_where_they_can_matter_gives_the_same_links(
        monkeypatch, threads):
    from numba import get_num_threads, set_num_threads

    import ceasefire.correlate.scoring as scoring
    from ceasefire.correlate.candidates import candidate_pairs
    from ceasefire.correlate.scoring import LINK, VETO, judge_pairs

    monkeypatch.setattr(scoring, "_MANY", 10)  # split even these few pairs over threads
    cols, _ = simulated(11, events=400, days=10)
    i, j = candidate_pairs(cols, SETTINGS)
    before = get_num_threads()
    try:
        set_num_threads(min(threads, before))
        _, outcome = judge_pairs(cols, i, j, SETTINGS)
    finally:
        set_num_threads(before)
    full = score_pairs(cols, i, j, SETTINGS, all_fields=True)
    same_key = (cols.dataset[i] >= 0) & (cols.dataset[i] == cols.dataset[j]) & (
        cols.key[i] != cols.key[j])
    assert np.array_equal(outcome == LINK, (full.total >= SETTINGS.threshold) & ~same_key
                          & ~full.vetoed(SETTINGS))
    assert np.array_equal(outcome == VETO, full.vetoed(SETTINGS))
    assert (outcome == LINK).sum() > 100 and (outcome == VETO).sum() > 100


def test_quality_measures_on_a_hand_counted_example():
    truth = np.array([0, 0, 0, 1, 1])
    predicted = np.array([0, 0, 1, 1, 1])
    # Predicted pairs: (0,1) (2,3) (2,4) (3,4); true among them: (0,1) (3,4).
    # True pairs: (0,1) (0,2) (1,2) (3,4).
    p = pairwise(truth, predicted)
    assert (p.precision, p.recall) == (0.5, 0.5)
    b = bcubed(truth, predicted)
    assert b.precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert b.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    assert pair_recall(truth, np.array([0, 3]), np.array([1, 4])) == 0.5
    assert pairwise(truth, truth).f1 == 1.0
