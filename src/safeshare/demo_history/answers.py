"""Answers the demo's people give that the plan leaves out (issue 19): the further
monitoring questions, and "was it safe, was it helpful" from victims at the end of
the public journey and from advocates about each referral. All fictional.

Each comes from its own generator, keyed by the story or referral, so adding them leaves the
rest of a seed's history as it was.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from safeshare.demo_history.plan import ReportStory
from safeshare.oversight.vocabulary import FeedbackAnswer
from safeshare.support.vocabulary import ReferralOutcome

PUBLIC_PATHWAYS = ("public_online", "anonymous")

DISABILITY = {"yes": 0.2, "no": 0.7, "declined": 0.1}
RELIGION = {
    "none": 0.22,
    "christian": 0.24,
    "muslim": 0.26,
    "hindu": 0.06,
    "sikh": 0.05,
    "buddhist": 0.03,
    "jewish": 0.02,
    "other": 0.04,
    "declined": 0.08,
}
SEXUAL_ORIENTATION = {
    "heterosexual": 0.76,
    "gay_or_lesbian": 0.06,
    "bisexual": 0.05,
    "other": 0.02,
    "declined": 0.11,
}
# A victim who needs an interpreter prefers another language than English.
LANGUAGE = {
    True: {
        "arabic": 0.2,
        "polish": 0.15,
        "romanian": 0.2,
        "portuguese": 0.15,
        "spanish": 0.15,
        "other": 0.15,
    },
    False: {"english": 0.86, "welsh": 0.02, "other": 0.05, "declined": 0.07},
}
# The status category follows the nationality group (never shown against a person).
STATUS_CATEGORY: Mapping[str, Mapping[str, float]] = {
    "british": {"british_or_settled": 0.95, "declined": 0.05},
    "irish": {"british_or_settled": 0.95, "declined": 0.05},
    "eu_eea_swiss": {
        "eu_settlement_scheme": 0.6,
        "british_or_settled": 0.15,
        "visa_holder": 0.08,
        "no_leave": 0.07,
        "not_known": 0.05,
        "declined": 0.05,
    },
    "rest_of_world": {
        "visa_holder": 0.3,
        "asylum_seeker_or_refugee": 0.22,
        "no_leave": 0.2,
        "british_or_settled": 0.1,
        "not_known": 0.1,
        "declined": 0.08,
    },
    "stateless": {
        "asylum_seeker_or_refugee": 0.45,
        "no_leave": 0.3,
        "not_known": 0.15,
        "declined": 0.1,
    },
    "declined": {"not_known": 0.4, "declined": 0.6},
}


def _choose(side: random.Random, weights: Mapping[str, float]) -> str:
    return side.choices(list(weights), weights=list(weights.values()))[0]


def further_monitoring(story: ReportStory) -> dict[str, str]:
    """The further monitoring answers for a report, or none where the monitoring questions
    were not asked."""
    if story.nationality_group is None:
        return {}
    side = random.Random(f"monitoring-{story.at.isoformat()}-{story.index}")
    return {
        "disability": _choose(side, DISABILITY),
        "religion": _choose(side, RELIGION),
        "sexual_orientation": _choose(side, SEXUAL_ORIENTATION),
        "preferred_language": _choose(side, LANGUAGE[story.has_language_needs]),
        "immigration_status_category": _choose(side, STATUS_CATEGORY[story.nationality_group]),
    }


Answers = tuple[FeedbackAnswer | None, FeedbackAnswer | None]  # felt safe, was helpful
_ANSWERS = (FeedbackAnswer.yes, FeedbackAnswer.partly, FeedbackAnswer.no, None)
VICTIM_ANSWERS = (0.52, 0.28, 0.12, 0.08)  # yes, partly, no, question left blank
# Advocates hear more doubt where the victim could not be reached or stepped away.
ADVOCATE_ANSWERS: Mapping[ReferralOutcome, tuple[float, ...]] = {
    ReferralOutcome.engaged: (0.62, 0.26, 0.07, 0.05),
    ReferralOutcome.unreachable: (0.18, 0.34, 0.38, 0.1),
    ReferralOutcome.declined_by_victim: (0.22, 0.36, 0.34, 0.08),
    ReferralOutcome.no_capacity: (0.2, 0.3, 0.42, 0.08),
}


def _answers(side: random.Random, weights: tuple[float, ...]) -> Answers | None:
    felt_safe, was_helpful = side.choices(_ANSWERS, weights=weights, k=2)
    return None if felt_safe is None and was_helpful is None else (felt_safe, was_helpful)


def victim_feedback(story: ReportStory) -> Answers | None:
    """What a victim answered at the end of the public journey: about two in five answer."""
    if story.pathway not in PUBLIC_PATHWAYS:
        return None
    side = random.Random(f"victim-feedback-{story.at.isoformat()}-{story.index}")
    return _answers(side, VICTIM_ANSWERS) if side.random() < 0.4 else None


def advocate_feedback(referral_id: int, outcome: ReferralOutcome) -> Answers | None:
    """What an advocate answered about a referral once it closed: about three in five do."""
    weights = ADVOCATE_ANSWERS.get(outcome)
    side = random.Random(f"advocate-feedback-{referral_id}")
    if weights is None or side.random() >= 0.6:
        return None
    return _answers(side, weights)
