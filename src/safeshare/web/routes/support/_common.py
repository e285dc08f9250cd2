"""What the support pages share: who may use them, their labels, the page helpers.

Not a route module (no router): every module of the package may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from safeshare.auth.permissions import Actor, Permission
from safeshare.config import Settings
from safeshare.redaction.small_counts import DisclosurePolicy
from safeshare.support import service as support
from safeshare.support.vocabulary import (
    OPEN_STATUSES,
    DeclineReason,
    ReferralMethod,
    ReferralOutcome,
    ReferralStatus,
    ServiceType,
)
from safeshare.web.access import SIGNED_IN, require
from safeshare.web.pages import Pages

Finder = Annotated[Actor, Depends(require(Permission.SUPPORT_FIND))]
Referrer = Annotated[Actor, Depends(require(Permission.REFER_THROUGH_FIREWALL))]
Manager = Annotated[Actor, Depends(require(Permission.DIRECTORY_MANAGE))]
Advocate = Annotated[Actor, Depends(require(Permission.SUPPORT_ORG_ACT))]
Staff = Annotated[Actor, Depends(SIGNED_IN)]

FLASH_KEY = "support_flash"

SERVICE_TYPE_LABELS = {
    ServiceType.advocacy: "Advocacy",
    ServiceType.refuge: "Refuge",
    ServiceType.immigration_advice: "Immigration legal advice",
    ServiceType.counselling: "Counselling",
    ServiceType.helpline: "Helpline",
}
METHOD_LABELS = {
    ReferralMethod.secure_email: "Secure email",
    ReferralMethod.phone: "Phone",
    ReferralMethod.portal: "Online portal",
}
STATUS_LABELS = {
    ReferralStatus.pending: "New",
    ReferralStatus.accepted: "Accepted",
    ReferralStatus.declined: "Declined",
    ReferralStatus.closed: "Closed",
    ReferralStatus.withdrawn: "Withdrawn",
}
DECLINE_LABELS = {
    DeclineReason.no_capacity: "No capacity",
    DeclineReason.outside_area: "Outside our area",
    DeclineReason.needs_not_met: "We cannot meet these needs",
    DeclineReason.not_eligible: "Not eligible for this service",
    DeclineReason.duplicate: "Already referred to us",
    DeclineReason.other: "Another reason",
}
OUTCOME_LABELS = {
    ReferralOutcome.first_contact_made: "First contact made",
    ReferralOutcome.engaged: "Engaged with the service",
    ReferralOutcome.unreachable: "Could not be reached",
    ReferralOutcome.declined_by_victim: "Declined by the victim",
    ReferralOutcome.no_capacity: "No capacity",
}
CATEGORY_LABELS = {
    "identity": "Identity",
    "contact": "Contact details",
    "address": "Address",
    "nationality": "Nationality",
    "immigration_status": "Immigration status",
    "offence_details": "Offence details",
    "health": "Health",
}
# The victim's details an advocate may be shown (support.CATEGORY_FIELDS), in that order.
VICTIM_FIELD_LABELS = {
    "name": "Name",
    "contact_details": "Contact details",
    "safe_contact": "Safe times and ways to make contact",
    "account": "What happened, in their words",
}
RESPONSE_LABELS = {
    support.Response.awaiting: "Awaiting a response",
    support.Response.accepted: "Accepted",
    support.Response.declined: "Declined",
    support.Response.withdrawn: "Withdrawn",
}
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "communities": "Communities served",
    "languages": "Languages",
    "service_types": "Types of support",
    "oisc_level": "OISC level",
    "has_nrpf_support": "Supports people with NRPF",
    "areas_covered": "Areas covered",
    "is_area_wide": "Covers the whole force area",
    "referral_method": "How to refer",
    "referral_contact": "Referral contact",
    "opening_hours": "Opening hours",
    "units": "Units",
    "bedspaces": "Bedspaces",
    "nrpf_units": "NRPF-ringfenced units",
    "nrpf_bedspaces": "NRPF-ringfenced bedspaces",
    "is_active": "Listed in the directory",
    "organisation_id": "Organisation",
}


# --- presentation helpers ------------------------------------------------------------------------


VIEW = {
    "type_labels": SERVICE_TYPE_LABELS,
    "method_labels": METHOD_LABELS,
    "status_labels": STATUS_LABELS,
    "decline_labels": DECLINE_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "category_labels": CATEGORY_LABELS,
    "response_labels": RESPONSE_LABELS,
    "field_labels": FIELD_LABELS,
    "open_statuses": OPEN_STATUSES,
    "victim_field_labels": VICTIM_FIELD_LABELS,
}


PAGES = Pages("support", FLASH_KEY, VIEW)
_page = PAGES.page
_redirect = PAGES.redirect


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _stale_after(request: Request) -> timedelta:
    return timedelta(hours=_settings(request).vacancy_stale_after_hours)


def _disclosure(request: Request) -> DisclosurePolicy:
    return _settings(request).disclosure_policy()


def _one(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return str(value[0] if isinstance(value, list) else value).strip()


def _many(values: Mapping[str, Any], name: str) -> list[str]:
    value = values.get(name, [])
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if str(item).strip()]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _decode_csv(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
