"""From links to incidents: connected components, then the cannot-link rules.

Linked reports form components. A component that breaks no rule is one incident. One that
holds two records of one curated dataset with different keys (different events, by the
dataset's own account), or two reports an analyst separated, is split greedily: links are
taken strongest first and a link is skipped when it would join what must stay apart.
The same holds for pairs scored so low that they veto being joined through others.
Links are ordered by score, then by hashes of the reports' ids, so the result depends only on the
links and the rules, never on the order reports arrived in: a component re-clustered on
its own gives what a batch run over everything gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ceasefire.correlate.candidates import _meet_pairs, _rule_inputs
from ceasefire.correlate.columns import Pairs, Positions, ReportColumns
from ceasefire.correlate.settings import CorrelationSettings

Labels: TypeAlias = NDArray[np.integer[Any]]
"""A cluster number per report (scipy's components: int32)."""
Ints: TypeAlias = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Links:
    """Pairs of report indexes (i < j) with their scores; ``forced`` pairs were joined by
    an analyst and outrank any score."""

    i: Positions
    j: Positions
    score: NDArray[np.float64]
    forced: NDArray[np.bool_]


def components(n: int, i: Positions, j: Positions) -> NDArray[np.int32]:
    graph = coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))
    label: NDArray[np.int32] = connected_components(graph, directed=False)[1]
    return label


def clusters(cols: ReportColumns, links: Links, apart: Pairs,
             settings: CorrelationSettings) -> NDArray[np.int32]:
    """A cluster number for each report: components of the links, split where a rule says
    two reports are different events. ``apart`` holds pairs to keep apart: analysts'
    splits and vetoed pairs; to them come the pairs of a component that could not be one
    event at all (too far apart in place or time)."""
    label = components(len(cols), links.i, links.j)
    inside = label[apart[0]] == label[apart[1]]  # only these can matter
    far_i, far_j = incompatible_pairs(cols, label, settings)
    apart = (np.concatenate([apart[0][inside], far_i]),
             np.concatenate([apart[1][inside], far_j]))
    broken = _broken_components(cols, label, apart)
    if broken.size:
        in_broken = np.isin(label[links.i], broken)
        roots = _resolve(cols, label, broken, links, in_broken, apart)
        split = roots >= 0
        label = label.copy()
        label[split] = label.max() + 1 + roots[split]  # numbers no component uses
    return label


def incompatible_pairs(cols: ReportColumns, label: Labels, settings: CorrelationSettings,
                       ) -> Pairs:
    """Pairs in one component that fail the candidate rule: a chain of links can reach
    from one event to another a day or 30 km away, but one event cannot be both."""
    order = np.argsort(label, kind="stable")
    sorted_label = label[order]
    starts = np.flatnonzero(np.r_[True, sorted_label[1:] != sorted_label[:-1]])
    sizes = np.diff(np.r_[starts, len(label)])
    big = sizes >= 3  # two linked reports are candidates of each other already
    i, j = _within(order.astype(np.int64), starts[big], sizes[big])
    fails = ~_meet_pairs(i, j, _rule_inputs(cols, settings))
    return i[fails], j[fails]


@njit(cache=True)
def _within(order: Ints, first: Positions, size: Positions,
            ) -> tuple[Ints, Ints]:  # pragma: no cover (compiled)
    """Every pair of reports (smaller index first) within each of the components."""
    total = 0
    for g in range(len(first)):
        total += size[g] * (size[g] - 1) // 2
    out_i = np.empty(total, np.int64)
    out_j = np.empty(total, np.int64)
    k = 0
    for g in range(len(first)):
        for u in range(first[g], first[g] + size[g]):
            for v in range(u + 1, first[g] + size[g]):
                out_i[k], out_j[k] = min(order[u], order[v]), max(order[u], order[v])
                k += 1
    return out_i, out_j


def _broken_components(cols: ReportColumns, label: Labels, apart: Pairs) -> Labels:
    """Components that hold two keys of one dataset, or a pair analysts separated."""
    keyed = np.flatnonzero(cols.dataset >= 0)
    # (component, dataset) pairs holding more than one key, with the three packed in one
    # integer: 24 bits of key code, 8 of dataset, the rest for the component.
    dataset = cols.dataset[keyed].astype(np.int64)
    keys = cols.key[keyed]
    if not len(keyed) or (dataset.max() < 1 << 8 and keys.max() < 1 << 24):
        triples = np.unique((label[keyed].astype(np.int64) << 32) | (dataset << 24) | keys)
        pairs, counts = np.unique(triples >> 24, return_counts=True)
        broken = pairs[counts > 1] >> 8
    else:  # too many to pack: the same, on rows of three
        rows = np.unique(np.stack([label[keyed], dataset, keys]), axis=1)
        pairs, counts = np.unique(rows[:2], axis=1, return_counts=True)
        broken = pairs[0, counts > 1]
    a, b = apart
    together = label[a] == label[b]
    return np.unique(np.concatenate([broken, label[a][together]]))


def _resolve(cols: ReportColumns, label: Labels, broken: Labels, links: Links,
             in_broken: NDArray[np.bool_], apart: Pairs) -> Positions:
    """Greedy split of the broken components: the root report of each one's new cluster,
    for every report (others: -1)."""
    li, lj = links.i[in_broken], links.j[in_broken]
    score = np.where(links.forced[in_broken], np.inf, links.score[in_broken])
    # Ties in score are common (points come in levels): break them by the two reports'
    # id hashes, smaller first, which do not depend on where the reports sit in the arrays.
    tb = cols.tiebreak
    low, high = np.minimum(tb[li], tb[lj]), np.maximum(tb[li], tb[lj])
    order = np.lexsort((high, low, -score))
    # Components never share a link, so one pass over all their links in this order
    # splits each of them as if it were alone.
    start, apart_of = _adjacency(len(cols), apart[0].astype(np.int64),
                                 apart[1].astype(np.int64))
    inside = np.isin(label, broken)
    return _greedy(li[order], lj[order], np.isinf(score[order]), start, apart_of,
                   cols.dataset.astype(np.int64),
                   cols.key.astype(np.int64), inside)


@njit(cache=True)
def _adjacency(n: int, a: Ints, b: Ints,
               ) -> tuple[Ints, Ints]:  # pragma: no cover (compiled)
    """Each report's partners among the pairs (both ways): partners of m are
    ``partner[start[m]:start[m + 1]]``. A counting sort, linear in the pairs."""
    start = np.zeros(n + 1, np.int64)
    for k in range(len(a)):
        start[a[k] + 1] += 1
        start[b[k] + 1] += 1
    for m in range(n):
        start[m + 1] += start[m]
    fill = start[:-1].copy()
    partner = np.empty(2 * len(a), np.int64)
    for k in range(len(a)):
        partner[fill[a[k]]] = b[k]
        fill[a[k]] += 1
        partner[fill[b[k]]] = a[k]
        fill[b[k]] += 1
    return start, partner


@njit(cache=True)
def _greedy(li: Positions, lj: Positions, forced: NDArray[np.bool_], start: Ints,
            apart: Ints, dataset: Ints, key: Ints,
            inside: NDArray[np.bool_]) -> Positions:  # pragma: no cover (compiled)
    n = len(dataset)
    parent = np.arange(n)
    size = np.ones(n, np.int64)
    following = np.full(n, -1)  # members of a cluster, as a chain from its root
    last = np.arange(n)
    for k in range(len(li)):
        ra, rb = _root(parent, li[k]), _root(parent, lj[k])
        if ra == rb:
            continue
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        if not forced[k] and _clash(ra, rb, parent, following, start, apart, dataset, key):
            continue
        parent[rb] = ra
        size[ra] += size[rb]
        following[last[ra]] = rb
        last[ra] = last[rb]
    roots = np.full(n, -1)
    for m in range(n):
        if inside[m]:
            roots[m] = _root(parent, m)
    return roots


@njit(cache=True)
def _root(parent: Positions, x: int) -> int:  # pragma: no cover (compiled)
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # halve the path as we go
        x = parent[x]
    return x


@njit(cache=True)
def _clash(big: int, small: int, parent: Positions, following: Positions, start: Ints,
           apart: Ints, dataset: Ints, key: Ints) -> bool:  # pragma: no cover (compiled)
    """Whether joining the two clusters would put together what must stay apart: two
    keys of one curated dataset, or a pair kept apart."""
    m = small
    while m != -1:
        for t in range(start[m], start[m + 1]):
            if _root(parent, apart[t]) == big:
                return True
        if dataset[m] >= 0:
            x = big
            while x != -1:
                if dataset[x] == dataset[m] and key[x] != key[m]:
                    return True
                x = following[x]
        m = following[m]
    return False


def founders(cols: ReportColumns, label: Labels) -> Ints:
    """For each report, the index of its cluster's founding report: the first received,
    then the smallest id. The founder gives the incident its id, so an incident keeps its
    id as later reports join it."""
    order = np.lexsort((cols.received_h, label))
    lab = label[order]
    first = np.ones(len(order), bool)
    first[1:] = lab[1:] != lab[:-1]
    earliest = np.empty(label.max() + 1 if len(label) else 0, np.float64)
    earliest[lab[first]] = cols.received_h[order[first]]
    tied = np.flatnonzero(cols.received_h == earliest[label])
    founder = np.full(len(earliest), -1, np.int64)
    founder[label[tied]] = tied
    shared = tied[np.bincount(label[tied], minlength=len(earliest))[label[tied]] > 1]
    founder[label[shared]] = -1
    for k in shared.tolist():  # ties (one import, one instant) break on the id
        c = label[k]
        if founder[c] < 0 or cols.ids[k] < cols.ids[founder[c]]:
            founder[c] = k
    return founder[label]
