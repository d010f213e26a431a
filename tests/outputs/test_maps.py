"""The map's drawing: one path per area of the view, titles in English and Arabic, the
colour classes, circles sized by count, and the grid's bound on the number of clusters."""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from ceasefire.geo.admin import syria
from ceasefire.outputs.maps import FILLS, NONE_FILL, STATUS_FILLS, Cluster, steps, svg
from ceasefire.outputs.mapshapes import Projection, view_for

NS = {"svg": "http://www.w3.org/2000/svg"}


def _draw(adm=None, counts=None, clusters=(), **kw) -> ET.Element:
    view = view_for(adm, **kw)
    text = svg(view, counts or {}, list(clusters), title="A map", standalone=True,
               link=lambda p: f"/map?adm={p}&status=confirmed")
    return ET.fromstring(text)


def test_the_country_has_one_path_per_governorate_each_a_link_with_both_names():
    root = _draw(counts={"SY02": {"confirmed": 3, "pending": 2}})
    links = root.findall(".//svg:g[@class='areas']/svg:a", NS)
    assert len(links) == 14 == len(root.findall(".//svg:g[@class='areas']//svg:path", NS))
    aleppo = next(a for a in links if a.get("href").startswith("/map?adm=SY02"))
    assert aleppo.get("href") == "/map?adm=SY02&status=confirmed"  # escaped in the file
    assert aleppo.find("svg:title", NS).text == \
        "Aleppo (\u2068حلب\u2069): 5 incidents: 3 confirmed, 2 pending"


def test_a_governorate_shows_its_districts_without_links():
    root = _draw("SY02")
    districts = [a for a in syria().level(2) if a.parent == "SY02"]
    paths = root.findall(".//svg:g[@class='areas']/svg:path", NS)
    assert len(paths) == len(districts) > 1
    assert root.findall(".//svg:a", NS) == []
    assert all(p.find("svg:title", NS).text.endswith("no incidents") for p in paths)


def test_all_districts_stay_small_and_quick_to_draw():
    view = view_for(None, districts=True)
    svg(view, {}, [], title="warm the cache")
    start = time.perf_counter()
    text = svg(view, {}, [], title="All districts")
    took = time.perf_counter() - start
    assert text.count("<path") == len(syria().level(2))
    assert len(text.encode()) < 150_000 and took < 0.1


def test_circles_grow_with_the_square_root_of_the_count_and_say_their_status():
    clusters = [Cluster(36.2, 37.1, {"confirmed": 100}, "Jebel Saman (Aleppo)"),
                Cluster(36.3, 33.5, {"pending": 1, "disputed": 24}),
                Cluster(38.9, 35.9, {"rejected": 1})]
    root = _draw(clusters=clusters)
    circles = {c.get("fill"): c for c in root.findall(".//svg:g[@class='clusters']/svg:circle",
                                                        NS)}
    big, mid, one = (circles[STATUS_FILLS[s]] for s in ("confirmed", "disputed", "rejected"))
    r = [float(c.get("r")) for c in (big, mid, one)]
    assert r[0] > r[1] > r[2] and (r[1] - r[2]) / (r[0] - r[2]) == pytest.approx(
        math.sqrt(24 / 99), abs=0.01)
    assert big.find("svg:title", NS).text == \
        "100 incidents around Jebel Saman (Aleppo): 100 confirmed"
    assert mid.find("svg:title", NS).text == "25 incidents: 24 disputed, 1 pending"
    labels = [(t.get("x"), t.text) for t in root.findall(".//svg:g[@class='counts']/svg:text",
                                                          NS)]
    assert labels == [(big.get("cx"), "100"), (mid.get("cx"), "25")]  # none for one
    legend = [t.text for t in root.findall(".//svg:g[@class='legend']//svg:text", NS)]
    assert {"confirmed", "disputed", "rejected"} <= set(legend) and "pending" not in legend


def test_colour_classes_cover_every_count_and_keep_the_darkest_for_the_most():
    counts = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377]
    classes = steps(counts)
    assert classes[0].low == 1 and classes[-1].high == 377 and classes[-1].fill == FILLS[-1]
    assert all(a.high + 1 == b.low for a, b in zip(classes, classes[1:], strict=False))
    assert [c.label for c in steps([4, 4, 0])] == ["1–4"] and steps([0, 0]) == []
    root = _draw(counts={"SY01": {"pending": 7}})
    fills = {p.get("fill") for p in root.findall(".//svg:g[@class='areas']//svg:path", NS)}
    assert fills == {NONE_FILL, FILLS[-1]}


def test_names_from_data_are_escaped():
    root = _draw(clusters=[Cluster(36.2, 37.1, {"pending": 2}, "<b>&</b>")])
    assert root.find(".//svg:g[@class='clusters']/svg:circle/svg:title", NS).text.startswith(
        "2 incidents around <b>&</b>")


def test_the_grid_never_opens_more_cells_than_its_bound():
    """A million points anywhere in the view, its edges and corners included."""
    rng = np.random.default_rng(7)
    for adm in (None, "SY02", "SY01"):
        view = view_for(adm)
        west, south, east, north = view.bounds
        lon = np.concatenate([rng.uniform(west, east, 1_000_000), [west, east, west, east]])
        lat = np.concatenate([rng.uniform(south, north, 1_000_000),
                              [south, north, north, south]])
        cells = set(zip(np.floor((lon + 180) / view.cell).tolist(),
                        np.floor((lat + 90) / view.cell).tolist(), strict=True))
        assert len(cells) <= view.most_clusters < 600


def test_the_projection_keeps_the_country_in_the_drawing():
    p = Projection.of(view_for(None))
    west, south, east, north = view_for(None).bounds
    assert (p.x(west), p.y(north)) == (0, 0)
    assert p.x(east) == pytest.approx(p.width) and p.y(south) == pytest.approx(p.height, abs=0.1)
