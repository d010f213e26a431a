"""Clustering: the cannot-link rules give what listing every pair of a component gave, and
a component of any size is split within memory linear in its reports and links."""

import tracemalloc
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ceasefire.correlate.candidates import _meet_pairs, _rule_inputs, candidate_pairs
from ceasefire.correlate.cluster import clusters, components
from ceasefire.correlate.engine import Decisions, correlate, link, with_decisions
from ceasefire.correlate.evaluate import pair_recall
from ceasefire.correlate.settings import CorrelationSettings
from tests.correlate.columns import columns, mixed, simulated, with_areas

SETTINGS = CorrelationSettings()


def all_pairs(cols, links, apart, settings):
    """The rules as docs/correlation.md states them, written plainly: every pair of each
    component that must stay apart listed in full (what cluster.py did until a component
    of 50,000 reports needed more memory than a machine has), then links taken strongest
    first, a link skipped when it would join such a pair."""
    n = len(cols)
    graph = coo_matrix((np.ones(len(links.i)), (links.i, links.j)), shape=(n, n))
    label = connected_components(graph, directed=False)[1]
    groups = {}
    for k, c in enumerate(label.tolist()):
        groups.setdefault(c, []).append(k)
    cannot = {(min(a, b), max(a, b)) for a, b in zip(*(x.tolist() for x in apart),
                                                     strict=True) if label[a] == label[b]}
    rule = _rule_inputs(cols, settings)
    for members in groups.values():
        m = np.array(members, np.int64)
        if len(m) >= 3:
            u, v = np.triu_indices(len(m), 1)
            fails = ~_meet_pairs(m[u], m[v], rule)
            cannot.update(zip(m[u][fails].tolist(), m[v][fails].tolist(), strict=True))
        keyed = [k for k in members if cols.dataset[k] >= 0]
        cannot.update((x, y) for x, y in combinations(keyed, 2)
                      if cols.dataset[x] == cols.dataset[y] and cols.key[x] != cols.key[y])
    broken = {int(label[a]) for a, _ in cannot}
    tb = [int(t) for t in cols.tiebreak]
    score = np.where(links.forced, np.inf, links.score).tolist()
    li, lj = links.i.tolist(), links.j.tolist()
    taken = sorted((k for k in range(len(li)) if label[li[k]] in broken),
                   key=lambda k: (-score[k], min(tb[li[k]], tb[lj[k]]),
                                  max(tb[li[k]], tb[lj[k]])))
    parent, held = list(range(n)), {k: [k] for k in range(n)}

    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for k in taken:
        big, small = root(li[k]), root(lj[k])
        if big == small:
            continue
        if len(held[big]) < len(held[small]):
            big, small = small, big
        if not links.forced[k] and any((min(x, y), max(x, y)) in cannot
                                       for x in held[big] for y in held[small]):
            continue
        parent[small] = big
        held[big] += held.pop(small)
    label = label.astype(np.int32)
    out = label.copy()
    for m in range(n):
        if label[m] in broken:
            out[m] = label.max() + 1 + root(m)
    return out


def decided(cols, seed, count):
    """Analysts' decisions drawn at random among near reports: merges and splits."""
    rng = np.random.default_rng(seed)
    near = np.argsort(cols.t0_h, kind="stable")
    a = rng.integers(0, len(cols) - 5, 2 * count)
    b = a + rng.integers(1, 5, 2 * count)
    x, y = near[a], near[b]
    return Decisions(together=(x[:count], y[:count]), apart=(x[count:], y[count:]))


# Reports of every precision (tests/correlate/columns.py) share few fields, so few pairs
# reach the default threshold; a lower one chains them into components of hundreds.
LOOSE = replace(SETTINGS, threshold=-4.0)
CASES = {
    "simulated, seed 5": (lambda: simulated(5)[0], SETTINGS),
    "simulated, seed 12": (lambda: simulated(12)[0], SETTINGS),
    "every precision": (lambda: mixed(1500, 1), LOOSE),
    "admin areas": (lambda: with_areas(2000, 2), LOOSE),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("decisions", [False, True])
def test_the_split_is_what_listing_every_pair_of_a_component_gave(case, decisions):
    build, settings = CASES[case]
    cols = build()
    i, j = candidate_pairs(cols, settings)
    found, vetoed = link(cols, i, j, settings)
    taken = decided(cols, len(cols), 40) if decisions else Decisions()
    links = with_decisions(found, taken)
    apart = tuple(np.concatenate([taken.apart[k], vetoed[k]]) for k in (0, 1))
    label = clusters(cols, links, apart, settings)
    assert np.array_equal(label, all_pairs(cols, links, apart, settings))
    sizes = np.bincount(components(len(cols), links.i, links.j))
    assert sizes.max() >= 10 and len(np.unique(label)) > len(sizes)  # components were split


def test_components_are_numbered_as_scipy_numbers_them():
    rng = np.random.default_rng(3)
    n = 2000
    i, j = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    assert np.array_equal(components(n, i, j), connected_components(graph, directed=False)[1])
    assert components(0, i[:0], j[:0]).size == 0


def chain(n):
    """A report an hour at one place: each links with the next six (the slack), so the
    links chain n reports into one component that spans n hours."""
    rng = np.random.default_rng(n)
    t = 412_000.0 + np.arange(n, dtype=np.float64)
    return columns(n, lon=37.0 + rng.uniform(-0.005, 0.005, n),
                   lat=36.0 + rng.uniform(-0.005, 0.005, n), t0_h=t, t1_h=t.copy())


REPORTS = 50_000
BUDGET_MIB = 128  # numpy's arrays at their peak; measured: 40 MiB
RSS_BUDGET_MIB = 256  # everything resident, the compiled loops' arrays too; measured: 46


def _resident_mib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field}")


def test_a_component_of_50000_reports_correlates_within_a_fixed_memory_budget():
    """Listing every pair of this component took 20 GB (1.25 billion pairs); at 5,000
    reports it already took 764 MiB, at 20,000 12 GiB. Split by time as clusters grow,
    it takes tens of MiB, and every link inside six hours is kept."""
    cols = chain(REPORTS)
    correlate(chain(50), SETTINGS)  # compiled (or read from numba's cache) first
    clear = Path("/proc/self/clear_refs")
    rss = clear.exists()
    if rss:  # Linux: start the peak resident set afresh (as VmHWM resets at exec)
        clear.write_text("5")
        before = _resident_mib("VmRSS")
    tracemalloc.start()
    try:
        result = correlate(cols, SETTINGS)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert peak < BUDGET_MIB, f"peak {peak:.0f} MiB"
    if rss:
        assert _resident_mib("VmHWM") - before < RSS_BUDGET_MIB
    sizes = np.bincount(components(REPORTS, result.links.i, result.links.j))
    assert sizes.max() == REPORTS  # one component
    clustered = np.bincount(result.label)
    assert clustered.max() <= 7 and clustered.sum() == REPORTS  # split by time
    # Reports within the slack of each other stay candidates: none of a true pair lost.
    t = np.arange(REPORTS)
    truth = t // 4  # events of four reports an hour apart
    i, j = candidate_pairs(cols, SETTINGS)
    assert pair_recall(truth, i, j) == 1.0


def test_chains_over_time_are_split_where_the_rule_fails_on_time_alone():
    """Links chain reports two hours apart over a day; no incident spans more than the
    slack, and each is whole: every two of its reports meet the rule."""
    t = 412_000.0 + 2.0 * np.arange(12)
    cols = columns(12, t0_h=t, t1_h=t.copy())
    label = correlate(cols, SETTINGS).label
    for c in np.unique(label):
        span = t[label == c]
        assert span.max() - span.min() <= SETTINGS.slack_hours
    assert len(np.unique(label)) >= 3
