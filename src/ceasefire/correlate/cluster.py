"""From links to incidents: connected components, then the cannot-link rules.

Linked reports form components. A component that breaks no rule is one incident. One that
holds two records of one curated dataset with different keys (different events, by the
dataset's own account), or two reports an analyst separated, is split greedily: links are
taken strongest first and a link is skipped when it would join what must stay apart.
The same holds for pairs scored so low that they veto being joined through others.
Links are ordered by score, then by the reports' ids, so the result depends only on the
links and the rules, never on the order reports arrived in: a component re-clustered on
its own gives what a batch run over everything gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ceasefire.correlate.candidates import is_candidate
from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.settings import CorrelationSettings


@dataclass(frozen=True, slots=True)
class Links:
    """Pairs of report indexes (i < j) with their scores; ``forced`` pairs were joined by
    an analyst and outrank any score."""

    i: np.ndarray
    j: np.ndarray
    score: np.ndarray
    forced: np.ndarray  # bool


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def clusters(cols: ReportColumns, links: Links, apart: tuple[np.ndarray, np.ndarray],
             settings: CorrelationSettings) -> np.ndarray:
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
        label = label.copy()
        in_broken = np.isin(label[links.i], broken)
        fresh = label.max() + 1 if len(label) else 0
        for members, sub in _resolve(cols, label, broken, links, in_broken, apart):
            label[members] = fresh + sub
            fresh += sub.max() + 1
    return label


def incompatible_pairs(cols: ReportColumns, label: np.ndarray, settings: CorrelationSettings,
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs in one component that fail the candidate rule: a chain of links can reach
    from one event to another a day or 30 km away, but one event cannot be both."""
    order = np.argsort(label, kind="stable")
    sorted_label = label[order]
    starts = np.flatnonzero(np.r_[True, sorted_label[1:] != sorted_label[:-1]])
    sizes = np.diff(np.r_[starts, len(label)])
    big = sizes >= 3  # two linked reports are candidates of each other already
    if not big.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    first, size = starts[big], sizes[big]
    pairs = size * (size - 1) // 2
    group = np.repeat(np.arange(len(size)), pairs)
    k = np.arange(int(pairs.sum())) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    # The k-th pair (a < b) of a group of n, in row order: invert k = a*n - a*(a+1)/2 + b-a-1.
    n = size[group].astype(np.float64)
    a = np.floor((2 * n - 1 - np.sqrt((2 * n - 1) ** 2 - 8 * k)) / 2).astype(np.int64)
    b = (k - (a * (2 * size[group] - a - 1)) // 2 + a + 1).astype(np.int64)
    i, j = order[first[group] + a], order[first[group] + b]
    bad = ~is_candidate(cols, i, j, settings)
    return np.minimum(i[bad], j[bad]), np.maximum(i[bad], j[bad])


def _broken_components(cols: ReportColumns, label: np.ndarray,
                       apart: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Components that hold two keys of one dataset, or a pair analysts separated."""
    keyed = np.flatnonzero(cols.dataset >= 0)
    triples = np.unique(np.stack([label[keyed], cols.dataset[keyed].astype(np.int64),
                                  cols.key[keyed]]), axis=1)
    pairs, counts = np.unique(triples[:2], axis=1, return_counts=True)
    broken = pairs[0, counts > 1]
    a, b = apart
    together = label[a] == label[b]
    return np.unique(np.concatenate([broken, label[a][together]]))


def _resolve(cols: ReportColumns, label: np.ndarray, broken: np.ndarray, links: Links,
             in_broken: np.ndarray, apart: tuple[np.ndarray, np.ndarray]):  # noqa: ANN202
    """Greedy split of each broken component; yields (member indexes, sub-cluster per
    member)."""
    separated: dict[int, set[int]] = {}
    for a, b in zip(*(x.tolist() for x in apart), strict=True):
        separated.setdefault(a, set()).add(b)
        separated.setdefault(b, set()).add(a)
    li, lj = links.i[in_broken], links.j[in_broken]
    score = np.where(links.forced[in_broken], np.inf, links.score[in_broken])
    comp = label[li]
    # Ties in score are common (points come in levels): break them by the two reports'
    # ids, smaller first, which do not depend on where the reports sit in the arrays.
    involved = np.unique(np.concatenate([li, lj]))
    rank = np.empty(len(cols), np.int64)
    rank[involved] = np.argsort(np.argsort(cols.ids[involved].astype(str), kind="stable"))
    low, high = np.minimum(rank[li], rank[lj]), np.maximum(rank[li], rank[lj])
    order = np.lexsort((high, low, -score, comp))
    by_comp: dict[int, list[int]] = {}
    for k, c in zip(order.tolist(), comp[order].tolist(), strict=True):
        by_comp.setdefault(c, []).append(k)
    inside = np.flatnonzero(np.isin(label, broken))
    inside = inside[np.argsort(label[inside], kind="stable")]
    bounds = np.flatnonzero(np.diff(label[inside])) + 1
    dataset, key_of = cols.dataset.tolist(), cols.key.tolist()
    li_list, lj_list, forced = li.tolist(), lj.tolist(), np.isinf(score).tolist()
    for members in np.split(inside, bounds):
        member_list = members.tolist()
        parent = {m: m for m in member_list}
        keys = {m: ({dataset[m]: key_of[m]} if dataset[m] >= 0 else {}) for m in member_list}
        group = {m: {m} for m in member_list}
        for k in by_comp.get(int(label[members[0]]), []):
            ra, rb = _find(parent, li_list[k]), _find(parent, lj_list[k])
            if ra == rb:
                continue
            if not forced[k] and _conflict(keys[ra], keys[rb], group[ra], group[rb],
                                           separated):
                continue
            if len(group[ra]) < len(group[rb]):
                ra, rb = rb, ra
            parent[rb] = ra
            group[ra] |= group.pop(rb)
            keys[ra] = {**keys.pop(rb), **keys[ra]}
        roots: dict[int, int] = {}
        sub = [roots.setdefault(_find(parent, m), len(roots)) for m in member_list]
        yield members, np.array(sub)


_NONE: frozenset[int] = frozenset()


def _find(parent: dict[int, int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # halve the path as we go
        x = parent[x]
    return x


def _conflict(keys_a: dict[int, int], keys_b: dict[int, int], group_a: set[int],
              group_b: set[int], separated: dict[int, set[int]]) -> bool:
    if any(keys_b.get(d, k) != k for d, k in keys_a.items()):
        return True
    small, large = (group_a, group_b) if len(group_a) < len(group_b) else (group_b, group_a)
    return any(not separated.get(m, _NONE).isdisjoint(large) for m in small)


def founders(cols: ReportColumns, label: np.ndarray) -> np.ndarray:
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
