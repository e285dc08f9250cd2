"""Disclosure control for whole tables: counts 1 to threshold-1 withheld, secondary suppression
that survives the table's own row, column and grand totals, rounding, and protected rates.

Pure functions over plain integers. `small_counts` protects one breakdown against its total;
this module protects a two-way table (or a one-way breakdown, as a table of one column)
against every margin at once, which subtraction along rows alone does not.

Why the method works. Write the table with its margins as an (R+1) x (C+1) matrix whose last
row holds minus the column totals, last column minus the row totals, and corner the grand
total: then every row and every column of the matrix sums to zero, and those are all the
equations a reader has. Join row i to column j when cell (i, j) is withheld. Adding t around
any cycle of that bipartite graph, with alternating signs, changes no published figure, so a
withheld cell on a cycle can take more than one value; a withheld cell that is a bridge (on
no cycle) is fixed by the equations. So every cell that is withheld for being small must lie
on a cycle; where one does not, the cheapest path that closes a cycle through it (preferring
small non-zero inner cells, then totals, then zeros) is withheld too. Non-zero cells on the
cycle also leave room both ways once counts cannot be negative.

All withheld cells share one label, `[c]` (the Government Statistical Service's symbol for
confidential): labelling secondary cells differently would tell a reader they are at least
the threshold, and that can pin a small partner down (1 + 10 = 11 leaves only one split).

Linked tables (the same people counted in another table with different margins) are not
solved here; rounding shown figures to a base is what blunts differencing between tables.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from safeshare.redaction.small_counts import (
    DisclosedCount,
    DisclosurePolicy,
    Suppression,
    rounded,
)

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)
K = TypeVar("K", bound=Hashable)

WITHHELD = "[c]"
"""The label of every withheld figure, small or withheld to protect a small one."""
NOT_APPLICABLE = "[x]"
"""The label of a rate with nothing to divide by."""

Position = tuple[int, int]


@dataclass(frozen=True)
class DisclosedRate:
    """A proportion as it may be published: `value` (0..1) is None when withheld or undefined."""

    value: float | None
    label: str

    @property
    def is_shown(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class ProtectedTable(Generic[R, C]):
    """A two-way table of counts after disclosure control, margins included."""

    rows: tuple[R, ...]
    columns: tuple[C, ...]
    cells: Mapping[tuple[R, C], DisclosedCount]
    row_totals: Mapping[R, DisclosedCount]
    column_totals: Mapping[C, DisclosedCount]
    total: DisclosedCount
    policy: DisclosurePolicy

    def cell(self, row: R, column: C) -> DisclosedCount:
        return self.cells[(row, column)]

    def withheld(self) -> list[tuple[R | None, C | None]]:
        """Every withheld position; None stands for a total (row, column or grand)."""
        found: list[tuple[R | None, C | None]] = [
            key for key, item in self.cells.items() if item.is_suppressed
        ]
        found += [(r, None) for r, item in self.row_totals.items() if item.is_suppressed]
        found += [(None, c) for c, item in self.column_totals.items() if item.is_suppressed]
        if self.total.is_suppressed:
            found.append((None, None))
        return found


@dataclass(frozen=True)
class ProtectedCounts(Generic[K]):
    """A one-way breakdown and its total after disclosure control."""

    parts: Mapping[K, DisclosedCount]
    total: DisclosedCount
    policy: DisclosurePolicy


# --- the method --------------------------------------------------------------------------


def _bridges(edges: set[Position], n_rows: int, n_cols: int) -> set[Position]:
    """Edges of the bipartite graph (row i -- column j) that lie on no cycle (Tarjan)."""
    # Nodes: rows 0..n_rows-1, then columns n_rows..n_rows+n_cols-1.
    adjacency: list[list[int]] = [[] for _ in range(n_rows + n_cols)]
    for i, j in edges:
        adjacency[i].append(n_rows + j)
        adjacency[n_rows + j].append(i)
    order = [-1] * (n_rows + n_cols)
    low = [0] * (n_rows + n_cols)
    found: set[Position] = set()
    counter = 0
    for root in range(n_rows + n_cols):
        if order[root] != -1 or not adjacency[root]:
            continue
        order[root] = low[root] = counter
        counter += 1
        # Iterative DFS: (node, parent, next neighbour index); no recursion limit to hit.
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]
        while stack:
            node, parent, index = stack[-1]
            if index < len(adjacency[node]):
                stack[-1] = (node, parent, index + 1)
                neighbour = adjacency[node][index]
                if neighbour == parent:
                    continue  # simple graph: the one edge back to the parent
                if order[neighbour] == -1:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, node, 0))
                else:
                    low[node] = min(low[node], order[neighbour])
            else:
                stack.pop()
                if parent != -1:
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        row, col = (parent, node) if parent < n_rows else (node, parent)
                        found.add((row, col - n_rows))
    return found


def _closing_path(
    edge: Position, withheld: set[Position], cost: list[list[int]], n_rows: int, n_cols: int
) -> list[Position]:
    """The cheapest set of cells whose withholding puts `edge` on a cycle (Dijkstra from its
    column to its row over the complete bipartite graph; withheld cells cost nothing)."""
    start_row, start_col = edge
    source, target = n_rows + start_col, start_row
    distance: dict[int, int] = {source: 0}
    previous: dict[int, int] = {}
    queue: list[tuple[int, int]] = [(0, source)]
    done: set[int] = set()
    while queue:
        dist, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        if node == target:
            break
        others = range(n_rows, n_rows + n_cols) if node < n_rows else range(n_rows)
        for other in others:
            if other in done:
                continue
            row, col = (node, other - n_rows) if node < n_rows else (other, node - n_rows)
            if (row, col) == edge:
                continue
            step = 0 if (row, col) in withheld else cost[row][col]
            if dist + step < distance.get(other, dist + step + 1):
                distance[other] = dist + step
                previous[other] = node
                heapq.heappush(queue, (dist + step, other))
    if target not in done:  # cannot happen: the graph is complete with two nodes a side
        raise RuntimeError("no cycle can protect a withheld cell")
    path: list[Position] = []
    node = target
    while node != source:
        before = previous[node]
        row, col = (node, before - n_rows) if node < n_rows else (before, node - n_rows)
        path.append((row, col))
        node = before
    return path


def _costs(matrix: list[list[int]], shared: Set[Position]) -> list[list[int]]:
    """What withholding each position costs: small non-zero inner cells first, then totals,
    then the grand total; zeros after those, because a withheld zero can only move one way;
    figures other tables also publish last, because withholding them spreads to those."""
    n_rows, n_cols = len(matrix), len(matrix[0])
    base = matrix[-1][-1] + 1  # more than any single figure in the table

    def cost(i: int, j: int) -> int:
        value = matrix[i][j]
        if (i, j) in shared:
            return 6 * base + value
        if value == 0:
            return 4 * base
        if (i, j) == (n_rows - 1, n_cols - 1):
            return 3 * base
        if i == n_rows - 1 or j == n_cols - 1:
            return base + value
        return value

    return [[cost(i, j) for j in range(n_cols)] for i in range(n_rows)]


def _suppress(
    matrix: list[list[int]],
    policy: DisclosurePolicy,
    *,
    forced: Set[Position] = frozenset(),
    shared: Set[Position] = frozenset(),
) -> dict[Position, Suppression]:
    """Which positions of the augmented matrix (absolute values) are withheld, and why.

    `forced` positions are withheld because another table withholds the same figure; like
    small counts, they must not be recoverable here either.
    """
    n_rows, n_cols = len(matrix), len(matrix[0])
    primary = {(i, j) for i in range(n_rows) for j in range(n_cols) if policy.hides(matrix[i][j])}
    sensitive = primary | set(forced)
    withheld = set(sensitive)
    cost = _costs(matrix, shared)
    while True:
        exposed = sorted(_bridges(withheld, n_rows, n_cols) & sensitive)
        if not exposed:
            break
        withheld.update(_closing_path(exposed[0], withheld, cost, n_rows, n_cols))
    return {
        position: Suppression.primary if position in primary else Suppression.secondary
        for position in withheld
    }


def protect_count(count: int, *, policy: DisclosurePolicy) -> DisclosedCount:
    """One figure on its own (no margin to protect): withheld when small, else rounded."""
    if count < 0:
        raise ValueError("counts are never negative")
    return _published(count, Suppression.primary if policy.hides(count) else None, policy)


def _published(
    count: int, suppression: Suppression | None, policy: DisclosurePolicy
) -> DisclosedCount:
    if suppression is not None:
        return DisclosedCount(value=None, suppression=suppression, label=WITHHELD)
    value = rounded(count, policy)
    return DisclosedCount(value=value, suppression=Suppression.none, label=str(value))


@dataclass(frozen=True)
class LinkedTable(Generic[R, C]):
    """A table to protect together with others. `shared` names the figures other tables
    publish too: (row, column) for a cell, (row, None) a row total, (None, column) a column
    total, (None, None) the grand total; the same name means the same figure everywhere."""

    counts: Mapping[tuple[R, C], int]
    rows: Sequence[R]
    columns: Sequence[C]
    shared: Mapping[tuple[R | None, C | None], Hashable] = field(default_factory=dict)

    def matrix(self) -> list[list[int]]:
        if not self.rows or not self.columns:
            raise ValueError("a table needs at least one row and one column")
        if any(count < 0 for count in self.counts.values()):
            raise ValueError("counts are never negative")
        inner = [[self.counts.get((r, c), 0) for c in self.columns] for r in self.rows]
        matrix = [[*line, sum(line)] for line in inner]
        column_sums = [sum(line[j] for line in inner) for j in range(len(self.columns))]
        matrix.append([*column_sums, sum(column_sums)])
        return matrix

    def position(self, key: tuple[R | None, C | None]) -> Position:
        row, column = key
        i = len(self.rows) if row is None else list(self.rows).index(row)
        j = len(self.columns) if column is None else list(self.columns).index(column)
        return i, j


def _assemble(
    table: LinkedTable[R, C],
    matrix: list[list[int]],
    hidden: Mapping[Position, Suppression],
    policy: DisclosurePolicy,
) -> ProtectedTable[R, C]:
    n, m = len(table.rows), len(table.columns)
    return ProtectedTable(
        rows=tuple(table.rows),
        columns=tuple(table.columns),
        cells={
            (r, c): _published(matrix[i][j], hidden.get((i, j)), policy)
            for i, r in enumerate(table.rows)
            for j, c in enumerate(table.columns)
        },
        row_totals={
            r: _published(matrix[i][m], hidden.get((i, m)), policy)
            for i, r in enumerate(table.rows)
        },
        column_totals={
            c: _published(matrix[n][j], hidden.get((n, j)), policy)
            for j, c in enumerate(table.columns)
        },
        total=_published(matrix[n][m], hidden.get((n, m)), policy),
        policy=policy,
    )


def protect_linked(
    tables: Sequence[LinkedTable[Any, Any]], *, policy: DisclosurePolicy
) -> list[ProtectedTable[Any, Any]]:
    """Protect tables that publish some of the same figures (a page of breakdowns of the same
    people): a shared figure withheld in one table is withheld, and protected, in all of them,
    so no table gives away what another hides. Repeats until nothing more spreads."""
    matrices = [table.matrix() for table in tables]
    values: dict[Hashable, int] = {}
    for table, matrix in zip(tables, matrices, strict=True):
        for key, name in table.shared.items():
            i, j = table.position(key)
            if values.setdefault(name, matrix[i][j]) != matrix[i][j]:
                raise ValueError(f"shared figure {name!r} differs between tables")
    spread: set[Hashable] = set()
    while True:
        hidden_all = []
        withheld_names: set[Hashable] = set()
        for table, matrix in zip(tables, matrices, strict=True):
            located = [(table.position(key), name) for key, name in table.shared.items()]
            hidden = _suppress(
                matrix,
                policy,
                forced={pos for pos, name in located if name in spread},
                shared={pos for pos, _ in located},
            )
            withheld_names |= {name for pos, name in located if pos in hidden}
            hidden_all.append(hidden)
        if withheld_names <= spread:
            return [
                _assemble(table, matrix, hidden, policy)
                for table, matrix, hidden in zip(tables, matrices, hidden_all, strict=True)
            ]
        spread |= withheld_names


def protect_table(
    counts: Mapping[tuple[R, C], int],
    *,
    rows: Sequence[R],
    columns: Sequence[C],
    policy: DisclosurePolicy,
) -> ProtectedTable[R, C]:
    """Disclose a two-way table and its margins so that no small count can be seen or worked
    out from the published figures; missing keys count as zero."""
    table = LinkedTable(counts, rows, columns)
    matrix = table.matrix()
    return _assemble(table, matrix, _suppress(matrix, policy), policy)


ONLY = "count"
"""The one column of a breakdown protected as a table."""


def breakdown_table(
    counts: Mapping[K, int],
    *,
    keys: Sequence[K],
    shared_parts: Mapping[K, Hashable] | None = None,
    shared_total: Hashable | None = None,
) -> LinkedTable[K, str]:
    """A one-way breakdown as a one-column table (its row totals repeat the parts), for
    `protect_linked`; a shared part or total names both of its copies."""
    shared: dict[tuple[K | None, str | None], Hashable] = {}
    for key, name in (shared_parts or {}).items():
        shared[(key, ONLY)] = shared[(key, None)] = name
    if shared_total is not None:
        shared[(None, ONLY)] = shared[(None, None)] = shared_total
    return LinkedTable({(key, ONLY): counts.get(key, 0) for key in keys}, keys, [ONLY], shared)


def as_counts(table: ProtectedTable[K, str]) -> ProtectedCounts[K]:
    """A protected one-column table read back as a breakdown (either copy withheld hides it)."""
    parts: dict[K, DisclosedCount] = {}
    for key in table.rows:
        cell, copy = table.cell(key, ONLY), table.row_totals[key]
        parts[key] = copy if copy.is_suppressed and not cell.is_suppressed else cell
    total = table.column_totals[ONLY]
    if table.total.is_suppressed and not total.is_suppressed:
        total = table.total
    return ProtectedCounts(parts=parts, total=total, policy=table.policy)


def protect_counts(
    counts: Mapping[K, int], *, keys: Sequence[K], policy: DisclosurePolicy
) -> ProtectedCounts[K]:
    """Disclose a one-way breakdown and its total: the same method on a one-column table,
    whose row totals repeat the parts (both copies of a part are withheld together)."""
    return as_counts(protect_linked([breakdown_table(counts, keys=keys)], policy=policy)[0])


# --- rates ---------------------------------------------------------------------------------


def protect_rate(
    numerator: int,
    denominator: int,
    *,
    policy: DisclosurePolicy,
    published: Sequence[DisclosedCount] = (),
) -> DisclosedRate:
    """`numerator / denominator` as a whole percentage, shown only when the denominator, the
    numerator and the rest (denominator - numerator) are all publishable and none of the
    `published` figures it is derived from was withheld; a rate would otherwise let a reader
    multiply a withheld count back out. Calculated before rounding."""
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError("a rate needs 0 <= numerator <= denominator")
    if denominator == 0:
        return DisclosedRate(value=None, label=NOT_APPLICABLE)
    if (
        policy.hides(denominator)
        or policy.hides(numerator)
        or policy.hides(denominator - numerator)
        or any(item.is_suppressed for item in published)
    ):
        return DisclosedRate(value=None, label=WITHHELD)
    value = numerator / denominator
    return DisclosedRate(value=value, label=f"{round(value * 100)}%")


def disclosure_note(policy: DisclosurePolicy) -> str:
    """The sentence every published table carries, saying what was done to its figures."""
    if policy.is_exact:
        return "Exact figures: no disclosure control has been applied to this table."
    parts = [
        f"Counts from 1 to {policy.threshold - 1} are withheld and shown as {WITHHELD}, and "
        "further figures are withheld where needed so that a withheld figure cannot be "
        "worked out from the totals."
    ]
    if policy.rounding_base > 1:
        parts.append(
            f"Other figures are rounded to the nearest {policy.rounding_base}, each on its own, "
            "so they may not add up to the totals shown."
        )
    parts.append(
        f"Percentages are shown only where neither the count nor the number it is out of is "
        f"withheld, and are calculated before rounding. {NOT_APPLICABLE} means there is "
        "nothing to calculate a percentage from."
    )
    return " ".join(parts)
