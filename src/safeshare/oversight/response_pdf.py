"""One published response to a recommendation as a PDF (fpdf2), for people who file or
forward it: the recommendation, who it is for, the response with its date and status, and
the evidence with working links."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safeshare.dates import date_text
from safeshare.oversight.models import Recommendation
from safeshare.oversight.pdf import BLACK, BLUE, FONT, GREY, latin1
from safeshare.oversight.publication import evidence_items
from safeshare.oversight.vocabulary import label


def render_response_pdf(record: Recommendation, *, force: str, zone: ZoneInfo) -> bytes:
    """The approved response as PDF bytes (callers pass only published records); the
    approval instant is dated in `zone`, as the web page dates it."""

    def _day(value: date | datetime | None) -> str:
        return date_text(value, zone)

    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    doc.set_margins(15, 15, 15)
    doc.set_auto_page_break(auto=True, margin=18)
    doc.set_title(latin1(f"Response to recommendation {record.number}"))
    doc.set_author(latin1(force))
    doc.set_lang("en-GB")
    doc.set_creator("SafeShare")
    doc.add_page()

    def text(
        body: str, *, size: float = 11, style: str = "", colour: tuple[int, int, int] = BLACK
    ) -> None:
        doc.set_font(FONT, style, size)
        doc.set_text_color(*colour)
        doc.multi_cell(0, size * 0.5, latin1(body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.ln(2)

    text(f"{force}: response to an inspection recommendation", size=9, colour=GREY)
    text(f"{record.number}. {record.title}", size=18, style="B")
    text(record.source, size=10, colour=GREY)
    text("The recommendation", size=13, style="B")
    text(record.text)
    text(f"For: {', '.join(record.recipients)}. Report published {_day(record.report_date)}.")
    text("Our response", size=13, style="B")
    status = label("recommendation_status", record.status)
    dated = _day(record.response_date) if record.response_date else "not dated"
    text(f"Status: {status}. Response dated {dated}.")
    text(record.response_text or "")
    items = evidence_items(record.evidence)
    if items:
        text("Evidence", size=13, style="B")
        for item in items:
            if item.href is None:
                text(f"- {item.text}")
                continue
            doc.set_font(FONT, "U", 11)
            doc.set_text_color(*BLUE)
            doc.multi_cell(
                0,
                5.5,
                latin1(f"{item.text} ({item.href})"),
                link=item.href,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            doc.ln(2)
    if record.published_at is not None:
        text(f"Approved for publication on {_day(record.published_at)}.", size=9, colour=GREY)
    return bytes(doc.output())
