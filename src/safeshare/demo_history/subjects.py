"""The one place the demo turns a report into a share request: bound to the record.

Every share request in the demo names a real report made earlier. The Firewall reads the
subject's facts from that report; the demo only records, first and as a case officer would,
a fact the record lacks and the story knows (the victim is getting support to regularise
their stay, which she consented to share), so that the migrant victims protocol's pause has
real cases to apply to. Each such fact is a ledgered record entry, like any officer's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.policy.schemas import Category, RecordShareRequest, Requester
from safeshare.reporting import facts
from safeshare.reporting import service as reporting
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.vocabulary import FactSource, SubjectFact

_REGULARISATION = "regularisation_support"

# Who received a disclosure, by agency: invented organisations (the demo names no real body
# except the Home Office's enforcement arm, whose name is the point of the service).
RECIPIENTS = {
    "immigration_enforcement": "Home Office Immigration Enforcement",
    "police": "Neighbouring Constabulary (fictional)",
    "local_authority": "Demoshire County Council safeguarding team (fictional)",
    "health": "Demoshire Community Health Trust (fictional)",
    "support_org": "Lumen Latin American Women's Aid (fictional)",
    "immigration_adviser": "Harbourside Immigration Advice (fictional)",
}


def share_request_for_report(
    session: Session,
    *,
    report_id: int,
    requester: Requester,
    categories: Sequence[Category],
    status_doubt_only: bool,
    actor: Actor,
    config: ReportingConfig,
) -> RecordShareRequest:
    """The record-bound request about the report's subject.

    `status_doubt_only` is the requester's stated concern (about the request, not the
    person). Regularisation support, known to the story through the victim's consent to
    share for it, is recorded on the report first if the record lacks it.
    """
    report = reporting.get_report_or_raise(session, report_id=report_id, actor=actor)
    recorded = facts.subject_facts(session, report_id=report_id)
    consents = reporting.consents_for_policy(session, report_id)
    supported = any(c["purpose"] == _REGULARISATION and not c["withdrawn"] for c in consents)
    if supported and not recorded.receiving_regularisation_support:
        facts.record_fact(
            session,
            report_id=report_id,
            fact=SubjectFact.receiving_regularisation_support,
            value=True,
            source=FactSource.victim_account,
            actor=actor,
            config=config,
        )
    return RecordShareRequest(
        report_ref=report.reference,
        requester=requester,
        categories=list(categories),
        status_doubt_only=status_doubt_only,
    )
