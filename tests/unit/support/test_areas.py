"""Distance by area: hops between localities over a symmetric border graph."""

from __future__ import annotations

from safeshare.support.areas import AreaMap, nearest

LINE = AreaMap({"a": ["b"], "b": ["c"], "c": ["d"], "d": [], "lonely": []})


def test_borders_work_both_ways_and_distance_counts_hops() -> None:
    assert LINE.distances_from("d") == {"d": 0, "c": 1, "b": 2, "a": 3}
    assert LINE.neighbours("b") == {"a", "c"}


def test_unconnected_and_unknown_areas_have_no_distance() -> None:
    assert "lonely" not in LINE.distances_from("a")
    assert LINE.distances_from("nowhere") == {}


def test_nearest_covered_area_wins() -> None:
    distances = LINE.distances_from("a")
    assert nearest(distances, ["d", "c"]) == 2
    assert nearest(distances, ["lonely"]) is None


def test_a_neighbour_named_only_on_one_side_still_exists() -> None:
    area_map = AreaMap({"x": ["y"]})
    assert "y" in area_map
    assert area_map.distances_from("y") == {"y": 0, "x": 1}
