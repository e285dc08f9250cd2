"""Statistics tables as every audience sees them: built only from disclosure-controlled
figures, each with a text summary, a note on what was done to it, and what to chart.

Nothing here sees a database; builders take raw counts and apply `safeshare.redaction.tables`
before any figure is kept, so a `StatTable` cannot hold an unprotected count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from safeshare.oversight.intervals import describe_gap
from safeshare.redaction.small_counts import DisclosedCount, DisclosurePolicy
from safeshare.redaction.tables import (
    WITHHELD,
    DisclosedRate,
    LinkedTable,
    ProtectedCounts,
    ProtectedTable,
    as_counts,
    breakdown_table,
    disclosure_note,
    protect_counts,
    protect_linked,
    protect_rate,
    protect_table,
)

FigureKind = Literal["count", "rate", "text"]
TOTAL_NAME = "total"
"""The shared name of a page's grand total (every table on it counts the same people)."""
ChartKind = Literal["bar", "rate", "columns"]
TOTAL = "total"


@dataclass(frozen=True)
class Figure:
    """One published cell: its label as shown, and a number for charts (None if withheld)."""

    label: str
    value: float | None
    kind: FigureKind

    @property
    def is_withheld(self) -> bool:
        return self.label == WITHHELD

    @classmethod
    def of_count(cls, item: DisclosedCount) -> Figure:
        return cls(label=item.label, value=item.value, kind="count")

    @classmethod
    def of_rate(cls, item: DisclosedRate) -> Figure:
        return cls(label=item.label, value=item.value, kind="rate")

    @classmethod
    def text(cls, value: str) -> Figure:
        return cls(label=value, value=None, kind="text")

    @property
    def display(self) -> str:
        """The label with thousands separators for counts (CSV keeps the plain label)."""
        if self.kind == "count" and self.value is not None:
            return f"{int(self.value):,}"
        return self.label


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: FigureKind


@dataclass(frozen=True)
class Row:
    key: str
    heading: str
    figures: tuple[Figure, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Chart:
    """What to draw: one bar per row of `column` ("bar", "rate"), or columns over time."""

    kind: ChartKind
    column: str


@dataclass(frozen=True)
class StatTable:
    key: str
    title: str
    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    summary: str
    note: str
    chart: Chart | None = None
    description: str = ""

    def column_index(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    @property
    def body_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.is_total)

    @property
    def total_row(self) -> Row | None:
        return next((row for row in self.rows if row.is_total), None)


@dataclass(frozen=True)
class Section:
    """One statistics page: its tables, and notices about what it cannot show."""

    key: str
    title: str
    intro: str
    tables: tuple[StatTable, ...]
    notices: tuple[str, ...] = field(default_factory=tuple)

    def table(self, key: str) -> StatTable:
        return next(t for t in self.tables if t.key == key)


Labeller = Callable[[str], str]


def _percent(figure: Figure) -> str:
    return figure.label if figure.kind == "rate" else ""


def _largest(rows: Sequence[Row], index: int) -> Row | None:
    shown = [row for row in rows if row.figures[index].value is not None]
    if not shown:
        return None
    best = max(shown, key=lambda row: row.figures[index].value or 0)
    return best if (best.figures[index].value or 0) > 0 else None


def breakdown(
    key: str,
    title: str,
    *,
    counts: Mapping[str, int],
    keys: Sequence[str],
    label: Labeller,
    row_heading: str,
    noun: str,
    policy: DisclosurePolicy,
    chart: ChartKind | None = "bar",
    description: str = "",
    protected: ProtectedCounts[str] | None = None,
) -> StatTable:
    """A one-way breakdown with its total and each part's share of it (`protected`: already
    disclosure-controlled with the page's other tables; otherwise on its own)."""
    if protected is None:
        protected = protect_counts({k: counts.get(k, 0) for k in keys}, keys=keys, policy=policy)
    total = Figure.of_count(protected.total)
    exact_total = sum(counts.get(k, 0) for k in keys)
    rows = []
    for k in keys:
        part = protected.parts[k]
        share = protect_rate(
            counts.get(k, 0), exact_total, policy=policy, published=[part, protected.total]
        )
        rows.append(Row(k, label(k), (Figure.of_count(part), Figure.of_rate(share))))
    whole = protect_rate(exact_total, exact_total, policy=policy, published=[protected.total])
    rows.append(Row(TOTAL, "Total", (total, Figure.of_rate(whole)), is_total=True))
    columns = (Column("count", "Number", "count"), Column("share", "Percentage of total", "rate"))
    largest = _largest(rows[:-1], 0)
    if total.is_withheld:
        summary = f"Too few {noun} to publish the total."
    else:
        summary = f"{total.display} {noun} in total."
        if largest is not None:
            biggest = largest.figures[1]
            detail = largest.figures[0].display + (f", {biggest.label}" if biggest.value else "")
            summary += f" The largest group was {largest.heading} ({detail})."
    return StatTable(
        key=key,
        title=title,
        row_heading=row_heading,
        columns=columns,
        rows=tuple(rows),
        summary=summary,
        note=disclosure_note(policy),
        chart=Chart(chart, "count") if chart else None,
        description=description,
    )


def crosstab(
    key: str,
    title: str,
    *,
    counts: Mapping[tuple[str, str], int],
    rows: Sequence[str],
    columns: Sequence[str],
    row_label: Labeller,
    column_label: Labeller,
    row_heading: str,
    noun: str,
    policy: DisclosurePolicy,
    rate_of: Sequence[str] = (),
    rate_heading: str = "",
    chart: ChartKind | None = None,
    description: str = "",
    protected: ProtectedTable[str, str] | None = None,
) -> StatTable:
    """A two-way table with row and column totals, and optionally the percentage of each row
    that falls in the `rate_of` columns (e.g. permitted, or met on time)."""
    table = protected or protect_table(
        {(r, c): counts.get((r, c), 0) for r in rows for c in columns},
        rows=rows,
        columns=columns,
        policy=policy,
    )
    exact_rows = {r: sum(counts.get((r, c), 0) for c in columns) for r in rows}
    exact_columns = {c: sum(counts.get((r, c), 0) for r in rows) for c in columns}
    grand = sum(exact_rows.values())
    out: list[Row] = []

    def rate(numerator: int, denominator: int, published: list[DisclosedCount]) -> Figure:
        return Figure.of_rate(
            protect_rate(numerator, denominator, policy=policy, published=published)
        )

    for r in rows:
        figures = [Figure.of_count(table.cell(r, c)) for c in columns]
        figures.append(Figure.of_count(table.row_totals[r]))
        if rate_of:
            numerator = sum(counts.get((r, c), 0) for c in rate_of)
            published = [table.cell(r, c) for c in rate_of] + [table.row_totals[r]]
            figures.append(rate(numerator, exact_rows[r], published))
        out.append(Row(r, row_label(r), tuple(figures)))
    totals = [Figure.of_count(table.column_totals[c]) for c in columns]
    totals.append(Figure.of_count(table.total))
    if rate_of:
        numerator = sum(exact_columns[c] for c in rate_of)
        published = [table.column_totals[c] for c in rate_of] + [table.total]
        totals.append(rate(numerator, grand, published))
    out.append(Row(TOTAL, "Total", tuple(totals), is_total=True))
    heads = [Column(c, column_label(c), "count") for c in columns]
    heads.append(Column(TOTAL, "Total", "count"))
    if rate_of:
        heads.append(Column("rate", rate_heading, "rate"))
    summary = _crosstab_summary(out, noun=noun, rate_heading=rate_heading if rate_of else "")
    chart_spec = None
    if chart == "rate" and rate_of:
        chart_spec = Chart("rate", "rate")
    elif chart is not None:
        chart_spec = Chart(chart, TOTAL)
    return StatTable(
        key=key,
        title=title,
        row_heading=row_heading,
        columns=tuple(heads),
        rows=tuple(out),
        summary=summary,
        note=disclosure_note(policy),
        chart=chart_spec,
        description=description,
    )


def _crosstab_summary(rows: Sequence[Row], *, noun: str, rate_heading: str) -> str:
    total_row = rows[-1]
    body = rows[:-1]
    rate_index = len(total_row.figures) - 1
    total_index = rate_index - 1 if rate_heading else rate_index
    grand = total_row.figures[total_index]
    if grand.is_withheld:
        return f"Too few {noun} to publish the total."
    parts = [f"{grand.display} {noun} in total."]
    if rate_heading:
        overall = total_row.figures[rate_index]
        if overall.value is not None:
            parts.append(f"{rate_heading} overall: {overall.label}.")
        shown = [row for row in body if row.figures[rate_index].value is not None]
        if len(shown) >= 2:
            high = max(shown, key=lambda row: row.figures[rate_index].value or 0)
            low = min(shown, key=lambda row: row.figures[rate_index].value or 0)
            if high.figures[rate_index].label != low.figures[rate_index].label:
                parts.append(
                    f"Highest: {high.heading} ({high.figures[rate_index].label}); "
                    f"lowest: {low.heading} ({low.figures[rate_index].label})."
                )
        hidden = len(body) - len(shown)
        if hidden:
            parts.append(
                f"{hidden} of {len(body)} percentages are withheld or cannot be calculated."
            )
    else:
        largest = _largest(body, total_index)
        if largest is not None:
            parts.append(
                f"The largest group was {largest.heading} ({largest.figures[total_index].display})."
            )
    return " ".join(parts)


class Page:
    """Tables for one page, protected together: figures given the same shared name (the
    outcome totals of several cross-tabulations, say) are withheld alike everywhere."""

    def __init__(self, policy: DisclosurePolicy) -> None:
        self.policy = policy
        self.specs: list[LinkedTable[Any, Any]] = []
        self.builders: list[Callable[[ProtectedTable[Any, Any]], StatTable]] = []

    def breakdown(
        self,
        key: str,
        title: str,
        *,
        counts: Mapping[str, int],
        keys: Sequence[str],
        label: Callable[[str], str],
        row_heading: str,
        noun: str,
        shared_parts: Mapping[str, Hashable] | None = None,
        shared_total: Hashable | None = None,
        chart: ChartKind | None = "bar",
        description: str = "",
    ) -> None:
        self.specs.append(
            breakdown_table(counts, keys=keys, shared_parts=shared_parts, shared_total=shared_total)
        )
        self.builders.append(
            lambda protected: breakdown(
                key,
                title,
                counts=counts,
                keys=keys,
                label=label,
                row_heading=row_heading,
                noun=noun,
                policy=self.policy,
                chart=chart,
                description=description,
                protected=as_counts(protected),
            )
        )

    def crosstab(
        self,
        key: str,
        title: str,
        *,
        counts: Mapping[tuple[str, str], int],
        rows: Sequence[str],
        columns: Sequence[str],
        row_label: Callable[[str], str],
        column_label: Callable[[str], str],
        row_heading: str,
        noun: str,
        shared: Mapping[tuple[str | None, str | None], Hashable] | None = None,
        rate_of: Sequence[str] = (),
        rate_heading: str = "",
        chart: ChartKind | None = None,
        description: str = "",
    ) -> None:
        self.specs.append(LinkedTable(counts, rows, columns, dict(shared or {})))
        self.builders.append(
            lambda protected: crosstab(
                key,
                title,
                counts=counts,
                rows=rows,
                columns=columns,
                row_label=row_label,
                column_label=column_label,
                row_heading=row_heading,
                noun=noun,
                policy=self.policy,
                rate_of=rate_of,
                rate_heading=rate_heading,
                chart=chart,
                description=description,
                protected=protected,
            )
        )

    def tables(self) -> tuple[StatTable, ...]:
        protected = protect_linked(self.specs, policy=self.policy)
        return tuple(build(table) for build, table in zip(self.builders, protected, strict=True))


def column_totals_shared(
    name: str, columns: Sequence[str]
) -> dict[tuple[str | None, str | None], Hashable]:
    shared: dict[tuple[str | None, str | None], Hashable] = {(None, c): (name, c) for c in columns}
    shared[(None, None)] = TOTAL_NAME
    return shared


def row_totals_shared(
    name: str, rows: Sequence[str]
) -> dict[tuple[str | None, str | None], Hashable]:
    shared: dict[tuple[str | None, str | None], Hashable] = {(r, None): (name, r) for r in rows}
    shared[(None, None)] = TOTAL_NAME
    return shared


# --- gaps between groups --------------------------------------------------------------------


def published_cell(table: StatTable, row: str, column: str) -> int | None:
    """A published count from a table (None when withheld, or the row is not there)."""
    index = table.column_index(column)
    found = next((r for r in table.rows if r.key == row), None)
    if found is None:
        return None
    value = found.figures[index].value
    return None if value is None else int(value)


def with_gaps(
    table: StatTable,
    column: str,
    what: str,
    *,
    base: str,
    groups: Sequence[str],
    name: Callable[[str], str],
) -> StatTable:
    """The table with a sentence per group comparing its `column` rate with the `base` row's,
    with a 95% interval, from published counts only (so it reveals nothing the table does
    not); a group with a withheld or empty figure gets none."""
    base_hits, base_total = published_cell(table, base, column), published_cell(table, base, TOTAL)
    sentences = []
    for group in groups:
        hits, total = published_cell(table, group, column), published_cell(table, group, TOTAL)
        if hits is None or base_hits is None or not total or not base_total:
            continue
        sentences.append(
            describe_gap(
                name(group),
                min(hits, total),
                total,
                name(base),
                min(base_hits, base_total),
                base_total,
            )
        )
    gap_text = (
        f" Gap in {what}: " + " ".join(sentences)
        if sentences
        else f" Too few published figures to estimate a gap in {what}."
    )
    return replace(table, summary=table.summary + gap_text)
