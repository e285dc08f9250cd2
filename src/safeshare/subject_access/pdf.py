"""The subject access bundle as a readable PDF (fpdf2, core fonts, as oversight/pdf.py)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safeshare.oversight.pdf import latin1

SECTION_TITLES = {
    "subject": "Who this is about",
    "report": "The report",
    "sealed": "Sealed details",
    "consents": "Consents",
    "victims_code": "Victims' Code rights",
    "updates": "Updates",
    "decisions": "Requests to share and decisions",
    "disclosures": "Information shared, and with whom",
    "referrals": "Referrals to support",
    "holds_and_restrictions": "Legal holds and restrictions of processing",
    "rectifications": "Corrections made at your request",
    "ledger_references": "Ledger entries naming this report (sequence numbers)",
    "produced": "This copy",
}


def _line(pdf: FPDF, text: str, *, bold: bool = False, size: int = 10) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", size)
    pdf.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _value(value: Any) -> str:
    if isinstance(value, dict) and value.get("exempt"):
        return f"Withheld: {value['reason']}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return "not recorded" if value is None else str(value)


def bundle_pdf(bundle: dict[str, Any]) -> bytes:
    """Every section of the bundle, one field per line, exemptions shown with their reason."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _line(pdf, "Subject access: information held about you", bold=True, size=16)
    for key, title in SECTION_TITLES.items():
        section = bundle.get(key)
        pdf.ln(3)
        _line(pdf, title, bold=True, size=12)
        if isinstance(section, dict):
            rows = [section] if not section.get("exempt") else [{"": section}]
        elif isinstance(section, list) and all(isinstance(i, dict) for i in section):
            rows = section
        else:
            rows = [{"": section}]
        if not rows:
            _line(pdf, "Nothing held.")
        for row in rows:
            for name, value in row.items():
                label = name.replace("_", " ").capitalize()
                _line(pdf, f"{label}: {_value(value)}" if label else _value(value))
            pdf.ln(1)
    return bytes(pdf.output())
