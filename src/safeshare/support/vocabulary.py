"""The support feature's fixed vocabularies: service types, referral states, reason codes.

Values are stored as plain strings, so adding a member needs no migration; removing or
renaming one does (existing rows hold the old value).
"""

from __future__ import annotations

from enum import StrEnum


class ServiceType(StrEnum):
    advocacy = "advocacy"
    refuge = "refuge"
    immigration_advice = "immigration_advice"  # needs an OISC level (DOMAIN.md, "OISC")
    counselling = "counselling"
    helpline = "helpline"


class ReferralMethod(StrEnum):
    secure_email = "secure_email"
    phone = "phone"
    portal = "portal"


class ReferralStatus(StrEnum):
    pending = "pending"  # sent, not yet answered by the receiving organisation
    accepted = "accepted"
    declined = "declined"
    closed = "closed"  # accepted, and a final outcome recorded
    withdrawn = "withdrawn"  # by the referrer, or because consent was withdrawn


OPEN_STATUSES: frozenset[ReferralStatus] = frozenset(
    {ReferralStatus.pending, ReferralStatus.accepted}
)


class DeclineReason(StrEnum):
    no_capacity = "no_capacity"
    outside_area = "outside_area"
    needs_not_met = "needs_not_met"
    not_eligible = "not_eligible"
    duplicate = "duplicate"
    other = "other"


class ReferralOutcome(StrEnum):
    first_contact_made = "first_contact_made"
    engaged = "engaged"
    unreachable = "unreachable"
    declined_by_victim = "declined_by_victim"
    no_capacity = "no_capacity"


# Outcomes after which the referral is finished.
FINAL_OUTCOMES: frozenset[ReferralOutcome] = frozenset(
    {
        ReferralOutcome.engaged,
        ReferralOutcome.unreachable,
        ReferralOutcome.declined_by_victim,
        ReferralOutcome.no_capacity,
    }
)

# Outcomes that mean the advocate spoke to the victim: the first of them stops the
# time-to-first-contact clock.
CONTACT_OUTCOMES: frozenset[ReferralOutcome] = frozenset(
    {
        ReferralOutcome.first_contact_made,
        ReferralOutcome.engaged,
        ReferralOutcome.declined_by_victim,
    }
)


class WithdrawalReason(StrEnum):
    by_referrer = "by_referrer"
    consent_withdrawn = "consent_withdrawn"


def normalise_tag(value: str) -> str:
    """Languages, communities and area codes compare case- and spacing-insensitively."""
    return " ".join(value.split()).casefold()
