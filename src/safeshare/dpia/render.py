"""The DPIA draft as Markdown, and as a PDF of the same text (fpdf2 core fonts)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safeshare.dpia.service import DpiaDraft
from safeshare.oversight.pdf import latin1

DRAFT_NOTICE = (
    "DRAFT for the force's data protection officer. Generated from SafeShare's live "
    "configuration and ledger: it records what the system is set up to do and has done. "
    "Necessity, proportionality, risks to individuals and their mitigations, consultation "
    "and sign-off are for the force to complete."
)


def _table(headings: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def markdown(draft: DpiaDraft) -> str:
    """Every section, in the order of the ICO's DPIA template (describe the processing first)."""
    out = [
        f"# Data protection impact assessment (DRAFT): SafeShare at {draft.force}",
        "",
        f"> {DRAFT_NOTICE}",
        "",
        f"Generated {draft.generated_at:%Y-%m-%d %H:%M} UTC.",
        "",
        "## 1. Data categories",
        "",
        "Categories a share decision covers: " + ", ".join(draft.categories) + ".",
        "",
        "Sealed (encrypted in the vault, never required): " + ", ".join(draft.sealed_fields) + ".",
        "",
        "## 2. Purposes of sharing requests",
        "",
        ", ".join(draft.purposes) + ".",
        "",
        "Lawful bases a disclosure may record: " + "; ".join(draft.lawful_bases) + ".",
        "",
        "## 3. Regimes and the recipients they can permit",
        "",
    ]
    out += _table(
        ("Regime", "Title", "In use", "Agencies a permit policy names", "Policy hash"),
        [
            (
                r.name,
                r.title,
                "yes" if r.in_use else "no",
                ", ".join(r.permitted_agencies) or "none",
                r.policy_hash[:16],
            )
            for r in draft.regimes
        ],
    )
    out += ["## 4. Recipients in use (disclosures recorded)", ""]
    if draft.recipients:
        out += _table(
            ("Recipient organisation", "Agency", "Regime", "Disclosures"),
            [(r.organisation, r.agency, r.regime, str(r.disclosures)) for r in draft.recipients],
        )
    else:
        out += ["No disclosures recorded yet.", ""]
    out += ["## 5. Retention", "", f"Schedule SHA-256 {draft.schedule_sha256}.", ""]
    out += _table(
        ("Record type", "Days", "Counted from", "Action"),
        [(t, str(d), f, a) for t, d, f, a in draft.retention],
    )
    out += ["## 6. Key management", ""]
    out += _table(("Key", "Provider"), list(draft.key_management))
    out += ["## 7. Who can read sealed fields", ""]
    out += _table(("Role", "Which reports"), list(draft.sealed_readers))
    out += [
        "Every sealed read needs a stated reason and is a ledger entry (`vault.read`).",
        "",
        "## 8. Measured figures (ledger entries by kind)",
        "",
    ]
    out += _table(("Kind", "Entries"), [(k, str(n)) for k, n in draft.ledger_counts])
    out += [
        "## 9. To be completed by the force",
        "",
        "- Necessity and proportionality of each purpose.",
        "- Risks to victims and witnesses (including immigration enforcement) and mitigations.",
        "- The appropriate policy document for sensitive processing (DPA 2018 s.35, s.42).",
        "- Consultation, DPO advice and sign-off.",
        "",
    ]
    return "\n".join(out)


def pdf(draft: DpiaDraft) -> bytes:
    """The Markdown text laid out as a PDF: headings bold, tables one row per line."""
    document = FPDF(format="A4")
    document.set_auto_page_break(auto=True, margin=15)
    document.add_page()
    for line in markdown(draft).splitlines():
        if line.startswith("|---"):
            continue
        heading = line.startswith("#")
        text = line.lstrip("#> ").replace("|", "  ").strip() if line else ""
        document.set_font("Helvetica", "B" if heading else "", 13 if heading else 9)
        document.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(document.output())
