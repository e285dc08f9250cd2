"""Table disclosure control: nothing small is shown, and nothing withheld can be worked out.

The recovery tests play the attacker. They are given *exact* values of every published
figure (stronger than a real reader, who sees them rounded) and try to solve for the withheld
ones: first by repeatedly filling in a row or column with one unknown (what a person with a
calculator does), then by full Gaussian elimination over the rationals. Then, for each small
withheld count, the test builds a second non-negative table that publishes exactly the same
figures but differs in that cell: proof that no method can recover it.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeshare.redaction.small_counts import DisclosurePolicy, Suppression, rounded
from safeshare.redaction.tables import (
    NOT_APPLICABLE,
    WITHHELD,
    LinkedTable,
    ProtectedTable,
    breakdown_table,
    disclosure_note,
    protect_counts,
    protect_linked,
    protect_rate,
    protect_table,
)

Matrix = list[list[int]]
Pos = tuple[int, int]

DEFAULT = DisclosurePolicy(threshold=10, rounding_base=5)


# --- the attacker's view --------------------------------------------------------------------


def augmented(counts: Matrix) -> Matrix:
    """The table with its row totals, column totals and grand total as an extra row/column."""
    rows = [[*line, sum(line)] for line in counts]
    rows.append([sum(line[j] for line in rows) for j in range(len(rows[0]))])
    return rows


def withheld_positions(table: ProtectedTable[int, int]) -> set[Pos]:
    n, m = len(table.rows), len(table.columns)
    found = {(i, j) for (i, j), item in table.cells.items() if item.is_suppressed}
    found |= {(i, m) for i, item in table.row_totals.items() if item.is_suppressed}
    found |= {(n, j) for j, item in table.column_totals.items() if item.is_suppressed}
    if table.total.is_suppressed:
        found.add((n, m))
    return found


def primary_positions(table: ProtectedTable[int, int]) -> set[Pos]:
    n, m = len(table.rows), len(table.columns)
    items: dict[Pos, Suppression] = {k: v.suppression for k, v in table.cells.items()}
    items |= {(i, m): v.suppression for i, v in table.row_totals.items()}
    items |= {(n, j): v.suppression for j, v in table.column_totals.items()}
    items[(n, m)] = table.total.suppression
    return {pos for pos, why in items.items() if why is Suppression.primary}


def equations(n_rows: int, n_cols: int) -> list[dict[Pos, int]]:
    """Every sum a reader knows holds: each row and each column adds up to its total."""
    eqs: list[dict[Pos, int]] = []
    for i in range(n_rows + 1):  # the last is the column totals adding up to the grand total
        eq = {(i, j): 1 for j in range(n_cols)}
        eq[(i, n_cols)] = -1
        eqs.append(eq)
    for j in range(n_cols + 1):
        eq = {(i, j): 1 for i in range(n_rows)}
        eq[(n_rows, j)] = -1
        eqs.append(eq)
    return eqs


def solve_by_margins(full: Matrix, unknown: set[Pos]) -> dict[Pos, int]:
    """Fill in any equation with a single unknown, repeatedly, as a person would."""
    n_rows, n_cols = len(full) - 1, len(full[0]) - 1
    known = {
        (i, j): full[i][j]
        for i in range(n_rows + 1)
        for j in range(n_cols + 1)
        if (i, j) not in unknown
    }
    solved: dict[Pos, int] = {}
    progress = True
    while progress:
        progress = False
        for eq in equations(n_rows, n_cols):
            missing = [p for p in eq if p not in known]
            if len(missing) == 1:
                (pos,) = missing
                rest = sum(coef * known[p] for p, coef in eq.items() if p != pos)
                known[pos] = solved[pos] = -rest * eq[pos]
                progress = True
    return solved


def determined_by_elimination(full: Matrix, unknown: set[Pos]) -> set[Pos]:
    """Unknowns fixed by the linear system: e_k lies in the row space of its matrix."""
    n_rows, n_cols = len(full) - 1, len(full[0]) - 1
    order = sorted(unknown)
    index = {pos: k for k, pos in enumerate(order)}
    basis: list[list[Fraction]] = []  # reduced rows, each with a distinct pivot
    pivots: list[int] = []

    def reduce(vector: list[Fraction]) -> list[Fraction]:
        for row, pivot in zip(basis, pivots, strict=True):
            if vector[pivot] != 0:
                factor = vector[pivot]
                vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
        return vector

    for eq in equations(n_rows, n_cols):
        vector = [Fraction(0)] * len(order)
        for pos, coef in eq.items():
            if pos in index:
                vector[index[pos]] = Fraction(coef)
        vector = reduce(vector)
        pivot = next((k for k, a in enumerate(vector) if a != 0), None)
        if pivot is None:
            continue
        vector = [a / vector[pivot] for a in vector]
        for k, row in enumerate(basis):  # keep the basis fully reduced
            if row[pivot] != 0:
                factor = row[pivot]
                basis[k] = [a - factor * b for a, b in zip(row, vector, strict=True)]
        basis.append(vector)
        pivots.append(pivot)
    found = set()
    for pos in order:
        unit = [Fraction(0)] * len(order)
        unit[index[pos]] = Fraction(1)
        if not any(reduce(unit)):
            found.add(pos)
    return found


def alternative_table(full: Matrix, unknown: set[Pos], target: Pos) -> Matrix | None:
    """Another non-negative table with the same published figures but a different `target`:
    move one unit around a cycle of withheld cells through it (rows and columns alternate)."""
    n_rows, n_cols = len(full), len(full[0])
    start_row, start_col = target

    def search(
        path: list[Pos], at_row: bool, node: int, seen: set[tuple[bool, int]]
    ) -> Matrix | None:
        # Walk: column -> row -> column ..., back to the target's row to close the cycle.
        candidates = (
            [(node, j) for j in range(n_cols)] if at_row else [(i, node) for i in range(n_rows)]
        )
        for pos in candidates:
            if pos not in unknown or pos in path:
                continue
            nxt = (False, pos[1]) if at_row else (True, pos[0])
            if not at_row and pos[0] == start_row and len(path) >= 3:
                cycle = [*path, pos]
                for step in (1, -1):
                    trial = [line[:] for line in full]
                    for k, (i, j) in enumerate(cycle):
                        # The equations hold for the matrix with totals negated, so a total
                        # moves the opposite way to an inner cell (the grand total twice over).
                        sign = 1 if (i == n_rows - 1) == (j == n_cols - 1) else -1
                        trial[i][j] += sign * (step if k % 2 == 0 else -step)
                    if all(v >= 0 for line in trial for v in line):
                        return trial
                continue
            if nxt in seen:
                continue
            found = search([*path, pos], not at_row, nxt[1], seen | {nxt})
            if found is not None:
                return found
        return None

    return search([target], False, start_col, {(False, start_col), (True, start_row)})


def margins_hold(table: Matrix) -> bool:
    return augmented([line[:-1] for line in table[:-1]]) == table


# --- strategies -----------------------------------------------------------------------------

small_or_big = st.one_of(st.integers(0, 12), st.integers(0, 200))
tables = st.integers(1, 4).flatmap(
    lambda n: st.integers(1, 4).flatmap(
        lambda m: st.lists(st.lists(small_or_big, min_size=m, max_size=m), min_size=n, max_size=n)
    )
)
policies = st.builds(
    DisclosurePolicy, threshold=st.integers(2, 15), rounding_base=st.sampled_from([1, 2, 5, 10])
)


def protect(counts: Matrix, policy: DisclosurePolicy) -> ProtectedTable[int, int]:
    return protect_table(
        {(i, j): v for i, line in enumerate(counts) for j, v in enumerate(line)},
        rows=range(len(counts)),
        columns=range(len(counts[0])),
        policy=policy,
    )


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(counts=tables, policy=policies)
def test_no_small_figure_is_shown_and_shown_figures_are_rounded(
    counts: Matrix, policy: DisclosurePolicy
) -> None:
    table = protect(counts, policy)
    full = augmented(counts)
    withheld = withheld_positions(table)
    n, m = len(counts), len(counts[0])
    published = {(i, j): v for (i, j), v in table.cells.items()}
    published |= {(i, m): v for i, v in table.row_totals.items()}
    published |= {(n, j): v for j, v in table.column_totals.items()}
    published[(n, m)] = table.total
    for (i, j), item in published.items():
        exact = full[i][j]
        if policy.hides(exact):
            assert item.is_suppressed and item.label == WITHHELD
        if (i, j) in withheld:
            assert item.value is None and item.label == WITHHELD
        else:
            assert item.value == rounded(exact, policy)
            assert item.value % policy.rounding_base == 0


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(counts=tables, policy=policies)
def test_withheld_small_counts_cannot_be_recovered_from_the_totals(
    counts: Matrix, policy: DisclosurePolicy
) -> None:
    table = protect(counts, policy)
    full = augmented(counts)
    withheld = withheld_positions(table)
    small = primary_positions(table)
    assert not set(solve_by_margins(full, withheld)) & small
    assert not determined_by_elimination(full, withheld) & small
    for pos in small:
        other = alternative_table(full, withheld, pos)
        assert other is not None, f"{pos} has only one possible value"
        assert other[pos[0]][pos[1]] != full[pos[0]][pos[1]]
        assert margins_hold(other)
        assert all(
            other[i][j] == full[i][j]
            for i in range(len(full))
            for j in range(len(full[0]))
            if (i, j) not in withheld
        ), "the alternative must publish exactly the same figures"


def test_the_attacks_do_work_when_only_small_counts_are_hidden() -> None:
    """Sanity check on the attacker: primary suppression alone gives the cell away."""
    counts = [[3, 40], [25, 30]]
    full = augmented(counts)
    assert solve_by_margins(full, {(0, 0)}) == {(0, 0): 3}
    assert determined_by_elimination(full, {(0, 0)}) == {(0, 0)}
    # Two hidden cells in the same row but nowhere else in their columns: still solvable.
    assert determined_by_elimination(full, {(0, 0), (0, 1)}) == {(0, 0), (0, 1)}
    assert alternative_table(full, {(0, 0), (0, 1)}, (0, 0)) is None


def test_a_two_by_two_with_one_small_cell_hides_all_four() -> None:
    table = protect([[3, 40], [25, 30]], DEFAULT)
    assert {k: v.label for k, v in table.cells.items()} == {
        (0, 0): WITHHELD,
        (0, 1): WITHHELD,
        (1, 0): WITHHELD,
        (1, 1): WITHHELD,
    }
    assert [table.row_totals[0].label, table.row_totals[1].label] == ["45", "55"]
    assert [table.column_totals[0].label, table.column_totals[1].label] == ["30", "70"]
    assert table.total.label == "100"


def test_secondary_suppression_prefers_small_inner_cells_to_totals() -> None:
    counts = [[4, 50, 11], [60, 70, 80], [12, 90, 13]]
    table = protect(counts, DEFAULT)
    hidden = withheld_positions(table)
    assert (0, 0) in hidden
    assert not {(0, 3), (1, 3), (2, 3), (3, 0), (3, 1), (3, 2), (3, 3)} & hidden
    # The cheapest cycle through (0, 0) uses 11, 12 and 13.
    assert hidden == {(0, 0), (0, 2), (2, 0), (2, 2)}


def test_a_small_row_total_is_withheld_and_protected() -> None:
    counts = [[2, 3], [30, 40], [50, 60]]
    table = protect(counts, DEFAULT)
    assert table.row_totals[0].label == WITHHELD
    full = augmented(counts)
    hidden = withheld_positions(table)
    assert not determined_by_elimination(full, hidden) & primary_positions(table)


def test_a_shown_zero_stays_zero() -> None:
    table = protect([[0, 40], [25, 30]], DEFAULT)
    assert table.cell(0, 0).label == "0"


# --- one-way breakdowns ---------------------------------------------------------------------


@settings(max_examples=300)
@given(
    parts=st.lists(small_or_big, min_size=1, max_size=8),
    policy=policies,
)
def test_a_breakdown_never_gives_away_a_small_part(
    parts: list[int], policy: DisclosurePolicy
) -> None:
    keys = list(range(len(parts)))
    result = protect_counts(dict(enumerate(parts)), keys=keys, policy=policy)
    total = sum(parts)
    hidden = [k for k in keys if result.parts[k].is_suppressed]
    unknowns = len(hidden) + (1 if result.total.is_suppressed else 0)
    assert unknowns != 1, "the total minus the shown parts would give the hidden one away"
    for k in keys:
        if policy.hides(parts[k]):
            assert result.parts[k].label == WITHHELD
        elif k not in hidden:
            assert result.parts[k].value == rounded(parts[k], policy)
    if policy.hides(total):
        assert result.total.label == WITHHELD
    elif not result.total.is_suppressed:
        assert result.total.value == rounded(total, policy)
    if any(policy.hides(p) for p in parts):
        # Another non-negative split publishes the same figures: move one unit between two
        # non-zero hidden quantities (two parts, or a part and the total when it is hidden).
        movable = [k for k in hidden if parts[k] > 0]
        assert len(movable) >= 2 or (result.total.is_suppressed and movable)


def test_breakdown_hides_the_smallest_other_part_with_one_label() -> None:
    result = protect_counts({"a": 3, "b": 40, "c": 12, "d": 0}, keys="abcd", policy=DEFAULT)
    assert {k: v.label for k, v in result.parts.items()} == {
        "a": WITHHELD,
        "b": "40",
        "c": WITHHELD,
        "d": "0",
    }
    assert result.total.label == "55"


def test_one_plus_ten_is_not_recoverable_from_the_labels() -> None:
    """With distinct labels ("fewer than 10", "withheld") a reader knows 1 + 10 = 11 can only
    split one way; with one label for both it cannot."""
    result = protect_counts({"a": 1, "b": 10, "c": 50}, keys="abc", policy=DEFAULT)
    assert result.parts["a"].label == result.parts["b"].label == WITHHELD


# --- rates and the note ---------------------------------------------------------------------


@given(
    numerator=st.integers(0, 300),
    extra=st.integers(0, 300),
    policy=policies,
)
def test_a_rate_never_reveals_a_small_count(
    numerator: int, extra: int, policy: DisclosurePolicy
) -> None:
    denominator = numerator + extra
    result = protect_rate(numerator, denominator, policy=policy)
    if denominator == 0:
        assert result.label == NOT_APPLICABLE
    elif policy.hides(numerator) or policy.hides(extra) or policy.hides(denominator):
        assert result.value is None and result.label == WITHHELD
    else:
        assert result.value == pytest.approx(numerator / denominator)
        assert result.label.endswith("%")


def test_a_rate_on_a_withheld_figure_is_withheld() -> None:
    table = protect([[3, 40], [25, 30]], DEFAULT)
    rate = protect_rate(25, 55, policy=DEFAULT, published=[table.cell(1, 0), table.row_totals[1]])
    assert rate.label == WITHHELD
    shown = protect_rate(30, 55, policy=DEFAULT, published=[table.row_totals[1]])
    assert shown.label == "55%"


def test_every_table_note_says_what_was_done() -> None:
    note = disclosure_note(DEFAULT)
    assert "1 to 9" in note and "nearest 5" in note and WITHHELD in note
    assert "worked out from the totals" in note


@pytest.mark.parametrize(
    ("numerator", "denominator"), [(-1, 5), (6, 5)], ids=["negative", "more than all"]
)
def test_nonsense_rates_are_a_bug(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError):
        protect_rate(numerator, denominator, policy=DEFAULT)


def test_negative_counts_and_empty_tables_are_a_bug() -> None:
    with pytest.raises(ValueError):
        protect([[-1]], DEFAULT)
    with pytest.raises(ValueError):
        protect_table({}, rows=[], columns=[1], policy=DEFAULT)


# --- linked tables --------------------------------------------------------------------------

records = st.dictionaries(
    st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
    st.one_of(st.integers(1, 12), st.integers(1, 60)),
    max_size=12,
)


def joint_determined(
    specs: list[LinkedTable[int, object]], tables: list[ProtectedTable[int, object]]
) -> set[tuple[object, ...]]:
    """Gaussian elimination over every table's equations at once, shared figures being one
    unknown: which withheld figures does the whole page give away?"""
    unknowns: set[tuple[object, ...]] = set()
    systems: list[list[dict[tuple[object, ...], int]]] = []
    for index, (spec, table) in enumerate(zip(specs, tables, strict=True)):
        n, m = len(spec.rows), len(spec.columns)
        names = {spec.position(k): name for k, name in spec.shared.items()}

        def var(
            pos: Pos, index: int = index, names: dict[Pos, object] = names
        ) -> tuple[object, ...]:
            return ("shared", names[pos]) if pos in names else (index, pos)

        hidden = {
            (
                spec.rows.index(r) if r is not None else n,
                spec.columns.index(c) if c is not None else m,
            )  # type: ignore[arg-type]
            for r, c in table.withheld()
        }
        unknowns |= {var(p) for p in hidden}
        for eq in equations(n, m):
            merged: dict[tuple[object, ...], int] = {}
            for p, coef in eq.items():  # a figure repeated in one table is one unknown
                merged[var(p)] = merged.get(var(p), 0) + coef
            systems.append([merged])
    # Reuse the single-table eliminator by flattening variables onto a line of positions.
    order = sorted(unknowns, key=repr)
    index_of = {v: (0, k) for k, v in enumerate(order)}
    fake_eqs = []
    for (eq,) in systems:
        fake: dict[Pos, int] = {}
        for v, coef in eq.items():
            if v in index_of:
                fake[index_of[v]] = fake.get(index_of[v], 0) + coef
        fake_eqs.append(fake)
    found = _determined(fake_eqs, set(index_of.values()))
    return {v for v in order if index_of[v] in found}


def _determined(eqs: list[dict[Pos, int]], unknown: set[Pos]) -> set[Pos]:
    order = sorted(unknown)
    index = {pos: k for k, pos in enumerate(order)}
    basis: list[list[Fraction]] = []
    pivots: list[int] = []

    def reduce(vector: list[Fraction]) -> list[Fraction]:
        for row, pivot in zip(basis, pivots, strict=True):
            if vector[pivot] != 0:
                factor = vector[pivot]
                vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
        return vector

    for eq in eqs:
        vector = [Fraction(0)] * len(order)
        for pos, coef in eq.items():
            vector[index[pos]] += coef
        vector = reduce(vector)
        pivot = next((k for k, a in enumerate(vector) if a != 0), None)
        if pivot is None:
            continue
        vector = [a / vector[pivot] for a in vector]
        for k, row in enumerate(basis):
            if row[pivot] != 0:
                factor = row[pivot]
                basis[k] = [a - factor * b for a, b in zip(row, vector, strict=True)]
        basis.append(vector)
        pivots.append(pivot)
    found = set()
    for pos in order:
        unit = [Fraction(0)] * len(order)
        unit[index[pos]] = Fraction(1)
        if not any(reduce(unit)):
            found.add(pos)
    return found


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=records, policy=policies)
def test_a_page_of_linked_tables_gives_nothing_away_together(
    data: dict[tuple[int, int, int], int], policy: DisclosurePolicy
) -> None:
    """Two cross-classifications of the same people against one outcome, and the outcome's
    own breakdown: the outcome totals and grand total are the same figures in all three."""
    by_first: dict[tuple[int, int], int] = {}
    by_second: dict[tuple[int, int], int] = {}
    by_outcome: dict[int, int] = {}
    for (a, b, c), n in data.items():
        by_first[(a, c)] = by_first.get((a, c), 0) + n
        by_second[(b, c)] = by_second.get((b, c), 0) + n
        by_outcome[c] = by_outcome.get(c, 0) + n
    outcomes = [0, 1, 2]
    margins: dict[tuple[int | None, object], object] = {(None, c): ("outcome", c) for c in outcomes}
    margins[(None, None)] = "total"
    specs: list[LinkedTable[int, object]] = [
        LinkedTable(by_first, [0, 1, 2], outcomes, margins),  # type: ignore[arg-type]
        LinkedTable(by_second, [0, 1, 2], outcomes, margins),  # type: ignore[arg-type]
        breakdown_table(  # type: ignore[list-item]
            by_outcome,
            keys=outcomes,
            shared_parts={c: ("outcome", c) for c in outcomes},
            shared_total="total",
        ),
    ]
    tables = protect_linked(specs, policy=policy)
    # The same figure is withheld everywhere or nowhere.
    status: dict[object, set[bool]] = {}
    for spec, table in zip(specs, tables, strict=True):
        for key, name in spec.shared.items():
            row, col = key
            item = (
                table.total
                if row is None and col is None
                else table.column_totals[col]
                if row is None
                else table.row_totals[row]
                if col is None
                else table.cell(row, col)
            )
            status.setdefault(name, set()).add(item.is_suppressed)
    assert all(len(seen) == 1 for seen in status.values()), status
    # Nothing small can be solved for from all the tables' equations together.
    small = set()
    for index, (spec, table) in enumerate(zip(specs, tables, strict=True)):
        names = {spec.position(k): name for k, name in spec.shared.items()}
        for pos in primary_positions(table):  # type: ignore[arg-type]
            small.add(("shared", names[pos]) if pos in names else (index, pos))
    assert not joint_determined(specs, tables) & small  # type: ignore[arg-type]
