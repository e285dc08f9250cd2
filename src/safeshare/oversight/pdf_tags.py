"""PDF/UA-style tagging for fpdf2 documents: marked content while drawing, the structure
tree written afterwards with pikepdf.

fpdf2 (2.8) tags images only, in a flat list. Here drawing code opens structure elements
(`group` for Table, TR; `marked` for H1, P, TH, TD, Figure) and every drawn operator sits
in marked content with an MCID, or in an /Artifact (page furniture). `finish` then adds the
StructTreeRoot, its ParentTree, /StructParents on each page, /MarkInfo, /Lang and
DisplayDocTitle (ISO 14289-1 7.1, 7.2, 7.18; PDF 1.7 section 14.7, 14.8).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from fpdf import FPDF
from fpdf.table import Table


@dataclass
class Node:
    """A structure element: its type, alternate text, and children in reading order
    (elements, or `(page_number, mcid)` marked-content items)."""

    kind: str
    alt: str | None = None
    kids: list[Node | tuple[int, int]] = field(default_factory=list)


class TaggedPDF(FPDF):
    """An FPDF that records a logical structure while drawing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.structure = Node("Document")
        self._open: list[Node] = [self.structure]
        self._leaf: Node | None = None
        self._next_mcid: dict[int, int] = {}

    @contextmanager
    def group(self, kind: str) -> Iterator[Node]:
        """A structure element holding other elements (Table, TR, Sect)."""
        node = Node(kind)
        self._open[-1].kids.append(node)
        self._open.append(node)
        try:
            yield node
        finally:
            self._open.pop()

    @contextmanager
    def marked(self, kind: str, alt: str | None = None) -> Iterator[Node]:
        """A structure element whose content is what is drawn inside the block; it may run
        over a page break (each page's part gets its own MCID)."""
        assert self._leaf is None, "marked content cannot nest"
        node = Node(kind, alt)
        self._open[-1].kids.append(node)
        self._leaf = node
        self._begin()
        try:
            yield node
        finally:
            self._out("EMC")
            self._leaf = None

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """Page furniture (running footers, repeated table headings): not read out."""
        self._out("/Artifact BMC")
        try:
            yield
        finally:
            self._out("EMC")

    def _begin(self) -> None:
        assert self._leaf is not None
        mcid = self._next_mcid.get(self.page, 0)
        self._next_mcid[self.page] = mcid + 1
        self._leaf.kids.append((self.page, mcid))
        self._out(f"/{self._leaf.kind} <</MCID {mcid}>> BDC")

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        """Close open marked content before the break and reopen it on the new page."""
        leaf, self._leaf = self._leaf, None
        if leaf is not None:
            self._out("EMC")
        super().add_page(*args, **kwargs)
        self._leaf = leaf
        if leaf is not None:
            self._begin()

    @contextmanager
    def tagged_table(self, **options: Any) -> Iterator[Table]:
        """`FPDF.table`, tagged Table / TR / TH / TD; repeated headings are artifacts."""
        table = TaggedTable(self, **options)
        yield table
        with self.group("Table"):
            table.render()


class TaggedTable(Table):
    """fpdf2's table with each rendered row and cell tagged. Layout measuring calls the
    same cell method with writing disabled, so only cells of a row being drawn are tagged."""

    def __init__(self, fpdf: TaggedPDF, **options: Any) -> None:
        super().__init__(fpdf, **options)
        self._doc = fpdf
        self._drawn: set[int] = set()
        self._in_row: int | None = None

    def _render_table_row(self, i: int, *args: Any, **kwargs: Any) -> None:
        if i in self._drawn:  # a heading row repeated at the top of a new page
            with self._doc.artifact():
                super()._render_table_row(i, *args, **kwargs)
            return
        self._drawn.add(i)
        with self._doc.group("TR"):
            self._in_row = i
            try:
                super()._render_table_row(i, *args, **kwargs)
            finally:
                self._in_row = None

    def _render_table_cell(self, i: int, j: int, *args: Any, **kwargs: Any) -> Any:
        if self._in_row != i:
            return super()._render_table_cell(i, j, *args, **kwargs)
        with self._doc.marked("TH" if i < self._num_heading_rows else "TD"):
            return super()._render_table_cell(i, j, *args, **kwargs)


def finish(data: bytes, structure: Node, *, lang: str) -> bytes:
    """Write `structure` into the PDF fpdf2 produced: the tree, parent tree and flags."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = pdf.pages
        by_page: dict[int, dict[int, pikepdf.Object]] = {}

        def build(node: Node, parent: pikepdf.Object) -> pikepdf.Object:
            element = pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + node.kind))
            )
            element.P = parent
            if node.alt:
                element.Alt = pikepdf.String(node.alt)
            kids = pikepdf.Array()
            for kid in node.kids:
                if isinstance(kid, Node):
                    kids.append(build(kid, element))
                else:
                    page_number, mcid = kid
                    page = pages[page_number - 1].obj
                    kids.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mcid))
                    by_page.setdefault(page_number, {})[mcid] = element
            element.K = kids
            return element

        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        document = build(structure, root)
        nums = pikepdf.Array()
        for index, page in enumerate(pages):
            page.obj.StructParents = index
            page.obj.Tabs = pikepdf.Name.S
            owners = by_page.get(index + 1, {})
            nums.append(index)
            nums.append(pdf.make_indirect(pikepdf.Array([owners[m] for m in sorted(owners)])))
        root.K = pikepdf.Array([document])
        root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        root.ParentTreeNextKey = len(pages)
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.Root.Lang = pikepdf.String(lang)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
