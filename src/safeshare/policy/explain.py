"""Plain-English words for the firewall's codes, for pages, messages and officers.

Pure: no sessions, no web. Labels are keyed by the contract's enum values so templates can
look them up with the strings stored in decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from safeshare.policy.engine import CategoryState
from safeshare.policy.errors import UnknownRegimeError
from safeshare.policy.lawful_basis import basis_label as basis_label
from safeshare.policy.lawful_basis import condition_label as condition_label
from safeshare.policy.regimes import get_regime
from safeshare.policy.schemas import (
    Agency,
    Category,
    DisclosureMethod,
    Outcome,
    Purpose,
    ReasonEffect,
    SubjectRole,
)

# Crime types wear reporting's labels: one label a member, in a decision as on its report.
from safeshare.reporting.vocabulary import CRIME_TYPE_LABELS as CRIME_TYPE_LABELS

# Officers read and enter times in UK local time; the database holds UTC.

AGENCIES: dict[str, str] = {
    Agency.immigration_enforcement: "Home Office Immigration Enforcement",
    Agency.police: "Police",
    Agency.local_authority: "Local authority",
    Agency.health: "Health service",
    Agency.support_org: "Support organisation",
    Agency.immigration_adviser: "Immigration adviser acting for the person (regulated)",
    Agency.other: "Another organisation",
}

PURPOSES: dict[str, str] = {
    Purpose.immigration_enforcement: "Immigration enforcement",
    Purpose.criminal_investigation: "Criminal investigation",
    Purpose.safeguarding: "Safeguarding",
    Purpose.victim_support: "Support for the victim",
    Purpose.regularisation_support: "Help to regularise their immigration status",
    Purpose.immigration_advice: "Immigration advice for the person",
    Purpose.status_check: "A police check of the person's immigration status",
}

SUBJECT_ROLES: dict[str, str] = {
    SubjectRole.victim: "Victim",
    SubjectRole.witness: "Witness",
    SubjectRole.suspect: "Suspect",
}


CATEGORIES: dict[str, str] = {
    Category.identity: "Identity",
    Category.contact: "Contact details",
    Category.address: "Address",
    Category.nationality: "Nationality",
    Category.immigration_status: "Immigration status",
    Category.offence_details: "Details of the offence",
    Category.health: "Health information",
}

CATEGORY_HINTS: dict[str, str] = {
    Category.identity: "Name, date of birth and reference numbers",
    Category.contact: "Phone numbers and email addresses",
    Category.address: "Where the person lives or is staying",
    Category.nationality: "Nationality or citizenship",
    Category.immigration_status: "Visa, leave to remain or other immigration status",
    Category.offence_details: "What happened and what the person told the police",
    Category.health: "Physical or mental health, including injuries",
}

OUTCOMES: dict[str, str] = {
    Outcome.permit: "Some information may be shared",
    Outcome.deny: "Do not share this information",
    Outcome.review: "An information-sharing officer must decide",
}

OUTCOME_TAGS: dict[str, str] = {
    Outcome.permit: "Permitted",
    Outcome.deny: "Refused",
    Outcome.review: "Review",
}

OUTCOME_TAG_CLASSES: dict[str, str] = {
    Outcome.permit: "govuk-tag--green",
    Outcome.deny: "govuk-tag--red",
    Outcome.review: "govuk-tag--yellow",
}

STATES: dict[str, str] = {
    CategoryState.disclose: "May be shared",
    CategoryState.withhold: "Withheld",
    CategoryState.review: "Needs review",
}

STATE_TAG_CLASSES: dict[str, str] = {
    CategoryState.disclose: "govuk-tag--green",
    CategoryState.withhold: "govuk-tag--red",
    CategoryState.review: "govuk-tag--yellow",
}

EFFECTS: dict[str, str] = {
    ReasonEffect.permit: "Allows",
    ReasonEffect.forbid: "Stops",
    ReasonEffect.review: "Sends to review",
    ReasonEffect.referral: "Requires a referral",
    ReasonEffect.enforcement_pause: "Requires enforcement to pause",
}

METHODS: dict[str, str] = {
    DisclosureMethod.secure_email: "Secure email",
    DisclosureMethod.secure_system: "Secure case-management or data-sharing system",
    DisclosureMethod.post: "Secure or recorded post",
    DisclosureMethod.phone: "Telephone",
    DisclosureMethod.in_person: "In person",
}


def onward_use_condition(
    *, agency: str, purpose: str, referral: bool, enforcement_pause: bool
) -> str:
    """The condition the recipient organisation is shown with every disclosure: use only
    for the stated purpose, no onward sharing without the force's agreement, and any duty
    the decision carries."""
    purpose_text = PURPOSES.get(purpose, purpose).lower()
    parts = [
        f"Use this information only for {purpose_text}.",
        "Do not share it with anyone else, or use it for anything else, without the written "
        "agreement of the force that sent it.",
    ]
    if agency == Agency.immigration_enforcement or purpose == Purpose.immigration_enforcement:
        parts.append(
            "Do not use it to take immigration enforcement action against a victim or "
            "witness without the force's agreement."
        )
    if enforcement_pause:
        parts.append(
            "Under the migrant victims protocol, take no enforcement action against "
            "the victim while the investigation or prosecution is active."
        )
    if referral:
        parts.append("The person must be referred to independent advice and support.")
    return " ".join(parts)


def category_label(category: str) -> str:
    """'immigration_status' -> 'Immigration status' (unknown codes are shown as they are)."""
    return CATEGORIES.get(category, category)


def join_words(words: Iterable[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'; [] -> 'nothing'."""
    items = list(words)
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_categories(categories: Iterable[str]) -> str:
    """Categories as a phrase in a sentence: 'identity, address and immigration status'."""
    return join_words(category_label(c).lower() for c in categories)


def regime_title(name: str) -> str:
    """The regime's title, or its name if it is no longer one the service can load."""
    try:
        return get_regime(name).title
    except UnknownRegimeError:
        return name


def describe_age(age: timedelta) -> str:
    """How long something has waited, roughly: 'less than an hour', '5 hours', '3 days'."""
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return "less than an hour"
    if hours < 48:
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{hours // 24} days"


def local_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A date and time as entered in the force's zone, as aware UTC."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
