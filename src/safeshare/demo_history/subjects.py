"""The one place the demo turns a report's own record into a share request's subject.

Every share request in the demo names a real report made earlier, and its subject facts come
from that report, not from the plan: its crime type, where the case stands, and the consents
recorded for it (with any withdrawal, as the Firewall reads them). When decisions come to be
bound to a report by the Firewall itself, only this module changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from safeshare.policy.schemas import (
    Category,
    Consent,
    CrimeType,
    Purpose,
    Requester,
    ShareRequest,
    Subject,
    SubjectRole,
)
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import Actor

_FIREWALL_CRIMES = frozenset(CrimeType)
# A case still being investigated or prosecuted (the migrant victims protocol's pause).
_ACTIVE_STATUSES = frozenset({"under_investigation", "charged"})
_REGULARISATION = Purpose.regularisation_support.value


def share_request_for_report(
    session: Session,
    *,
    report_id: int,
    requester: Requester,
    categories: Sequence[Category],
    status_doubt_only: bool,
    actor: Actor,
) -> tuple[str, ShareRequest]:
    """The report's reference and the request about its victim, built from the report.

    `status_doubt_only` is the requester's stated concern (the one fact a report cannot hold).
    A report records a victim, never a suspicion against them, so `suspected_of_offence` is
    false; regularisation support is known only through the victim's consent to it.
    """
    report = reporting.get_report_or_raise(session, report_id=report_id, actor=actor)
    consents = reporting.consents_for_policy(session, report_id)
    crime = report.crime_type.value
    in_force = {c["purpose"] for c in consents if not c["withdrawn"]}
    subject = Subject(
        role=SubjectRole.victim,
        crime_types=[CrimeType(crime) if crime in _FIREWALL_CRIMES else CrimeType.other],
        suspected_of_offence=False,
        status_doubt_only=status_doubt_only,
        investigation_active=report.status.value in _ACTIVE_STATUSES,
        receiving_regularisation_support=_REGULARISATION in in_force,
        consents=[
            Consent(purpose=Purpose(c["purpose"]), withdrawn=c["withdrawn"]) for c in consents
        ],
    )
    request = ShareRequest(requester=requester, subject=subject, categories=list(categories))
    return report.reference, request
