"""The correlation benchmark's floor links exactly the pairs within 5 km and 24 h."""

import numpy as np
from bench.correlation_floor import floor_labels, floor_pairs, project
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

N = 2000


def _points(seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense enough for thousands of pairs; some repeats, some on cell edges, some NaN."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(36.0, 36.5, N)
    lat = rng.uniform(35.0, 35.4, N)
    t = rng.uniform(420_000.0, 420_240.0, N)
    lon[10:20], lat[10:20], t[10:20] = lon[0], lat[0], t[0]  # the same place and time
    t[20:60] = np.round(t[20:60] / 24.0) * 24.0  # on cell edges in time
    lon[60:65] = np.nan
    return lon, lat, t


def _brute_force(lon, lat, t) -> set[tuple[int, int]]:
    x, y = project(lon, lat)
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    near = (dx * dx + dy * dy <= 25.0) & (np.abs(t[:, None] - t[None, :]) <= 24.0)
    i, j = np.nonzero(np.triu(near, k=1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def test_floor_finds_exactly_the_pairs_within_5_km_and_24_h():
    lon, lat, t = _points()
    i, j = floor_pairs(lon, lat, t)
    found = list(zip(i.tolist(), j.tolist(), strict=True))
    expected = _brute_force(lon, lat, t)
    assert len(found) == len(set(found)), "each pair once"
    assert set(found) == expected
    assert len(expected) > 5000


def test_floor_labels_are_the_components_of_those_pairs():
    lon, lat, t = _points(seed=11)
    i, j = np.array(sorted(_brute_force(lon, lat, t))).T
    graph = coo_array((np.ones(len(i)), (i, j)), shape=(N, N))
    _, expected = connected_components(graph, directed=False)
    labels = floor_labels(lon, lat, t)
    # Same partition: the map from one labelling to the other is one-to-one.
    assert len(set(zip(labels.tolist(), expected.tolist(), strict=True))) \
        == len(set(labels.tolist())) == len(set(expected.tolist()))
    assert len(set(labels[60:65].tolist())) == 5  # no place, no links
