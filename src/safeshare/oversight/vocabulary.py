"""Oversight's closed vocabularies, and the plain-English labels statistics show for every
stored value (its own and other features')."""

from __future__ import annotations

from enum import StrEnum


class OutcomeTrack(StrEnum):
    """Two things follow a disclosure: what Immigration Enforcement did, and the case."""

    immigration = "immigration"
    case = "case"


class ImmigrationOutcome(StrEnum):
    """What Immigration Enforcement did after a disclosure (issue 8, "Outcomes after a share")."""

    no_action = "no_action"
    support_contact = "support_contact"
    enforcement_paused = "enforcement_paused"
    reporting_conditions = "reporting_conditions"
    detention = "detention"
    removal = "removal"


class CaseOutcome(StrEnum):
    """What happened to the criminal case after the disclosure."""

    continued = "continued"
    victim_withdrew = "victim_withdrew"
    charged = "charged"
    no_further_action = "no_further_action"


ENFORCEMENT_OUTCOMES: frozenset[ImmigrationOutcome] = frozenset(
    {
        ImmigrationOutcome.reporting_conditions,
        ImmigrationOutcome.detention,
        ImmigrationOutcome.removal,
    }
)
"""Outcomes where enforcement action was taken against the victim or witness."""

OUTCOMES_BY_TRACK: dict[OutcomeTrack, tuple[str, ...]] = {
    OutcomeTrack.immigration: tuple(ImmigrationOutcome),
    OutcomeTrack.case: tuple(CaseOutcome),
}


class ShareResult(StrEnum):
    """Where a share request ended: decided by policy, or by a disclosure officer's review."""

    permitted = "permitted"
    refused = "refused"
    awaiting_review = "awaiting_review"
    released_after_review = "released_after_review"
    withheld_after_review = "withheld_after_review"


class RecommendationStatus(StrEnum):
    awaiting_response = "awaiting_response"
    response_published = "response_published"
    accepted_in_progress = "accepted_in_progress"
    partially_accepted = "partially_accepted"
    implemented = "implemented"
    not_accepted = "not_accepted"


RIGHT_LABELS: dict[str, str] = {
    "1": "1. Understand and be understood",
    "2": "2. Crime recorded",
    "3": "3. Information when reporting",
    "4": "4. Referral to support",
    "5": "5. Compensation information",
    "6": "6. Investigation updates",
    "7": "7. Victim Personal Statement",
    "8": "8. Trial information",
    "9": "9. Outcome and appeals",
    "10": "10. Expenses and property",
    "11": "11. Offender information",
    "12": "12. Complaint",
}
"""Short labels for the twelve Victims' Code rights, for tables and charts."""

NOT_ASKED = "not_asked"
"""A monitoring question that was never asked (stored as NULL), as statistics show it."""
NONE_RECORDED = "none_recorded"
"""A disclosure with no outcome recorded yet, as statistics show it."""

LABELS: dict[str, dict[str, str]] = {
    "immigration_outcome": {
        "no_action": "No action",
        "support_contact": "Contact to offer support",
        "enforcement_paused": "Enforcement paused under the protocol",
        "reporting_conditions": "Enforcement begun: reporting conditions",
        "detention": "Enforcement begun: detention",
        "removal": "Removal",
        NONE_RECORDED: "No outcome recorded yet",
    },
    "immigration_outcome_short": {
        "no_action": "No action",
        "support_contact": "Support offered",
        "enforcement_paused": "Paused under protocol",
        "reporting_conditions": "Reporting conditions",
        "detention": "Detention",
        "removal": "Removal",
        NONE_RECORDED: "None recorded",
    },
    "case_outcome": {
        "continued": "Case continued",
        "victim_withdrew": "Victim withdrew support",
        "charged": "Charged",
        "no_further_action": "No further action",
        NONE_RECORDED: "No outcome recorded yet",
    },
    "outcome": {"permit": "Permitted", "deny": "Refused", "review": "Sent for review"},
    "result": {
        "permitted": "Permitted by policy",
        "refused": "Refused by policy",
        "awaiting_review": "Awaiting review",
        "released_after_review": "Released after review",
        "withheld_after_review": "Withheld after review",
    },
    "agency": {
        "immigration_enforcement": "Home Office Immigration Enforcement",
        "police": "Police",
        "local_authority": "Local authority",
        "health": "Health",
        "support_org": "Support organisation",
        "immigration_adviser": "Immigration adviser",
        "other": "Other",
    },
    "purpose": {
        "immigration_enforcement": "Immigration enforcement",
        "criminal_investigation": "Criminal investigation",
        "safeguarding": "Safeguarding",
        "victim_support": "Victim support",
        "regularisation_support": "Support to regularise status",
        "immigration_advice": "Immigration advice",
        # Checks police start themselves, counted apart from requests made to them.
        "status_check": "Police-initiated status check",
    },
    "pathway": {
        "public_online": "Online (public)",
        "officer": "Officer",
        "third_party": "Third party",
        "anonymous": "Anonymous",
    },
    "crime_type": {
        "domestic_abuse": "Domestic abuse",
        "sexual_offence": "Sexual offence",
        "modern_slavery": "Modern slavery",
        "violence": "Violence",
        "stalking_harassment": "Stalking or harassment",
        "hate_crime": "Hate crime",
        "theft_fraud": "Theft or fraud",
        "criminal_damage": "Criminal damage",
        "other": "Other",
    },
    "case_status": {
        "new": "New",
        "under_investigation": "Under investigation",
        "charged": "Charged",
        "no_further_action": "No further action",
        "closed": "Closed",
        "erased": "Erased",
    },
    "sex": {"female": "Female", "male": "Male", "other": "Other", "declined": "Prefer not to say"},
    "age_band": {
        "under_18": "Under 18",
        "18_24": "18 to 24",
        "25_34": "25 to 34",
        "35_44": "35 to 44",
        "45_54": "45 to 54",
        "55_64": "55 to 64",
        "65_plus": "65 and over",
        "declined": "Prefer not to say",
    },
    "ethnicity_group": {
        "asian": "Asian",
        "black": "Black",
        "mixed": "Mixed",
        "white": "White",
        "other": "Other ethnic group",
        "declined": "Prefer not to say",
    },
    "nationality_group": {
        "british": "British",
        "irish": "Irish",
        "eu_eea_swiss": "EU, EEA or Swiss",
        "rest_of_world": "Rest of the world",
        "stateless": "Stateless",
        "declined": "Prefer not to say",
    },
    "referral_response": {
        "awaiting": "Awaiting a response",
        "accepted": "Accepted",
        "declined": "Declined",
        "withdrawn": "Withdrawn",
    },
    "decline_reason": {
        "no_capacity": "No capacity",
        "outside_area": "Outside area",
        "needs_not_met": "Needs not met",
        "not_eligible": "Not eligible",
        "duplicate": "Duplicate",
        "other": "Other",
        "not_recorded": "No reason recorded",
    },
    "referral_outcome": {
        "first_contact_made": "First contact made",
        "engaged": "Engaged with support",
        "unreachable": "Could not be reached",
        "declined_by_victim": "Declined by the victim",
        "no_capacity": "No capacity",
    },
    "compliance": {
        "on_time": "Met on time",
        "late": "Met late",
        "overdue": "Overdue",
    },
    "follow_up": {
        "recorded": "Outcome recorded",
        "overdue": "Overdue: no outcome recorded",
        "not_yet_due": "Not yet due",
    },
    "recommendation_status": {
        "awaiting_response": "Awaiting response",
        "response_published": "Response published",
        "accepted_in_progress": "Accepted: in progress",
        "partially_accepted": "Partially accepted",
        "implemented": "Implemented",
        "not_accepted": "Not accepted",
    },
}


def label(dimension: str, value: object) -> str:
    """The plain-English label for a stored value; unknown values are tidied, never hidden."""
    if value is None or value == NOT_ASKED:
        return "Not asked"
    text = str(value)
    return LABELS.get(dimension, {}).get(text) or text.replace("_", " ").capitalize()
