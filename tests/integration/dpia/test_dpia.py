"""The DPIA draft is written from the live configuration: it names every regime and every
recipient in use, the retention schedule in force and the ledger's measured figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.dpia import render
from safeshare.dpia import service as dpia
from safeshare.ledger import service as ledger
from safeshare.policy import service as policy
from safeshare.policy.regimes import load_regimes
from safeshare.retention.config import load_schedule
from tests.factories.policy import bound_request
from tests.unit.policy.builders import share_request

RECIPIENTS = {
    "firewall": "Demoshire Police Public Protection Unit (fictional)",
    "npcc-2020": "Neighbouring Constabulary Safeguarding Hub (fictional)",
}


def test_the_draft_names_every_regime_and_recipient_in_use(
    db_session: Session, tmp_path: Path
) -> None:
    ledger.subscribe_to_events()
    try:
        for regime, recipient in RECIPIENTS.items():
            record = policy.make_decision(
                db_session,
                request=bound_request(db_session, share_request(categories=["identity"])),
                actor="officer",
                actor_role=Role.officer,
                regime=regime,
            )
            assert record.outcome == "permit", regime
            policy.record_disclosure(
                db_session,
                decision_id=record.id,
                categories=["identity"],
                sent_at=datetime.now(UTC),
                method="secure_email",
                recipient_organisation=recipient,
                lawful_basis="dpa_s35_2_b_task",
                processing_condition="not_sensitive",
                actor="disclosure-officer",
                actor_role=Role.disclosure_officer,
            )
    finally:
        ledger.unsubscribe_from_events()
    settings = Settings(var_dir=tmp_path, force_name="Testshire Police")
    draft = dpia.gather(db_session, settings=settings, schedule=load_schedule())
    text = render.markdown(draft)

    assert text.startswith("# Data protection impact assessment (DRAFT)")
    in_use = {r.name for r in draft.regimes if r.in_use}
    assert set(RECIPIENTS) <= in_use
    for name, regime in load_regimes().items():  # every regime is described, in use or not
        assert f"| {name} | {regime.title} |" in text
    for recipient in RECIPIENTS.values():
        assert recipient in text
    assert {(r.organisation, r.regime) for r in draft.recipients} >= {
        (o, r) for r, o in RECIPIENTS.items()
    }
    assert "| sealed_field | 2190 |" in text
    counts = dict(draft.ledger_counts)
    assert counts["policy.decision"] >= 2 and counts["policy.disclosure"] >= 2
    assert "| disclosure_officer | any report |" in text
    assert render.pdf(draft).startswith(b"%PDF")


def test_permitted_agencies_come_from_permit_policies_only() -> None:
    text = """
    @id("a") permit (principal == Agency::"police", action, resource) when { true };
    @id("b") forbid (principal == Agency::"immigration_enforcement", action, resource);
    @id("c") permit (principal, action, resource) when { context.x };
    """
    assert dpia.permitted_agencies(text) == ("police", dpia.ANY_AGENCY)
