"""Tables as published: nothing small survives the builders, every table has a note and a
summary built only from published figures, and charts draw only what the table shows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from safeshare.oversight import charts, pdf
from safeshare.oversight.assurance import AssuranceReport, KeyFigure, LedgerState
from safeshare.oversight.presentation import Section, breakdown, crosstab
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.redaction.small_counts import DisclosurePolicy
from safeshare.redaction.tables import WITHHELD

POLICY = DisclosurePolicy(threshold=10, rounding_base=5)


def test_a_breakdown_withholds_small_parts_and_their_shares() -> None:
    table = breakdown(
        "t",
        "Things",
        counts={"a": 3, "b": 40, "c": 12, "d": 0},
        keys=["a", "b", "c", "d"],
        label=str.upper,
        row_heading="Thing",
        noun="things",
        policy=POLICY,
    )
    shown = {row.key: [f.label for f in row.figures] for row in table.rows}
    assert shown["a"] == [WITHHELD, WITHHELD]
    assert shown["c"] == [WITHHELD, WITHHELD]  # secondary: else 55 - 40 - 0 gives a away
    assert shown["b"] == ["40", "73%"]
    assert shown["d"] == ["0", "0%"]
    assert shown["total"] == ["55", "100%"]
    assert table.summary == "55 things in total. The largest group was B (40, 73%)."
    assert "Counts from 1 to 9 are withheld" in table.note


def test_a_crosstab_rate_is_withheld_when_any_part_of_it_is() -> None:
    table = crosstab(
        "x",
        "Outcomes",
        counts={("r1", "yes"): 30, ("r1", "no"): 20, ("r2", "yes"): 4, ("r2", "no"): 40},
        rows=["r1", "r2"],
        columns=["yes", "no"],
        row_label=str,
        column_label=str,
        row_heading="Row",
        noun="cases",
        policy=POLICY,
        rate_of=["yes"],
        rate_heading="Percentage yes",
        chart="rate",
    )
    shown = {row.key: [f.label for f in row.figures] for row in table.rows}
    assert shown["r2"][-1] == WITHHELD
    assert shown["r1"][-1] == WITHHELD  # r1's "yes" is withheld to protect r2's 4
    assert shown["total"] == ["35", "60", "95", "36%"]
    assert "1 of 2" not in table.summary and "2 of 2 percentages are withheld" in table.summary


def test_too_few_for_a_total() -> None:
    table = breakdown(
        "t",
        "Few",
        counts={"a": 2},
        keys=["a"],
        label=str,
        row_heading="A",
        noun="things",
        policy=POLICY,
    )
    assert table.summary == "Too few things to publish the total."


def test_charts_draw_only_published_figures_and_escape_labels() -> None:
    table = crosstab(
        "forces",
        "By force",
        counts={("<script>", "yes"): 30, ("<script>", "no"): 20, ("B", "yes"): 4},
        rows=["<script>", "B"],
        columns=["yes", "no"],
        row_label=str,
        column_label=str,
        row_heading="Force",
        noun="requests",
        policy=POLICY,
        rate_of=["yes"],
        rate_heading="Percentage yes",
        chart="rate",
    )
    svg = charts.render_svg(table)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="chart-forces-title">By force</title>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg
    # Every rate is withheld here (B's 4 is small), so no bar is drawn at all.
    assert "<rect" not in svg
    assert svg.count("withheld [c]") == 2


def test_month_columns_chart() -> None:
    table = crosstab(
        "months",
        "By month",
        counts={("January 2024", "n"): 50, ("February 2024", "n"): 3, ("March 2024", "n"): 0},
        rows=["January 2024", "February 2024", "March 2024"],
        columns=["n"],
        row_label=str,
        column_label=str,
        row_heading="Month",
        noun="things",
        policy=POLICY,
        chart="columns",
    )
    svg = charts.render_svg(table)
    totals = [row.figures[-1] for row in table.body_rows]
    # February's 3 is withheld, and January with it (else the total gives February away).
    assert [f.label for f in totals] == [WITHHELD, WITHHELD, "0"]
    assert "<rect" not in svg
    assert svg.count(">[c]<") == 2 and ">Jan<" in svg and ">2024<" in svg


def test_pdf_renders_a_report_and_folds_text_to_latin1() -> None:
    assert pdf.latin1("Victims’ Code – “rights”…") == 'Victims\' Code - "rights"...'
    table = breakdown(
        "t",
        "Things",
        counts={"a": 30, "b": 40},
        keys=["a", "b"],
        label=str,
        row_heading="Thing",
        noun="things",
        policy=POLICY,
    )
    report = AssuranceReport(
        filters=StatisticsFilters(start=date(2024, 1, 1), end=date(2024, 3, 31)),
        force_label="All forces",
        generated_at=datetime(2024, 4, 1, 9, tzinfo=UTC),
        key_figures=(KeyFigure("Share requests", "70"),),
        sections=(Section("s", "A section", "Intro ✓", (table,)),),
        recommendations=(),
        ledger=LedgerState("#1", "10 entries", "ab" * 32, "1 April 2024", "Checks passed", ()),
        policy=POLICY,
    )
    data = pdf.render_pdf(report)
    assert data.startswith(b"%PDF-")
    assert re.search(rb"/Title \(SafeShare assurance report\)", data) or b"SafeShare" in data
