"""Distance between localities, for ranking services by how near they are.

The model is deliberately simple: the force area is divided into named localities (a PCC
knows them: towns, boroughs, neighbourhood policing areas), each listing the localities it
borders. The distance between two localities is the number of borders crossed on the shortest
path (breadth-first search): 0 inside the same locality, 1 next door, and so on. A service's
distance from a victim is the smallest distance to any locality it covers; an area-wide
service is at distance 0 everywhere. Localities not connected to the victim's have no distance
and rank last. Hops, not miles, because what officers need is "this one or next door", and the
PCC can maintain a border list without a GIS.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping


class AreaMap:
    """An undirected graph of locality codes; borders are made symmetric on construction."""

    def __init__(self, neighbours: Mapping[str, Iterable[str]]) -> None:
        graph: dict[str, set[str]] = {code: set() for code in neighbours}
        for code, adjacent in neighbours.items():
            for other in adjacent:
                if other == code:
                    continue
                graph.setdefault(other, set()).add(code)
                graph[code].add(other)
        self._graph = {code: frozenset(adjacent) for code, adjacent in graph.items()}

    def __contains__(self, code: object) -> bool:
        return code in self._graph

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._graph)

    def neighbours(self, code: str) -> frozenset[str]:
        return self._graph.get(code, frozenset())

    def distances_from(self, origin: str) -> dict[str, int]:
        """Hops from `origin` to every locality reachable from it (itself at 0)."""
        if origin not in self._graph:
            return {}
        distances = {origin: 0}
        queue = deque([origin])
        while queue:
            code = queue.popleft()
            for other in self._graph[code]:
                if other not in distances:
                    distances[other] = distances[code] + 1
                    queue.append(other)
        return distances


def nearest(distances: Mapping[str, int], covered: Iterable[str]) -> int | None:
    """The smallest distance to any covered locality, or None if none is reachable."""
    return min((distances[code] for code in covered if code in distances), default=None)
