"""The assurance PDF is tagged for screen readers; the structure check finds untagged ones."""

from __future__ import annotations

from fpdf import FPDF

from safeshare.oversight.pdf_tags import TaggedPDF, finish
from tests.pdf_ua import structure_problems


def _untagged() -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, "Hello")
    return bytes(doc.output())


def test_the_check_finds_an_untagged_pdf() -> None:
    problems = structure_problems(_untagged())
    assert "catalogue: no /StructTreeRoot" in problems
    assert "catalogue: /MarkInfo /Marked is not true" in problems


def _tagged(*, heading_last: bool, figure_alt: str | None, skip_h2: bool) -> bytes:
    doc = TaggedPDF()
    doc.set_title("Test")
    doc.set_font("helvetica", size=12)
    doc.add_page()
    with doc.marked("H1"):
        doc.cell(0, 10, "Title", new_x="LMARGIN", new_y="NEXT")
    with doc.marked("H3" if skip_h2 else "H2"):
        doc.cell(0, 10, "Part", new_x="LMARGIN", new_y="NEXT")
    with doc.marked("Figure", alt=figure_alt):
        doc.rect(20, 60, 40, 10, style="F")
    with doc.tagged_table(first_row_as_headings=True) as table:
        for cells in (("A", "B"), ("1", "2")):
            row = table.row()
            for text in cells:
                row.cell(text)
    with doc.marked("P"):
        doc.cell(0, 10, "The end.", new_x="LMARGIN", new_y="NEXT")
    if heading_last:
        with doc.marked("H2"):
            doc.cell(0, 10, "Orphan", new_x="LMARGIN", new_y="NEXT")
    doc.add_page()
    for text in ("Next page.", "More."):
        with doc.marked("P"):
            doc.cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
    return finish(bytes(doc.output()), doc.structure, lang="en-GB")


def test_a_well_tagged_pdf_passes() -> None:
    assert structure_problems(_tagged(heading_last=False, figure_alt="A bar", skip_h2=False)) == []


def test_the_check_finds_each_fault() -> None:
    problems = structure_problems(_tagged(heading_last=True, figure_alt=None, skip_h2=True))
    assert "page 1: ends with a heading" in problems
    assert "structure: a Figure has no /Alt" in problems
    assert "headings: H3 follows H1" in problems


def test_a_paragraph_over_a_page_break_is_tagged_on_both_pages() -> None:
    doc = TaggedPDF()
    doc.set_title("Long")
    doc.set_font("helvetica", size=12)
    doc.add_page()
    with doc.marked("H1"):
        doc.cell(0, 10, "Long", new_x="LMARGIN", new_y="NEXT")
    with doc.marked("P"):
        doc.multi_cell(0, 10, "words " * 900)
    data = finish(bytes(doc.output()), doc.structure, lang="en-GB")
    assert structure_problems(data, min_items_per_page=1) == []
