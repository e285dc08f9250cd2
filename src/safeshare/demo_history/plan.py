"""The demo history's plan: who reported what, when, and what each report will lead to.

Pure and deterministic: everything comes from one seeded `random.Random`, so the same seed
and end date always give the same history. Categorical answers are allocated by quota (exact
proportions, then shuffled) rather than drawn one by one, so that small groups still reach
the statistics' suppression threshold instead of landing at 7 or 8 by chance. The plan only
says what is asked for; what the Firewall decides is left to the Firewall.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from safeshare.demo_history.cast import FORCES, THIRD_PARTY_ORGS

T = TypeVar("T")

DAYS = 548  # 18 months ending today
REPORTS = 3000
# Share requests: 4,500 asked directly, and each of the 1,500 referrals is one too (a
# support organisation asking for victim support, decided by the Firewall): 6,000 in all.
SHARE_REQUESTS = 4500
REFERRALS = 1500
ANONYMOUS_SHARE = 0.1  # enough for each month's count to be published

PATHWAYS = {
    "officer": 0.42,
    "public_online": 0.24,
    "third_party": 0.24,
    "anonymous": ANONYMOUS_SHARE,
}
# Crime types per pathway; a zero keeps a combination empty rather than tiny.
CRIMES: dict[str, dict[str, float]] = {
    "officer": {
        "domestic_abuse": 0.38,
        "sexual_offence": 0.09,
        "modern_slavery": 0.07,
        "violence": 0.14,
        "stalking_harassment": 0.1,
        "hate_crime": 0.08,
        "theft_fraud": 0.08,
        "criminal_damage": 0.04,
        "other": 0.02,
    },
    "public_online": {
        "domestic_abuse": 0.34,
        "sexual_offence": 0.1,
        "violence": 0.14,
        "stalking_harassment": 0.14,
        "hate_crime": 0.12,
        "theft_fraud": 0.1,
        "criminal_damage": 0.06,
    },
    "third_party": {
        "domestic_abuse": 0.52,
        "sexual_offence": 0.12,
        "modern_slavery": 0.14,
        "stalking_harassment": 0.1,
        "hate_crime": 0.12,
    },
    "anonymous": {"domestic_abuse": 0.55, "sexual_offence": 0.2, "modern_slavery": 0.25},
}
SEXES = {"female": 0.8, "male": 0.14, "declined": 0.06}
AGES = {"18_24": 0.17, "25_34": 0.36, "35_44": 0.27, "45_54": 0.12, "55_64": 0.04, "declined": 0.04}
ETHNICITIES = {
    "asian": 0.27,
    "black": 0.25,
    "mixed": 0.12,
    "white": 0.2,
    "other": 0.12,
    "declined": 0.04,
}
NATIONALITIES = {
    "british": 0.14,
    "irish": 0.02,
    "eu_eea_swiss": 0.22,
    "rest_of_world": 0.52,
    "stateless": 0.04,
    "declined": 0.06,
}
# Who asks about a victim, by the victim's nationality group: Immigration Enforcement asks
# far more about people from outside the EU (one of the differences the pages should show).
_REQUESTERS = (
    ("immigration_enforcement", "immigration_enforcement"),
    ("immigration_enforcement", "regularisation_support"),
    ("police", "criminal_investigation"),
    ("local_authority", "safeguarding"),
    ("health", "safeguarding"),
    ("other", "criminal_investigation"),
)
REQUESTER_MIX: dict[str, tuple[float, ...]] = {
    "british": (0.06, 0.0, 0.55, 0.27, 0.07, 0.05),
    "irish": (0.06, 0.0, 0.55, 0.27, 0.07, 0.05),
    "eu_eea_swiss": (0.3, 0.05, 0.36, 0.2, 0.05, 0.04),
    "rest_of_world": (0.42, 0.08, 0.26, 0.15, 0.05, 0.04),
    "stateless": (0.45, 0.1, 0.23, 0.13, 0.05, 0.04),
    "declined": (0.3, 0.05, 0.36, 0.2, 0.05, 0.04),
}
CATEGORY_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "immigration_enforcement": (
        ("identity", "nationality", "immigration_status"),
        ("identity", "address", "nationality", "immigration_status"),
        ("identity", "contact", "address", "nationality", "immigration_status"),
    ),
    "police": (("identity", "contact", "offence_details"), ("identity", "address")),
    "local_authority": (("identity", "contact", "address", "health"), ("identity", "address")),
    "health": (("identity", "health"),),
    "other": (("identity", "contact"),),
}


@dataclass
class ShareStory:
    """One request about a report's victim: when, by which force, from whom, for what."""

    at: datetime
    force: str
    agency: str
    purpose: str
    categories: tuple[str, ...]
    status_doubt_only: bool
    is_backlog: bool = False  # sent for review and still waiting for a disclosure officer


@dataclass
class ReportStory:
    """One report and everything planned to follow it."""

    index: int
    at: datetime
    pathway: str
    crime_type: str
    sex: str | None
    age_band: str | None
    ethnicity_group: str | None
    nationality_group: str | None
    force: str
    organisation: str | None  # third-party reports: the reporting organisation
    has_language_needs: bool
    consents: tuple[str, ...]
    shares: list[ShareStory] = field(default_factory=list)
    referrals: int = 0


def quota(rng: random.Random, n: int, weights: Mapping[str, float]) -> list[str]:
    """`n` values in exactly the given proportions (largest remainder), shuffled."""
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    short = n - sum(counts.values())
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[:short]:
        counts[k] += 1
    values = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(values)
    return values


def pick(rng: random.Random, options: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(list(options), weights=list(weights), k=1)[0]


def _consents(rng: random.Random, pathway: str, nationality: str | None) -> tuple[str, ...]:
    chosen = []
    if rng.random() < (0.45 if pathway == "anonymous" else 0.8):
        chosen.append("victim_support")
    if nationality not in ("british", "irish") and rng.random() < 0.3:
        chosen.append("regularisation_support")
    if pathway != "anonymous" and rng.random() < 0.2:
        chosen.append("police_contact")
    return tuple(chosen)


def plan_reports(*, rng: random.Random, start: datetime, scale: float) -> list[ReportStory]:
    """Every report of the history in time order, with its share requests and referrals."""
    n = max(1, round(REPORTS * scale))
    span = timedelta(days=DAYS) - timedelta(hours=2)
    moments = sorted(start + span * rng.random() for _ in range(n))
    pathways = quota(rng, n, PATHWAYS)
    crimes = {p: iter(quota(rng, pathways.count(p), CRIMES[p])) for p in PATHWAYS}
    sexes, ages = quota(rng, n, SEXES), quota(rng, n, AGES)
    ethnicities, nationalities = quota(rng, n, ETHNICITIES), quota(rng, n, NATIONALITIES)
    forces = quota(rng, n, {f.key: f.share_weight for f in FORCES})
    stories = []
    for i, (at, pathway) in enumerate(zip(moments, pathways, strict=True)):
        # Officers sometimes do not ask the monitoring questions: counted as "not asked".
        asked = pathway != "officer" or rng.random() > 0.05
        nationality = nationalities[i] if asked else None
        stories.append(
            ReportStory(
                index=i,
                at=at,
                pathway=pathway,
                crime_type=next(crimes[pathway]),
                sex=sexes[i] if asked else None,
                age_band=ages[i] if asked else None,
                ethnicity_group=ethnicities[i] if asked else None,
                nationality_group=nationality,
                force=forces[i],
                organisation=rng.choice(THIRD_PARTY_ORGS) if pathway == "third_party" else None,
                has_language_needs=nationality in ("rest_of_world", "stateless")
                and rng.random() < 0.5,
                consents=_consents(rng, pathway, nationality),
            )
        )
    _plan_shares(rng, stories, end=start + timedelta(days=DAYS), scale=scale)
    _plan_referrals(rng, stories, scale=scale)
    return stories


def _plan_shares(
    rng: random.Random, stories: list[ReportStory], *, end: datetime, scale: float
) -> None:
    """Spread the share requests over reports (anonymous ones rarely: little to share)."""
    weights = [0.15 if s.pathway == "anonymous" else 1.0 for s in stories]
    for story in rng.choices(stories, weights=weights, k=round(SHARE_REQUESTS * scale)):
        room = (end - story.at).total_seconds()
        delay = min(room * 0.95, 1800 * (1.5 ** (rng.random() * 22)))  # 30 min to ~5 months
        mix = REQUESTER_MIX[story.nationality_group or "declined"]
        agency, purpose = pick(rng, _REQUESTERS, mix)
        story.shares.append(
            ShareStory(
                at=story.at + timedelta(seconds=delay),
                force=story.force,
                agency=agency,
                purpose=purpose,
                categories=rng.choice(CATEGORY_SETS[agency]),
                status_doubt_only=story.crime_type == "domestic_abuse" and rng.random() < 0.6,
            )
        )
    _plan_backlog(rng, stories, end=end, scale=scale)
    for story in stories:
        story.shares.sort(key=lambda s: s.at)


BACKLOG = 100  # requests from Immigration Enforcement waiting for review at the end
BACKLOG_DAYS = 40


def _plan_backlog(
    rng: random.Random, stories: list[ReportStory], *, end: datetime, scale: float
) -> None:
    """The home force's review queue today: requests from Immigration Enforcement over the
    last weeks that a disclosure officer has not reached yet (its regime sends every such
    request about a victim for review), about reports made before them."""
    home = FORCES[0].key
    for _ in range(max(3, round(BACKLOG * scale))):
        at = end - timedelta(days=BACKLOG_DAYS * rng.random() ** 2.2, hours=1)
        earlier = [s for s in stories if s.at < at - timedelta(days=1) and s.pathway != "anonymous"]
        story = rng.choice(earlier or stories[:1])
        story.shares.append(
            ShareStory(
                at=max(at, story.at + timedelta(hours=1)),
                force=home,
                agency="immigration_enforcement",
                purpose="immigration_enforcement",
                categories=CATEGORY_SETS["immigration_enforcement"][0],
                status_doubt_only=False,
                is_backlog=True,
            )
        )


def _plan_referrals(rng: random.Random, stories: list[ReportStory], *, scale: float) -> None:
    """Referrals go to consenting victims; about one in eight is a second referral, to
    immigration advice, for a victim who consented to regularisation support."""
    consenting = [s for s in stories if "victim_support" in s.consents]
    wanted = round(REFERRALS * scale)
    seconds = round(wanted * 0.12)
    chosen = rng.sample(consenting, k=min(len(consenting), wanted - seconds))
    for story in chosen:
        story.referrals = 1
    advice = [s for s in chosen if "regularisation_support" in s.consents]
    for story in rng.sample(advice, k=min(len(advice), seconds)):
        story.referrals = 2
