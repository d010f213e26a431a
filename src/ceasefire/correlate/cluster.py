"""From links to incidents: connected components, then the cannot-link rules.

Linked reports form components. A component that breaks no rule is one incident. One that
holds two records of one curated dataset with different keys (different events, by the
dataset's own account), two reports an analyst separated, a vetoed pair (scored so low
that it must not be joined through others), or, in a component of three or more, two
reports that fail the candidate rule (a chain of links can reach from one event to another
a day or 30 km away, but one event cannot be both), is split greedily: links are taken
strongest first and a link is skipped when it would join what must stay apart. Links are
ordered by score, then by hashes of the reports' ids, so the result depends only on the
links and the rules, never on the order reports arrived in: a component re-clustered on
its own gives what a batch run over everything gives.

Pairs that fail the candidate rule are never listed: a component that chains over weeks
holds almost nothing but such pairs, as many as the square of its size. The rule is tested
instead where it decides, between two clusters about to join, and their times first (some
two of their reports lie more than the slack apart exactly when one cluster's latest start
comes more than the slack after the other's earliest end). So memory stays linear in the
reports and links however large a component grows (a test holds a component of 50,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numba import njit
from numpy.typing import NDArray

from ceasefire.correlate.candidates import Floats, Rule, _meet_pairs, _rule_inputs
from ceasefire.correlate.columns import Pairs, Positions, ReportColumns
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.correlate.threads import run_all, threads

Labels: TypeAlias = NDArray[np.integer[Any]]
"""A cluster number per report (components: int32)."""
Ints: TypeAlias = NDArray[np.int64]
Flags: TypeAlias = NDArray[np.bool_]
Words: TypeAlias = NDArray[np.uint64]
_MANY = 50_000  # reports, or links of broken components, worth splitting over threads
_BATCH = 1024  # pairs given to the candidate rule at once


@dataclass(frozen=True, slots=True)
class Links:
    """Pairs of report indexes (i < j) with their scores; ``forced`` pairs were joined by
    an analyst and outrank any score."""

    i: Positions
    j: Positions
    score: NDArray[np.float64]
    forced: NDArray[np.bool_]


def components(n: int, i: Positions, j: Positions) -> NDArray[np.int32]:
    """Each report's component of the links, numbered in order of each component's
    first report (as scipy's connected_components numbers them)."""
    return _components(n, np.asarray(i, np.int64), np.asarray(j, np.int64))


@njit(cache=True)
def _components(n: int, i: Ints, j: Ints) -> NDArray[np.int32]:  # pragma: no cover
    parent = np.arange(n)
    for k in range(len(i)):
        a, b = _root(parent, i[k]), _root(parent, j[k])
        parent[max(a, b)] = min(a, b)  # the root is the component's first report
    label = np.empty(n, np.int32)
    count = 0
    for m in range(n):
        r = _root(parent, m)
        if r == m:
            label[m] = count
            count += 1
        else:
            label[m] = label[r]
    return label


def clusters(cols: ReportColumns, links: Links, apart: Pairs,
             settings: CorrelationSettings) -> NDArray[np.int32]:
    """A cluster number for each report: components of the links, split where a rule says
    two reports are different events. ``apart`` holds pairs to keep apart: analysts'
    splits and vetoed pairs."""
    label = components(len(cols), links.i, links.j)
    if not len(label):
        return label
    members, first = _by_component(label)
    a, b = apart
    together = label[a] == label[b]  # only these can matter
    apart = (a[together].astype(np.int64), b[together].astype(np.int64))
    broken = np.zeros(len(first) - 1, bool)
    broken[label[apart[0]]] = True
    rule = _rule_inputs(cols, settings)
    dataset, key = cols.dataset.astype(np.int64), cols.key.astype(np.int64)
    count = threads() if len(label) >= _MANY else 1
    edges = np.linspace(0, len(broken), count + 1).astype(np.int64)
    run_all(lambda k: _broken(int(edges[k]), int(edges[k + 1]), members, first, dataset,
                              key, rule, broken), range(count), count)
    if broken.any():
        roots = _resolve(cols, label, members, first, broken, links, apart, rule)
        split = roots >= 0
        label = label.copy()
        label[split] = label.max() + 1 + roots[split]  # numbers no component uses
    return label


@njit(cache=True)
def _by_component(label: NDArray[np.int32]) -> tuple[Ints, Ints]:  # pragma: no cover
    """The reports by component, in order within each (a counting sort): component c's
    are ``members[first[c]:first[c + 1]]``."""
    first = np.zeros(label.max() + 2, np.int64)
    for m in range(len(label)):
        first[label[m] + 1] += 1
    for c in range(len(first) - 1):
        first[c + 1] += first[c]
    fill = first[:-1].copy()
    members = np.empty(len(label), np.int64)
    for m in range(len(label)):
        members[fill[label[m]]] = m
        fill[label[m]] += 1
    return members, first


@njit(cache=True, nogil=True)
def _broken(c_lo: int, c_hi: int, members: Ints, first: Ints, dataset: Ints, key: Ints,
            rule: Rule, broken: Flags) -> None:  # pragma: no cover (compiled)
    """Marks in ``broken`` the components c_lo..c_hi-1 that hold two keys of one curated
    dataset, or (three reports or more) two reports that fail the candidate rule.

    Times first, in one pass: some two reports' spans lie more than the slack apart
    exactly when the latest start comes more than the slack after the earliest end (spans
    are never negative), which is so for every component that chains over days. Only a
    component whose reports all share a few hours has its pairs tested, and it stops at
    the first that fails."""
    t0, t1, slack_h = rule[0], rule[1], rule[10]
    room_i, room_j = np.empty(_BATCH, np.int64), np.empty(_BATCH, np.int64)
    for c in range(c_lo, c_hi):
        lo, hi = first[c], first[c + 1]
        if broken[c] or hi - lo < 2:
            continue
        broken[c] = _two_keys(members[lo:hi], dataset, key)
        if broken[c] or hi - lo < 3:
            continue
        last_start, first_end = -np.inf, np.inf
        for u in range(lo, hi):
            last_start = max(last_start, t0[members[u]])
            first_end = min(first_end, t1[members[u]])
        if last_start - first_end > slack_h:
            broken[c] = True
            continue
        these = members[lo:hi]
        broken[c] = not _all_meet(these, these, True, rule, room_i, room_j)


@njit(cache=True, nogil=True)
def _all_meet(these: Ints, those: Ints, within: bool, rule: Rule, room_i: Ints,
              room_j: Ints) -> bool:  # pragma: no cover (compiled)
    """Whether each report of these and each of those meet the candidate rule (within:
    these are those, and each pair is tested once). The pairs go to the rule in batches
    as long as ``room_i``: a call per pair would cost several times the test itself."""
    k = 0
    for u in range(len(these)):
        for v in range(u + 1 if within else 0, len(those)):
            room_i[k], room_j[k] = these[u], those[v]
            k += 1
            if k == len(room_i):
                if not _meet_pairs(room_i, room_j, rule).all():
                    return False
                k = 0
    return k == 0 or bool(_meet_pairs(room_i[:k], room_j[:k], rule).all())


@njit(cache=True, nogil=True)
def _two_keys(these: Ints, dataset: Ints, key: Ints) -> bool:  # pragma: no cover
    """Whether two of these reports are records of one dataset with different keys."""
    count, one = 0, -1
    for x in these:
        if dataset[x] < 0:
            continue
        count += 1
        if count == 1:
            one = x
        elif count == 2 and dataset[x] == dataset[one] and key[x] != key[one]:
            return True
    if count < 3:  # two or fewer: compared above, without sorting
        return False
    keyed = these[dataset[these] >= 0]
    keyed = keyed[np.argsort(dataset[keyed])]
    for u in range(1, len(keyed)):
        x, y = keyed[u - 1], keyed[u]
        if dataset[x] == dataset[y] and key[x] != key[y]:
            return True
    return False


def _resolve(cols: ReportColumns, label: Labels, members: Ints, first: Ints, broken: Flags,
             links: Links, apart: Pairs, rule: Rule) -> Ints:
    """Greedy split of the broken components: the root report of each one's new cluster,
    for every report (others: -1).

    Components never share a link, so each is split on its own: their reports are
    numbered afresh, component after component, and their links taken component by
    component, strongest first, on as many threads as there are cores (slices of
    components, which share nothing)."""
    n = len(label)
    comps = np.flatnonzero(broken)
    size = np.diff(first)
    # The broken components' reports ("local" numbers: their positions in `mine`).
    mine = members[broken[label[members]]]
    local = np.full(n, -1, np.int64)
    local[mine] = np.arange(len(mine))
    report_start = np.r_[0, np.cumsum(size[comps])].astype(np.int64)
    component = label[links.i]
    sel = np.flatnonzero(broken[component])
    li, lj, component = links.i[sel], links.j[sel], component[sel]
    forced = links.forced[sel]
    score = np.where(forced, np.inf, links.score[sel])
    # Ties in score are common (points come in levels): break them by the two reports'
    # id hashes, smaller first, which do not depend on where the reports sit in the arrays.
    tb = cols.tiebreak
    low, high = np.minimum(tb[li], tb[lj]), np.maximum(tb[li], tb[lj])
    order = np.argsort(component, kind="stable").astype(np.int64)  # sorted in _greedy
    link_start = np.r_[0, np.cumsum(np.bincount(component, minlength=len(size))[comps])
                       ].astype(np.int64)
    start, partner = _adjacency(len(mine), local[apart[0]], local[apart[1]])
    state = _union_find(mine, rule)
    roots = np.full(len(mine), -1, np.int64)
    li, lj = local[li], local[lj]
    dataset, key = cols.dataset[mine].astype(np.int64), cols.key[mine].astype(np.int64)
    ruled = size[comps] >= 3
    count = threads() if len(li) >= _MANY else 1
    edges = np.searchsorted(link_start, np.linspace(0, len(li), count + 1))
    edges[0], edges[-1] = 0, len(comps)
    spare = np.empty_like(order)

    def split(k: int) -> None:
        _greedy(int(edges[k]), int(edges[k + 1]), report_start, link_start, order, spare,
                score, low, high, li, lj, forced, start, partner, dataset, key, mine, rule,
                ruled, *state, roots)

    run_all(split, range(count), count)
    found = np.full(n, -1, np.int64)
    found[mine] = mine[roots]
    return found


def _union_find(mine: Ints, rule: Rule,
                ) -> tuple[Ints, Ints, Ints, Ints, Floats, Floats]:
    """The greedy's state over the broken components' reports, by local number: each
    one's parent and, at a cluster's root, its size, its members as a chain (the next
    member, and the last), the latest start and the earliest end of its reports."""
    n = len(mine)
    return (np.arange(n, dtype=np.int64), np.ones(n, np.int64), np.full(n, -1, np.int64),
            np.arange(n, dtype=np.int64), rule[0][mine], rule[1][mine])


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


@njit(cache=True, nogil=True)
def _greedy(c_lo: int, c_hi: int, report_start: Ints, link_start: Ints, order: Ints,
            spare: Ints, score: Floats, low: Words, high: Words, li: Ints, lj: Ints,
            forced: Flags, start: Ints, apart: Ints, dataset: Ints, key: Ints, mine: Ints,
            rule: Rule, ruled: Flags, parent: Ints, size: Ints, following: Ints, last: Ints,
            last_start: Floats, first_end: Floats,
            roots: Ints) -> None:  # pragma: no cover (compiled)
    """The broken components c_lo..c_hi-1 split: each one's links (``order``, grouped by
    component; reports by local number) sorted strongest first and joined unless they
    clash; each report's root in ``roots``. Writes only these components' entries of the
    shared arrays."""
    room_i, room_j = np.empty(_BATCH, np.int64), np.empty(_BATCH, np.int64)
    for c in range(c_lo, c_hi):
        _sort(order, spare, link_start[c], link_start[c + 1], score, low, high)
        for k in order[link_start[c]:link_start[c + 1]]:
            ra, rb = _root(parent, li[k]), _root(parent, lj[k])
            if ra == rb:
                continue
            if size[ra] < size[rb]:
                ra, rb = rb, ra
            if not forced[k] and _clash(ra, rb, parent, size, following, start, apart,
                                        dataset, key, mine, rule, ruled[c], last_start,
                                        first_end, room_i, room_j):
                continue
            parent[rb] = ra
            size[ra] += size[rb]
            following[last[ra]] = rb
            last[ra] = last[rb]
            last_start[ra] = max(last_start[ra], last_start[rb])
            first_end[ra] = min(first_end[ra], first_end[rb])
    for m in range(report_start[c_lo], report_start[c_hi]):
        roots[m] = _root(parent, m)


@njit(cache=True, nogil=True, inline="always")
def _before(x: int, y: int, score: Floats, low: Words,
            high: Words) -> bool:  # pragma: no cover (compiled)
    """Whether link x comes before link y: the higher score, then the smaller hashes,
    then the position (never equal: the order is total, so any sort gives it)."""
    if score[x] != score[y]:
        return bool(score[x] > score[y])
    if low[x] != low[y]:
        return bool(low[x] < low[y])
    if high[x] != high[y]:
        return bool(high[x] < high[y])
    return x < y


@njit(cache=True, nogil=True)
def _sort(order: Ints, spare: Ints, lo: int, hi: int, score: Floats, low: Words,
          high: Words) -> None:  # pragma: no cover (compiled)
    """order[lo:hi] sorted by _before: runs of 16 by insertion, then merged pairwise
    (through ``spare``), so a component of any size sorts in n log n."""
    run = 16
    for s in range(lo, hi, run):
        for a in range(s + 1, min(s + run, hi)):
            v = order[a]
            b = a - 1
            while b >= s and _before(v, order[b], score, low, high):
                order[b + 1] = order[b]
                b -= 1
            order[b + 1] = v
    src, dst = order, spare
    swapped = False
    width = run
    while width < hi - lo:
        for s in range(lo, hi, 2 * width):
            mid, end = min(s + width, hi), min(s + 2 * width, hi)
            p, q = s, mid
            for t in range(s, end):
                if q == end or (p < mid and not _before(src[q], src[p], score, low, high)):
                    dst[t] = src[p]
                    p += 1
                else:
                    dst[t] = src[q]
                    q += 1
        src, dst = dst, src
        swapped = not swapped
        width *= 2
    if swapped:
        order[lo:hi] = spare[lo:hi]


@njit(cache=True, nogil=True)
def _root(parent: Ints, x: int) -> int:  # pragma: no cover (compiled)
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # halve the path as we go
        x = parent[x]
    return x


@njit(cache=True, nogil=True)
def _clash(big: int, small: int, parent: Ints, size: Ints, following: Ints, start: Ints,
           apart: Ints, dataset: Ints, key: Ints, mine: Ints, rule: Rule, ruled: bool,
           last_start: Floats, first_end: Floats, room_i: Ints,
           room_j: Ints) -> bool:  # pragma: no cover (compiled)
    """Whether joining the two clusters would put together what must stay apart: two
    keys of one curated dataset, a pair kept apart, or (``ruled``: in a component of
    three or more) two reports that fail the candidate rule."""
    if ruled:
        # Some report of one starts more than the slack after some report of the other
        # ends: the rule fails on time for that pair, wherever they are.
        slack_h = rule[10]
        if (last_start[big] - first_end[small] > slack_h
                or last_start[small] - first_end[big] > slack_h):
            return True
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
    return ruled and not _all_meet(_reports(small, size, following, mine),
                                   _reports(big, size, following, mine), False, rule,
                                   room_i, room_j)


@njit(cache=True, nogil=True)
def _reports(root: int, size: Ints, following: Ints,
             mine: Ints) -> Ints:  # pragma: no cover (compiled)
    """The reports (their indexes in the columns) of the cluster at ``root``."""
    out = np.empty(size[root], np.int64)
    x, k = root, 0
    while x != -1:
        out[k] = mine[x]
        x, k = following[x], k + 1
    return out


def founders(cols: ReportColumns, label: Labels) -> Ints:
    """For each report, the index of its cluster's founding report: the first received,
    then the smallest id. The founder gives the incident its id, so an incident keeps its
    id as later reports join it."""
    earliest = _earliest(label, cols.received_h, label.max() + 1 if len(label) else 0)
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


@njit(cache=True)
def _earliest(label: Labels, received: Floats, count: int) -> Floats:  # pragma: no cover
    """When each cluster's first report was received."""
    earliest = np.full(count, np.inf)
    for m in range(len(label)):
        earliest[label[m]] = min(earliest[label[m]], received[m])
    return earliest
