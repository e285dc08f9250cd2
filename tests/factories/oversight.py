"""Row builders for oversight statistics tests: decisions, disclosures, reports, Victims' Code
items and referrals exactly as the other features store them, without their business rules,
so each test can lay out a small dataset whose every figure is checked by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
import zlib
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from safeshare.auth.models import Organisation
from safeshare.config import Settings
from safeshare.oversight import service
from safeshare.oversight.presentation import Section
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.oversight.statistics import Dimension, Measure
from safeshare.policy.models import (
    PolicyDecision,
    PolicyDisclosure,
    PolicyReview,
    PolicyReviewRuling,
    PolicySetRecord,
)
from safeshare.reporting.models import Report, RightItem
from safeshare.support.models import SupportReferral, SupportService

POLICY_HASH = "0" * 64
_serial = count(1)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _policy_set(session: Session) -> str:
    if session.get(PolicySetRecord, POLICY_HASH) is None:
        session.add(PolicySetRecord(policy_hash=POLICY_HASH, regime="test", source={}))
        session.flush()
    return POLICY_HASH


def request_json(agency: str, purpose: str) -> dict[str, Any]:
    return {
        "requester": {"agency": agency, "purpose": purpose},
        "subject": {
            "role": "victim",
            "crime_types": ["domestic_abuse"],
            "suspected_of_offence": False,
            "status_doubt_only": True,
            "investigation_active": True,
            "receiving_regularisation_support": False,
            "consents": [],
        },
        "categories": ["identity"],
    }


def decision(
    session: Session,
    *,
    requested_at: datetime,
    force: str = "Force A",
    regime: str = "npcc-2020",
    outcome: str = "permit",
    agency: str = "immigration_enforcement",
    purpose: str = "immigration_enforcement",
    report_ref: str | None = None,
    review: str | None = None,  # None, "pending", "released" or "withheld"
    decided_at: datetime | None = None,
) -> PolicyDecision:
    """A decision row; `review` gives a `review` outcome its review in that state."""
    record = PolicyDecision(
        force=force,
        regime=regime,
        policy_hash=_policy_set(session),
        outcome=outcome,
        request=request_json(agency, purpose),
        disclose=[],
        withhold=[],
        reasons=[],
        verdicts={},
        is_referral_required=False,
        is_enforcement_pause_required=False,
        requested_by="officer",
        requested_by_role="officer",
        report_ref=report_ref,
        requested_at=requested_at,
    )
    session.add(record)
    if review is not None:
        record.review = PolicyReview(
            status="pending" if review == "pending" else "decided",
            reviewable=["identity"],
            created_at=requested_at,
            decided_by=None if review == "pending" else "disclosure-officer",
            decided_at=None if review == "pending" else decided_at,
        )
        if review != "pending":
            record.review.rulings.append(
                PolicyReviewRuling(
                    category="identity", is_disclosed=review == "released", rationale="test"
                )
            )
    session.flush()
    return record


def disclosure(
    session: Session,
    *,
    sent_at: datetime,
    force: str = "Force A",
    agency: str = "immigration_enforcement",
    report_ref: str | None = None,
    lawful_basis: str | None = "dpa_s35_2_b_task",
) -> PolicyDisclosure:
    """A disclosure row under a fresh permitted decision."""
    parent = decision(
        session,
        requested_at=sent_at,
        force=force,
        agency=agency,
        purpose=agency if agency == "immigration_enforcement" else "safeguarding",
        report_ref=report_ref,
    )
    record = PolicyDisclosure(
        decision_id=parent.id,
        force=force,
        agency=agency,
        purpose=parent.request["requester"]["purpose"],
        regime=parent.regime,
        policy_hash=parent.policy_hash,
        report_ref=report_ref,
        categories=["identity"],
        lawful_basis=lawful_basis,
        processing_condition="not_sensitive" if lawful_basis else None,
        method="secure_email",
        sent_at=sent_at,
        recorded_by="disclosure-officer",
        recorded_by_role="disclosure_officer",
    )
    session.add(record)
    session.flush()
    return record


def report(
    session: Session,
    *,
    reported_at: datetime,
    pathway: str = "officer",
    crime_type: str = "domestic_abuse",
    status: str = "new",
    sex: str | None = "female",
    age_band: str | None = "25_34",
    ethnicity_group: str | None = "asian",
    nationality_group: str | None = "rest_of_world",
    **monitoring: str | None,
) -> Report:
    serial = next(_serial)
    record = Report(
        public_id=uuid.uuid4().hex,
        reference=f"T{serial:06d}{uuid.uuid4().hex[:6]}",
        pathway=pathway,
        crime_type=crime_type,
        status=status,
        reported_at=reported_at,
        sex=sex,
        age_band=age_band,
        ethnicity_group=ethnicity_group,
        nationality_group=nationality_group,
        created_at=reported_at,
        **monitoring,
    )
    session.add(record)
    session.flush()
    return record


def right(
    session: Session,
    parent: Report,
    *,
    number: int,
    status: str = "pending",
    due_on: date | None = None,
    met_at: datetime | None = None,
) -> RightItem:
    item = RightItem(report_id=parent.id, right=number, status=status, due_on=due_on, met_at=met_at)
    session.add(item)
    session.flush()
    return item


def support_service(session: Session) -> SupportService:
    org = Organisation(name=f"Support {uuid.uuid4().hex[:8]}", kind="support_org")
    session.add(org)
    session.flush()
    service = SupportService(
        organisation_id=org.id,
        name="Test advocacy",
        referral_method="secure_email",
    )
    session.add(service)
    session.flush()
    return service


def referral(
    session: Session,
    service: SupportService,
    *,
    created_at: datetime,
    status: str = "pending",
    outcome: str | None = None,
    decline_reason: str | None = None,
) -> SupportReferral:
    record = SupportReferral(
        report_id=next(_serial),
        service_id=service.id,
        organisation_id=service.organisation_id,
        status=status,
        outcome=outcome,
        decline_reason=decline_reason,
        created_at=created_at,
    )
    session.add(record)
    session.flush()
    return record


def pdf_text(data: bytes) -> str:
    """Text drawn in a PDF: pdftotext when installed, else the strings in its content streams."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
        return done.stdout.decode()
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            content = stream
        found += [m.decode("latin-1") for m in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", content)]
    return " ".join(found)


def statistics_page(
    session: Session,
    tmp_path: Path,
    key: str,
    *,
    start: date,
    end: date,
    force: str | None = None,
    threshold: int = 1,
    base: int = 1,
    now: datetime,
    dimensions: tuple[Dimension, ...] | None = None,
    measure: Measure | None = None,
) -> Section:
    """One statistics page as the service builds it, with "Force A" as the home force and
    the given disclosure control (threshold 1, base 1: exact figures to check by hand)."""
    settings = Settings(
        var_dir=tmp_path,
        force_name="Force A",
        small_count_threshold=threshold,
        statistics_rounding_base=base,
    )
    chosen = {
        name: value
        for name, value in (("dimensions", dimensions), ("measure", measure))
        if value is not None
    }
    filters = StatisticsFilters(start=start, end=end, force=force, **chosen)
    return service.statistics_section(
        session, section=key, filters=filters, settings=settings, now=now
    )
