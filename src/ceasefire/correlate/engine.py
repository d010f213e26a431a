"""The correlation engine: reports in, incidents out.

candidates (places and times that can meet) → scores (per field, weighted) → links (score
at the threshold, minus pairs a curated dataset keeps apart) → clusters (components, split
by the cannot-link rules) → founders (the report that gives each incident its id).
Analysts' decisions enter as forced links (merged by hand) and separated pairs (split).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ceasefire.correlate.candidates import candidate_pairs
from ceasefire.correlate.cluster import Links, clusters, founders
from ceasefire.correlate.columns import Pairs, Positions, ReportColumns
from ceasefire.correlate.scoring import LINK, VETO, judge_pairs
from ceasefire.correlate.settings import CorrelationSettings

_NO_PAIRS = (np.zeros(0, np.int64), np.zeros(0, np.int64))


@dataclass(frozen=True, slots=True)
class Decisions:
    """Analysts' decisions as pairs of report indexes: joined, and kept apart."""

    together: Pairs = field(default_factory=lambda: _NO_PAIRS)
    apart: Pairs = field(default_factory=lambda: _NO_PAIRS)


@dataclass(frozen=True, slots=True)
class Correlation:
    links: Links
    label: NDArray[np.int32]  # cluster number per report
    founder: NDArray[np.int64]  # index of the report that founds each report's incident
    candidates: int  # how many pairs were compared


def link(cols: ReportColumns, i: Positions, j: Positions, settings: CorrelationSettings,
         ) -> tuple[Links, Pairs]:
    """Score candidate pairs: the links among them (at the threshold, and not two records
    of one curated dataset with different keys), and the vetoes: pairs scoring so low that
    they must not end in one incident."""
    total, outcome = judge_pairs(cols, i, j, settings)
    # Positions, then take: a third of the time of six boolean masks over every pair.
    linked = np.flatnonzero(outcome == LINK)
    vetoed = np.flatnonzero(outcome == VETO)
    return (Links(i.take(linked), j.take(linked), total.take(linked),
                  np.zeros(len(linked), bool)), (i.take(vetoed), j.take(vetoed)))


def with_decisions(links: Links, decisions: Decisions) -> Links:
    ti, tj = decisions.together
    if not len(ti):
        return links
    return Links(np.concatenate([links.i, np.minimum(ti, tj)]),
                 np.concatenate([links.j, np.maximum(ti, tj)]),
                 np.concatenate([links.score, np.full(len(ti), np.inf)]),
                 np.concatenate([links.forced, np.ones(len(ti), bool)]))


DEFAULTS = CorrelationSettings()


def correlate(cols: ReportColumns, settings: CorrelationSettings = DEFAULTS,
              decisions: Decisions = Decisions()) -> Correlation:
    i, j = candidate_pairs(cols, settings)
    found, (vi, vj) = link(cols, i, j, settings)
    links = with_decisions(found, decisions)
    apart = (np.concatenate([decisions.apart[0], vi]), np.concatenate([decisions.apart[1], vj]))
    label = clusters(cols, links, apart, settings)
    return Correlation(links, label, founders(cols, label), len(i))


def cluster_again(cols: ReportColumns, links: Links, apart: Pairs,
                  settings: CorrelationSettings = DEFAULTS) -> NDArray[np.int32]:
    """Cluster a component again from its stored links and analysts' apart pairs, as
    ``correlate`` clusters it within everything: the vetoes are found again among its
    candidate pairs, not stored."""
    i, j = candidate_pairs(cols, settings)
    vi, vj = link(cols, i, j, settings)[1]
    return clusters(cols, links, (np.concatenate([apart[0], vi]),
                                  np.concatenate([apart[1], vj])), settings)
