"""Oversight's closed vocabularies, and the plain-English labels statistics show for every
stored value (its own and other features')."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from safeshare.reporting import vocabulary as reporting_vocabulary


class OutcomeTrack(StrEnum):
    """Two things follow a disclosure: what Immigration Enforcement did, and the case."""

    immigration = "immigration"
    case = "case"


class ImmigrationOutcome(StrEnum):
    """What Immigration Enforcement did after a disclosure: the range of actions the PCC asked
    to see in individual cases, not only removal (issue 19), roughly least to most severe."""

    no_action = "no_action"
    support_contact = "support_contact"
    enforcement_paused = "enforcement_paused"
    interview = "interview"
    visit = "visit"
    reporting_conditions = "reporting_conditions"
    immigration_bail = "immigration_bail"
    detention = "detention"
    removal_notice = "removal_notice"
    removal = "removal"


class OutcomeSource(StrEnum):
    """Where the information about an outcome came from: a reply from Immigration Enforcement
    weighs differently from a victim's account relayed by an advocate."""

    immigration_enforcement = "immigration_enforcement"
    police_records = "police_records"
    victim = "victim"
    support_organisation = "support_organisation"
    legal_representative = "legal_representative"
    not_recorded = "not_recorded"
    """Outcomes recorded before the source was asked (migration 0019); never chosen anew."""


OUTCOME_SOURCE_LABELS: Mapping[OutcomeSource, str] = {
    OutcomeSource.immigration_enforcement: "Home Office Immigration Enforcement told us",
    OutcomeSource.police_records: "Police records",
    OutcomeSource.victim: "The victim told us",
    OutcomeSource.support_organisation: "A support organisation told us",
    OutcomeSource.legal_representative: "The victim's legal representative told us",
    OutcomeSource.not_recorded: "Not recorded (before sources were asked)",
}
OUTCOME_SOURCES_OFFERED: tuple[OutcomeSource, ...] = tuple(
    s for s in OutcomeSource if s is not OutcomeSource.not_recorded
)


class CaseOutcome(StrEnum):
    """What happened to the criminal case after the disclosure: the investigation itself is
    of key concern, not only removal (the PCC's letter)."""

    continued = "continued"
    victim_disengaged = "victim_disengaged"
    victim_withdrew = "victim_withdrew"
    case_discontinued = "case_discontinued"
    charged = "charged"
    convicted = "convicted"
    no_further_action = "no_further_action"


ENFORCEMENT_OUTCOMES: frozenset[ImmigrationOutcome] = frozenset(
    {
        ImmigrationOutcome.interview,
        ImmigrationOutcome.visit,
        ImmigrationOutcome.reporting_conditions,
        ImmigrationOutcome.immigration_bail,
        ImmigrationOutcome.detention,
        ImmigrationOutcome.removal_notice,
        ImmigrationOutcome.removal,
    }
)
"""Outcomes where enforcement action was taken against the victim or witness."""

OUTCOMES_BY_TRACK: dict[OutcomeTrack, tuple[str, ...]] = {
    OutcomeTrack.immigration: tuple(ImmigrationOutcome),
    OutcomeTrack.case: tuple(CaseOutcome),
}


class ShareGroup(StrEnum):
    """Reports by what Immigration Enforcement asked for or got: data sent, asked for but
    not sent, or never asked for ("what sharing did to the case")."""

    shared = "shared"
    requested = "requested"
    no_request = "no_request"


SHARE_GROUP_LABELS: Mapping[ShareGroup, str] = {
    ShareGroup.shared: "Data sent to Home Office Immigration Enforcement",
    ShareGroup.requested: "Asked for, not sent",
    ShareGroup.no_request: "No request",
}


class DemandOutcome(StrEnum):
    """What became of a referral to support, as the unmet-demand page counts it."""

    declined_no_capacity = "declined_no_capacity"
    not_placed_no_capacity = "not_placed_no_capacity"
    declined_other = "declined_other"
    accepted = "accepted"
    awaiting = "awaiting"
    withdrawn = "withdrawn"


UNMET_DEMAND: tuple[DemandOutcome, ...] = (
    DemandOutcome.declined_no_capacity,
    DemandOutcome.not_placed_no_capacity,
)
"""Referrals turned away, or never placed, because a service was full."""

DEMAND_OUTCOME_LABELS: Mapping[DemandOutcome, str] = {
    DemandOutcome.declined_no_capacity: "Declined: no capacity",
    DemandOutcome.not_placed_no_capacity: "Accepted, not placed: no capacity",
    DemandOutcome.declined_other: "Declined for another reason",
    DemandOutcome.accepted: "Accepted",
    DemandOutcome.awaiting: "Awaiting a response",
    DemandOutcome.withdrawn: "Withdrawn",
}


class NrpfGroup(StrEnum):
    """Whether a referral was for someone with no recourse to public funds."""

    nrpf = "nrpf"
    other = "other"


NRPF_GROUP_LABELS: Mapping[NrpfGroup, str] = {
    NrpfGroup.nrpf: "No recourse to public funds",
    NrpfGroup.other: "Not NRPF or not recorded",
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


class FeedbackSource(StrEnum):
    """Who answered "was it safe, was it helpful"."""

    public = "public"  # the victim, at the end of the public journey
    advocate = "advocate"  # an advocate, about one referral


class FeedbackAnswer(StrEnum):
    yes = "yes"
    partly = "partly"
    no = "no"


class FeedbackQuestion(StrEnum):
    felt_safe = "felt_safe"
    was_helpful = "was_helpful"


FEEDBACK_SOURCE_LABELS: Mapping[FeedbackSource, str] = {
    FeedbackSource.public: "Victims, at the end of reporting online",
    FeedbackSource.advocate: "Advocates, about a referral",
}
FEEDBACK_ANSWER_LABELS: Mapping[FeedbackAnswer, str] = {
    FeedbackAnswer.yes: "Yes",
    FeedbackAnswer.partly: "Partly",
    FeedbackAnswer.no: "No",
}
FEEDBACK_QUESTION_LABELS: Mapping[FeedbackQuestion, str] = {
    FeedbackQuestion.felt_safe: "Safe",
    FeedbackQuestion.was_helpful: "Helpful",
}


LABELS: dict[str, dict[str, str]] = {
    "immigration_outcome": {
        "no_action": "No action",
        "support_contact": "Contact to offer support",
        "enforcement_paused": "Enforcement paused under the protocol",
        "interview": "Enforcement begun: interview",
        "visit": "Enforcement begun: visit",
        "reporting_conditions": "Enforcement begun: reporting conditions",
        "immigration_bail": "Enforcement begun: immigration bail",
        "detention": "Enforcement begun: detention",
        "removal_notice": "Enforcement begun: removal notice",
        "removal": "Removal",
        NONE_RECORDED: "No outcome recorded yet",
    },
    "immigration_outcome_short": {
        "no_action": "No action",
        "support_contact": "Support offered",
        "enforcement_paused": "Paused under protocol",
        "interview": "Interview",
        "visit": "Visit",
        "reporting_conditions": "Reporting conditions",
        "immigration_bail": "Immigration bail",
        "detention": "Detention",
        "removal_notice": "Removal notice",
        "removal": "Removal",
        NONE_RECORDED: "None recorded",
    },
    "case_outcome": {
        "continued": "Case continued",
        "victim_disengaged": "Victim disengaged",
        "victim_withdrew": "Victim withdrew support",
        "case_discontinued": "Case discontinued",
        "charged": "Charged",
        "convicted": "Convicted",
        "no_further_action": "No further action",
        NONE_RECORDED: "No outcome recorded yet",
    },
    "outcome_source": {source.value: text for source, text in OUTCOME_SOURCE_LABELS.items()},
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
    # Staff-form monitoring answers: the reporting vocabulary's own labels, keyed by value.
    **{
        dimension: {str(k): v for k, v in labels.items()}
        for dimension, labels in (
            ("disability", reporting_vocabulary.DISABILITY_LABELS),
            ("religion", reporting_vocabulary.RELIGION_LABELS),
            ("sexual_orientation", reporting_vocabulary.SEXUAL_ORIENTATION_LABELS),
            ("preferred_language", reporting_vocabulary.PREFERRED_LANGUAGE_LABELS),
            (
                "immigration_status_category",
                reporting_vocabulary.IMMIGRATION_STATUS_CATEGORY_LABELS,
            ),
        )
    },
    "immigration_abuse": {
        "yes": "Yes",
        "no": "No",
        "not_sure": "Not sure",
        "declined": "Preferred not to say",
        NOT_ASKED: "Not asked",
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
