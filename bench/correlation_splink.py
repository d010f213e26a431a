"""Splink (DuckDB backend) on the same reports: the best configuration we could make.

Preparation (in DuckDB, from the pandas frame): the time midpoint, grid cells for
blocking, actor and word lists, a coarse family for the violation type.

Blocking (candidate pairs): each report lists the 20 km cells that its place's box
(radius + 2 km each way) touches; an exploding rule pairs reports that share a cell and a
48 h bin of their time midpoints, once on bins from midnight and once on bins shifted by
24 h. Two places whose boxes overlap share a cell, so every pair within its radii and
24 h is compared, wide places (a district's centre) included. Reports without a point
pair by adm2 and bin, when the frame gives adm2.

Comparisons: place (distance on the projected x/y ≤ 1, 3, 6 km between precise places,
then within both radii + 5 km), time (midpoints ≤ 1, 4 h apart, then gap between the
spans ≤ 0, 12, 36 h), violation (exact, same family), perpetrators and targets (list
overlap), killed (exact, ±2), narrative (shared words ≥ 3/2/1), source (the same keyed
source twice is evidence against).

Training: the match prior from a deterministic rule (recall taken as 0.6), u by random
sampling of 10^7 pairs, m by EM on two blocking rules of up to 2·10^6 pairs each: one
holds time (and trains everything else), the other holds the type (and trains time).

Also tried (on 100,000 reports of a simpler synthetic generator, 1–4 reports per event
from distinct sources): shifted-grid rules without explosion
(recall of true pairs at blocking 99.3% against 100%), 10 and 30 km cells and exploded
day lists (slower for the same recall), EM blocked on actors and district over all time
(m drifted to a latent class other than "same event": F1 0.89), m from the true labels
(the ceiling: F1 0.940 against 0.932 with EM).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench.correlation_floor import project

CELL_KM = 20.0
SLACK_KM = 2.0
BIN_HOURS = 48.0
U_PAIRS = 1e7
EM_PAIRS = 2e6
# EM blocking rules: the first holds time (so it trains every other comparison), the
# second holds the type (so it trains place and time again, among others).
EM_RULES = (
    "l.gx = r.gx and l.gy = r.gy and l.bin = r.bin and abs(l.t_mid - r.t_mid) <= 6",
    "l.violation = r.violation and l.bin = r.bin and l.gx = r.gx and l.gy = r.gy",
)
SEED = 1

# Violation families: types sources confuse with one another.
FAMILIES = {
    "air_strike": "bombardment", "shelling": "bombardment",
    "explosive_device": "bombardment", "suicide_bombing": "bombardment",
    "chemical_attack": "bombardment", "property_destruction": "bombardment",
    "armed_clash": "fighting", "ground_offensive": "fighting", "armed_violence": "fighting",
    "military_buildup": "fighting",
    "attack_on_civilians": "civilians", "abduction": "civilians",
    "sexual_violence": "civilians", "obstruction_of_aid": "civilians",
}


def _masks_to_codes(masks: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    """uint64 actor masks → space-separated codes (bit 63: CIV)."""
    unique, inverse = np.unique(masks, return_inverse=True)
    names = list(codes) + [f"B{b}" for b in range(len(codes), 63)] + ["CIV"]
    text = [" ".join(names[b] for b in range(64) if (int(m) >> b) & 1) for m in unique]
    return np.array(text, dtype=object)[inverse]


def frame_from_columns(columns: Any):
    """The reports as the pandas DataFrame Splink reads (see the module docstring)."""
    import pandas as pd

    from ceasefire.domain.taxonomy import ViolationType

    n = len(columns)
    codes = tuple(getattr(columns, "actor_codes", None) or (f"A{i}" for i in range(63)))
    x, y = project(columns.lon, columns.lat)
    t0, t1 = columns.t0_h, columns.t1_h
    none = np.full(n, None, dtype=object)
    dataset = np.asarray(columns.dataset)
    key = np.asarray(columns.key)
    keyed = dataset >= 0
    if getattr(columns, "source", None) is not None:  # the source's name, keyed or not
        source = np.char.add("s", np.asarray(columns.source).astype(str)).astype(object)
    else:
        source = none.copy()
        source[keyed] = np.char.add("d", dataset[keyed].astype(str))
    source_key = none.copy()
    source_key[keyed] = key[keyed].astype(str)
    return pd.DataFrame({
        "unique_id": np.asarray(columns.ids, dtype=object),
        "lon": columns.lon, "lat": columns.lat, "x_km": x, "y_km": y,
        "radius_km": columns.radius_km, "t0_h": t0, "t1_h": t1,
        "day": np.floor(t0 / 24.0).astype(np.int64),
        "violation": np.array([v.value for v in ViolationType], dtype=object)[
            columns.violation],
        "perpetrators": _masks_to_codes(columns.perpetrators, codes),
        "targets": _masks_to_codes(columns.targets, codes),
        "killed": np.asarray(columns.killed, dtype=np.int64),
        "narrative": np.asarray(columns.narrative, dtype=object),
        "adm1": getattr(columns, "adm1", none), "adm2": getattr(columns, "adm2", none),
        "source": source, "source_key": source_key,
    })


def _prepare(con, frame) -> None:
    families = " ".join(f"when '{k}' then '{v}'" for k, v in FAMILIES.items())
    shift = BIN_HOURS / 2
    con.register("frame", frame)
    con.execute(f"""
        create table reports as
        select unique_id, x_km, y_km, radius_km, t0_h, t1_h, (t0_h + t1_h) / 2 as t_mid,
               floor(x_km / {CELL_KM})::bigint as gx, floor(y_km / {CELL_KM})::bigint as gy,
               flatten(list_transform(
                   range(floor((x_km - radius_km - {SLACK_KM}) / {CELL_KM})::bigint,
                         floor((x_km + radius_km + {SLACK_KM}) / {CELL_KM})::bigint + 1),
                   lambda cx: list_transform(
                       range(floor((y_km - radius_km - {SLACK_KM}) / {CELL_KM})::bigint,
                             floor((y_km + radius_km + {SLACK_KM}) / {CELL_KM})::bigint + 1),
                       lambda cy: cx * 1000003 + cy))) as cells,
               floor((t0_h + t1_h) / 2 / {BIN_HOURS})::bigint as bin,
               floor(((t0_h + t1_h) / 2 + {shift}) / {BIN_HOURS})::bigint as hbin,
               violation, case violation {families} else violation end as family,
               nullif(list_filter(string_split(perpetrators, ' '), lambda a: a <> ''), [])
                   as perpetrators,
               nullif(list_filter(string_split(targets, ' '), lambda a: a <> ''), []) as targets,
               nullif(killed, -1) as killed,
               list_distinct(string_split(narrative, ' ')) as words,
               adm1, adm2, source, source_key
        from frame""")
    con.unregister("frame")


def _place():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    d2 = "(pow(x_km_l - x_km_r, 2) + pow(y_km_l - y_km_r, 2))"
    exact = "(radius_km_l <= 5 and radius_km_r <= 5)"
    levels = [cll.NullLevel("x_km")]
    for km in (1, 3, 6):
        levels.append(cll.CustomLevel(f"{exact} and {d2} <= {km * km}",
                                      label_for_charts=f"within {km} km"))
    levels += [
        cll.CustomLevel(f"{d2} <= pow(radius_km_l + radius_km_r + 5, 2)",
                        label_for_charts="within both radii + 5 km"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name="place")


def _time():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    gap = "(greatest(t0_h_l, t0_h_r) - least(t1_h_l, t1_h_r))"
    return cl.CustomComparison([
        cll.NullLevel("t_mid"),
        cll.CustomLevel("abs(t_mid_l - t_mid_r) <= 1", label_for_charts="within 1 h"),
        cll.CustomLevel("abs(t_mid_l - t_mid_r) <= 4", label_for_charts="within 4 h"),
        cll.CustomLevel(f"{gap} <= 0", label_for_charts="spans overlap"),
        cll.CustomLevel(f"{gap} <= 12", label_for_charts="gap within 12 h"),
        cll.CustomLevel(f"{gap} <= 36", label_for_charts="gap within 36 h"),
        cll.ElseLevel(),
    ], output_column_name="time")


def _rules() -> list:
    from splink import block_on

    rules = [block_on("cells", b, arrays_to_explode=["cells"]) for b in ("bin", "hbin")]
    no_point = "(l.x_km is null or r.x_km is null)"
    return rules + [f"l.adm2 = r.adm2 and l.{b} = r.{b} and {no_point}" for b in ("bin", "hbin")]


def _settings(rules=None):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    rules = rules or _rules()
    comparisons = [
        _place(),
        _time(),
        cl.CustomComparison([
            cll.NullLevel("violation"),
            cll.ExactMatchLevel("violation"),
            cll.ExactMatchLevel("family"),
            cll.ElseLevel(),
        ], output_column_name="violation"),
        cl.ArrayIntersectAtSizes("perpetrators", [1]),
        cl.ArrayIntersectAtSizes("targets", [1]),
        cl.CustomComparison([
            cll.NullLevel("killed"),
            cll.ExactMatchLevel("killed"),
            cll.AbsoluteDifferenceLevel("killed", 2),
            cll.ElseLevel(),
        ], output_column_name="killed"),
        cl.ArrayIntersectAtSizes("words", [3, 2, 1]),
        cl.CustomComparison([
            cll.NullLevel("source"),
            cll.ExactMatchLevel("source"),
            cll.ElseLevel(),
        ], output_column_name="source"),
    ]
    return SettingsCreator(link_type="dedupe_only", blocking_rules_to_generate_predictions=rules,
                           comparisons=comparisons, retain_matching_columns=False,
                           retain_intermediate_calculation_columns=False)


def splink_labels(frame, *, threshold_match_probability: float = 0.9
                  ) -> tuple[np.ndarray, dict[str, float]]:
    """Cluster labels aligned with `frame`'s rows, and seconds per stage."""
    import duckdb
    from splink import DuckDBAPI, Linker

    timings: dict[str, float] = {}
    start = time.perf_counter()
    con = duckdb.connect()
    _prepare(con, frame)
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register("reports"), _settings(), log_level=None)
    timings["prepare"] = time.perf_counter() - start

    start = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        ["l.gx = r.gx and l.gy = r.gy and l.bin = r.bin and l.violation = r.violation "
         "and abs(l.t_mid - r.t_mid) <= 4 and "
         "pow(l.x_km - r.x_km, 2) + pow(l.y_km - r.y_km, 2) <= 9"], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=SEED)
    for rule in EM_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=EM_PAIRS)
    timings["train"] = time.perf_counter() - start

    start = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold_match_probability)
    timings["predict"] = time.perf_counter() - start

    start = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold_match_probability)
    ids = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").fetchnumpy()
    position = {uid: k for k, uid in enumerate(frame["unique_id"].tolist())}
    labels = np.empty(len(frame), dtype=np.int64)
    _, cluster = np.unique(ids["cluster_id"], return_inverse=True)
    labels[[position[u] for u in ids["unique_id"].tolist()]] = cluster
    timings["cluster"] = time.perf_counter() - start
    con.close()
    return labels, timings
