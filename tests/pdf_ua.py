"""A PDF/UA-style structure check (veraPDF is not installable here): what a screen reader
needs from a tagged PDF, read with pikepdf.

It checks the catalogue flags (ISO 14289-1 7.1, 7.2), that every drawing operator on every
page is marked content owned by a structure element or an artifact (7.1), that the parent
tree maps each MCID to its owner, heading nesting (7.4.2), figure alternative text (7.3),
table structure (7.5), and layout: no page ends with a heading, no near-empty page.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field

import pikepdf

# Operators that put marks on the page (text showing, path painting, XObjects, shadings).
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh"}
HEADINGS = {f"/H{n}": n for n in range(1, 7)}
TABLE_KIDS = {"/Table": {"/TR", "/THead", "/TBody", "/TFoot"}, "/TR": {"/TH", "/TD"}}


@dataclass
class PageContent:
    """Marked content on one page, in content-stream order, with what owns each item."""

    mcids: list[int] = field(default_factory=list)
    unmarked_paint: int = 0


def _page_content(page: pikepdf.Page) -> PageContent:
    found = PageContent()
    stack: list[tuple[str, int | None]] = []  # (tag, mcid) for each open BMC/BDC
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BMC":
            stack.append((str(operands[0]), None))
        elif op == "BDC":
            properties = operands[1]
            mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            stack.append((str(operands[0]), None if mcid is None else int(mcid)))
            if mcid is not None:
                found.mcids.append(int(mcid))
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op in PAINTING:
            marked = any(tag == "/Artifact" or mcid is not None for tag, mcid in stack)
            if not marked:
                found.unmarked_paint += 1
    return found


def structure_problems(data: bytes, *, min_items_per_page: int = 2) -> list[str]:
    """Everything wrong with `data` as a tagged PDF; empty when it passes."""
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            problems.append("catalogue: /MarkInfo /Marked is not true")
        if not str(root.get("/Lang", "")).strip():
            problems.append("catalogue: no /Lang")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            problems.append("catalogue: DisplayDocTitle is not true")
        if not str(pdf.docinfo.get("/Title", "")).strip():
            problems.append("info: no /Title")
        tree = root.get("/StructTreeRoot")
        if tree is None:
            return [*problems, "catalogue: no /StructTreeRoot"]

        page_index = {page.objgen: number for number, page in enumerate(pdf.pages, 1)}
        owner: dict[tuple[int, int], pikepdf.Object] = {}  # (page, mcid) -> element
        order: list[tuple[str, pikepdf.Object]] = []  # elements in reading order

        def walk(element: pikepdf.Object, parent_type: str | None) -> None:
            kind = str(element.get("/S", ""))
            order.append((kind, element))
            if parent_type in TABLE_KIDS and kind not in TABLE_KIDS[parent_type]:
                problems.append(f"structure: {kind} inside {parent_type}")
            if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
                problems.append("structure: a Figure has no /Alt")
            kids = element.get("/K", pikepdf.Array())
            if not isinstance(kids, pikepdf.Array):
                kids = pikepdf.Array([kids])
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    page = page_index.get(kid.Pg.objgen)
                    if page is None:
                        problems.append(f"structure: {kind} names a missing page")
                        continue
                    owner[(page, int(kid.MCID))] = element
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, kind)
                elif isinstance(kid, int):
                    page = page_index.get(element.Pg.objgen) if "/Pg" in element else None
                    if page is None:
                        problems.append(f"structure: {kind} has an MCID but no /Pg")
                        continue
                    owner[(page, int(kid))] = element

        top = tree.get("/K")
        tops = list(top) if isinstance(top, pikepdf.Array) else [top]
        if [str(t.get("/S")) for t in tops] != ["/Document"]:
            problems.append("structure: the root's only child is not a Document")
        for element in tops:
            walk(element, None)

        parent_tree = dict(zip(tree.ParentTree.Nums[::2], tree.ParentTree.Nums[1::2], strict=True))
        for number, page in enumerate(pdf.pages, 1):
            content = _page_content(page)
            if content.unmarked_paint:
                problems.append(f"page {number}: {content.unmarked_paint} unmarked drawing ops")
            if not content.mcids:
                problems.append(f"page {number}: no tagged content")
                continue
            owners = parent_tree.get(int(page.obj.get("/StructParents", -1)))
            for mcid in content.mcids:
                element = owner.get((number, mcid))
                if element is None:
                    problems.append(f"page {number}: MCID {mcid} belongs to no element")
                elif owners is None or mcid >= len(owners) or owners[mcid].objgen != element.objgen:
                    problems.append(f"page {number}: parent tree is wrong for MCID {mcid}")
            last = owner.get((number, content.mcids[-1]))
            if last is not None and str(last.get("/S")) in HEADINGS:
                problems.append(f"page {number}: ends with a heading")
            if number < len(pdf.pages) and len(set(content.mcids)) < min_items_per_page:
                problems.append(f"page {number}: near-empty ({len(content.mcids)} item)")

        levels = [HEADINGS[kind] for kind, _ in order if kind in HEADINGS]
        if levels and levels[0] != 1:
            problems.append("headings: the first heading is not H1")
        for before, after in itertools.pairwise(levels):
            if after > before + 1:
                problems.append(f"headings: H{after} follows H{before}")
    return problems
