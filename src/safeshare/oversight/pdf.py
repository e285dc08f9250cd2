"""The assurance report as a PDF (fpdf2): a cover summary, then each statistics page's charts
and tables with their notes, the recommendations tracker, and the ledger's state.

Tagged for screen readers (see `pdf_tags`): one H1, H2 per part, H3 per table, charts as
figures with alternative text, tables with header cells; headings are kept with what follows.

Everything drawn comes from an `AssuranceReport`, which holds only disclosure-controlled
figures. Core PDF fonts cover Latin-1, so text is folded to it (curly quotes, dashes).
"""

from __future__ import annotations

from datetime import date, datetime

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from safeshare.oversight import charts
from safeshare.oversight.assurance import AssuranceReport
from safeshare.oversight.pdf_tags import TaggedPDF, finish
from safeshare.oversight.presentation import StatTable

FONT = "helvetica"
BLUE = (29, 112, 184)
GREY = (80, 90, 95)
BLACK = (11, 12, 12)
LIGHT = (243, 242, 241)
PAGE_WIDTH = 180.0  # A4 less 15 mm margins
LANG = "en-GB"
# A heading starts a new page unless this much of what follows fits under it (no orphans).
KEEP_WITH_HEADING = 30.0
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def latin1(text: str) -> str:
    """Text the core fonts can draw: typographic punctuation folded, anything else '?'."""
    return text.translate(_FOLD).encode("latin-1", "replace").decode("latin-1")


class _Document(TaggedPDF):
    def __init__(self, report: AssuranceReport) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title("SafeShare assurance report")
        self.set_author("SafeShare")
        self.set_subject(latin1(_period(report)))
        self.set_lang(LANG)
        self.set_creator("SafeShare")

    def footer(self) -> None:
        with self.artifact():  # running footer: page furniture, not content
            self.set_y(-12)
            self.set_font(FONT, size=8)
            self.set_text_color(*GREY)
            self.cell(
                0,
                5,
                latin1(
                    f"SafeShare assurance report - {_period(self.report)} - page {self.page_no()}"
                ),
                align="C",
            )

    def heading(
        self, text: str, *, level: int, size: float = 16, space: float = 4, keep: float = 0
    ) -> None:
        """An H1-H3 that is never the last thing on a page: `keep` more millimetres (at least
        KEEP_WITH_HEADING) of what follows must fit below it, else it starts a new page."""
        self.ensure_space(size * 0.45 * 2 + space + max(keep, KEEP_WITH_HEADING))
        self.set_font(FONT, "B", size)
        self.set_text_color(*BLACK)
        with self.marked(f"H{level}"):
            self.multi_cell(
                0, size * 0.45, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.ln(space)

    def paragraph(self, text: str, size: float = 10, colour: tuple[int, int, int] = BLACK) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*colour)
        with self.marked("P"):
            self.multi_cell(
                0, size * 0.5, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.ln(2)

    def ensure_space(self, height: float) -> None:
        """A new page unless `height` fits; never for more than a page holds (that would
        only leave an empty page)."""
        usable = self.h - self.b_margin - self.t_margin
        if self.get_y() + min(height, usable) > self.h - self.b_margin:
            self.add_page()


def _day(value: date | datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def _period(report: AssuranceReport) -> str:
    f = report.filters
    return f"{_day(f.start)} to {_day(f.end)}, {report.force_label}"


def _cover(doc: _Document, report: AssuranceReport) -> None:
    doc.add_page()
    doc.heading("Assurance report", level=1, size=24, space=2)
    doc.paragraph(_period(report), size=13, colour=GREY)
    doc.paragraph(
        f"Generated {_day(report.generated_at)} at {report.generated_at:%H:%M} UTC by SafeShare.",
        colour=GREY,
    )
    doc.ln(4)
    doc.heading("Summary", level=2, size=16, keep=7 * min(len(report.key_figures), 6))
    doc.set_font(FONT, size=11)
    doc.set_fill_color(255, 255, 255)
    with doc.tagged_table(
        col_widths=(120, 60),
        text_align=("LEFT", "RIGHT"),
        first_row_as_headings=False,
        line_height=7,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_mode="NONE",
    ) as table:
        for figure in report.key_figures:
            row = table.row()
            row.cell(latin1(figure.label))
            row.cell(latin1(figure.value))
    doc.ln(4)
    doc.heading("Ledger", level=2, size=14, keep=40)
    ledger = report.ledger
    doc.set_font(FONT, size=10)
    doc.set_fill_color(255, 255, 255)
    with doc.tagged_table(
        col_widths=(50, 130),
        text_align="LEFT",
        first_row_as_headings=False,
        line_height=6,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_mode="NONE",
    ) as table:
        for name, value in (
            ("Latest signed checkpoint", ledger.checkpoint),
            ("Entries covered", ledger.tree_size),
            ("Root hash", ledger.root_hash),
            ("Signed", ledger.signed_at),
            ("Verification status", ledger.verification),
            ("Independent witnesses", ledger.witnessing),
        ):
            row = table.row()
            row.cell(name)
            row.cell(latin1(value))
    for problem in ledger.problems:
        doc.paragraph(f"Problem: {problem}", size=9)
    doc.ln(3)
    doc.heading("About these figures", level=2, size=14)
    doc.paragraph(
        "Every figure in this report has been through statistical disclosure control "
        "before leaving SafeShare. " + _note(report)
    )
    doc.paragraph(
        "The ledger is a tamper-evident record of decisions, disclosures and outcomes. Its "
        "signed checkpoint can be checked independently with the published key."
    )


def _note(report: AssuranceReport) -> str:
    for section in report.sections:
        for table in section.tables:
            if table.key != "active_regimes":
                return table.note
    return ""


BAR_H, BAR_GAP, COLUMNS_H = 4.2, 1.6, 40.0


def _chart_height(table: StatTable) -> float:
    """The height `_chart` will draw, so the table's heading can be kept with it."""
    marks = charts.bars(table)
    if table.chart is None or not marks:
        return 0.0
    if table.chart.kind == "columns":
        return COLUMNS_H + 14
    return len(marks) * (BAR_H + BAR_GAP) + 8


def _chart(doc: _Document, table: StatTable) -> None:
    """The chart as one Figure whose alternative text gives its message; the same figures
    follow in the table, so nothing is only in the picture."""
    marks = charts.bars(table)
    if table.chart is None or not marks:
        return
    doc.ensure_space(_chart_height(table))
    alt = latin1(f"Chart: {table.title}. {table.summary} The figures are in the table below.")
    with doc.marked("Figure", alt=alt):
        if table.chart.kind == "columns":
            _columns(doc, marks)
        else:
            _bars(doc, marks, is_rate=table.chart.kind == "rate")


def _bars(doc: _Document, marks: list[charts.Bar], *, is_rate: bool) -> None:
    label_w, plot_w, bar_h, gap = 62.0, 90.0, BAR_H, BAR_GAP
    top = doc.get_y()
    scale = 1.0 if is_rate else max((m.value or 0.0) for m in marks) or 1.0
    doc.set_font(FONT, size=7.5)
    x0 = doc.l_margin + label_w
    if is_rate:
        doc.set_text_color(*GREY)
        for fraction in (0.0, 0.5, 1.0):
            x = x0 + plot_w * fraction
            doc.set_draw_color(177, 180, 182)
            doc.line(x, top + 3, x, top + 4 + len(marks) * (bar_h + gap))
            doc.text(x - 3, top + 2, f"{round(fraction * 100)}%")
        top += 4
    for i, mark in enumerate(marks):
        y = top + i * (bar_h + gap)
        doc.set_text_color(*BLACK)
        label = latin1(charts.short_label(mark.label, 40))
        doc.text(x0 - 2 - doc.get_string_width(label), y + bar_h - 1, label)
        if mark.value is None:
            doc.set_text_color(*GREY)
            doc.text(x0 + 1.5, y + bar_h - 1, latin1(mark.text))
            continue
        width = plot_w * (mark.value / scale)
        if width > 0:
            doc.set_fill_color(*BLUE)
            doc.rect(x0, y, width, bar_h, style="F")
        doc.text(x0 + width + 1.5, y + bar_h - 1, latin1(mark.text))
    doc.set_y(top + len(marks) * (bar_h + gap) + 3)


def _columns(doc: _Document, marks: list[charts.Bar]) -> None:
    height, left = COLUMNS_H, 12.0
    top = doc.get_y() + 2
    x0 = doc.l_margin + left
    plot_w = PAGE_WIDTH - left
    scale = max((m.value or 0.0) for m in marks) or 1.0
    slot = plot_w / len(marks)
    width = min(slot * 0.7, 10)
    doc.set_draw_color(*BLACK)
    doc.line(x0, top + height, x0 + plot_w, top + height)
    doc.set_font(FONT, size=7)
    doc.set_text_color(*GREY)
    doc.text(doc.l_margin, top + 2, f"{int(scale):,}")
    doc.text(doc.l_margin, top + height, "0")
    every = max(1, round(len(marks) / 12))
    for i, mark in enumerate(marks):
        x = x0 + slot * i + (slot - width) / 2
        if mark.value is None:
            doc.set_text_color(*GREY)
            doc.text(x, top + height - 1.5, "[c]")
        elif mark.value > 0:
            bar = height * (mark.value / scale)
            doc.set_fill_color(*BLUE)
            doc.rect(x, top + height - bar, width, bar, style="F")
        if i % every == 0:
            month, _, year = mark.label.partition(" ")
            doc.set_text_color(*BLACK)
            doc.text(x, top + height + 4, month[:3])
            if i == 0 or month == "January":
                doc.set_text_color(*GREY)
                doc.text(x, top + height + 7.5, year)
    doc.set_y(top + height + 11)


def _table(doc: _Document, table: StatTable) -> None:
    columns = len(table.columns) + 1
    size = 8 if columns <= 6 else 6.5
    first = 50.0 if columns <= 6 else 40.0
    rest = (PAGE_WIDTH - first) / (columns - 1)
    doc.set_font(FONT, size=size)
    doc.set_text_color(*BLACK)
    doc.set_draw_color(177, 180, 182)
    heading_style = FontFace(emphasis="BOLD", fill_color=LIGHT)
    aligns = ("LEFT", *["LEFT" if c.kind == "text" else "RIGHT" for c in table.columns])
    doc.set_fill_color(255, 255, 255)
    with doc.tagged_table(
        col_widths=(first, *([rest] * (columns - 1))),
        text_align=aligns,
        headings_style=heading_style,
        line_height=size * 0.55,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_mode="NONE",
        repeat_headings=1,
    ) as grid:
        head = grid.row()
        head.cell(latin1(table.row_heading))
        for column in table.columns:
            head.cell(latin1(column.heading))
        for row in table.rows:
            style = FontFace(emphasis="BOLD") if row.is_total else None
            line = grid.row(style=style)
            line.cell(latin1(row.heading))
            for figure in row.figures:
                line.cell(latin1(figure.display))


def _section(doc: _Document, report: AssuranceReport, index: int) -> None:
    section = report.sections[index]
    doc.add_page()
    doc.heading(section.title, level=2, size=18)
    if section.intro:
        doc.paragraph(section.intro, colour=GREY)
    for notice in section.notices:
        doc.paragraph(notice)
    for table in section.tables:
        doc.heading(table.title, level=3, size=12, space=1, keep=20 + _chart_height(table))
        if table.description:
            doc.paragraph(table.description, size=8.5, colour=GREY)
        doc.paragraph(table.summary, size=9.5)
        _chart(doc, table)
        _table(doc, table)
        doc.ln(1)
        doc.paragraph(table.note, size=7.5, colour=GREY)
        doc.ln(3)


def _recommendations(doc: _Document, report: AssuranceReport) -> None:
    doc.add_page()
    doc.heading("Recommendations and responses", level=2, size=18)
    overdue = sum(1 for line in report.recommendations if line.is_overdue)
    doc.paragraph(
        f"{len(report.recommendations)} recommendations tracked; {overdue} overdue a response. "
        "Each has its own due date: there is no single statutory deadline."
    )
    if not report.recommendations:
        return
    doc.set_font(FONT, size=8)
    doc.set_fill_color(255, 255, 255)
    with doc.tagged_table(
        col_widths=(10, 70, 40, 24, 36),
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=LIGHT),
        line_height=4.4,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_mode="NONE",
        repeat_headings=1,
    ) as grid:
        head = grid.row()
        for text in ("No.", "Recommendation", "For", "Response due", "Status"):
            head.cell(text)
        for line in report.recommendations:
            row = grid.row()
            row.cell(str(line.number))
            row.cell(latin1(line.title))
            row.cell(latin1(line.recipients))
            row.cell(f"{line.due_on:%d %b %Y}")
            row.cell(latin1(line.status + (" (OVERDUE)" if line.is_overdue else "")))


def render_pdf(report: AssuranceReport) -> bytes:
    """The assurance report as PDF bytes."""
    doc = _Document(report)
    _cover(doc, report)
    for index in range(len(report.sections)):
        _section(doc, report, index)
    _recommendations(doc, report)
    return finish(bytes(doc.output()), doc.structure, lang=LANG)
