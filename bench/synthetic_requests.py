"""Seedable generator of realistic share-request histories (contract JSON, one per line).

The mix is invented but shaped like a force's traffic: most requests are police
investigations and safeguarding; about one in seven comes from immigration enforcement;
roles, crime types, consents and categories follow the requester. The same seed always
yields the same history.

    python -m bench.synthetic_requests --count 100000 --seed 7 --out history.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from safeshare.policy.schemas import ShareRequest

# (agency, purpose, weight): who asks, and why.
REQUESTERS: list[tuple[str, str, float]] = [
    ("police", "criminal_investigation", 40),
    ("police", "safeguarding", 4),
    ("police", "immigration_enforcement", 2),
    ("local_authority", "safeguarding", 12),
    ("local_authority", "victim_support", 1),
    ("support_org", "victim_support", 12),
    ("support_org", "regularisation_support", 3),
    ("support_org", "safeguarding", 2),
    ("immigration_enforcement", "immigration_enforcement", 12),
    ("immigration_enforcement", "regularisation_support", 2),
    ("immigration_enforcement", "criminal_investigation", 2),
    ("health", "safeguarding", 4),
    ("health", "victim_support", 1),
    ("other", "criminal_investigation", 1),
    ("other", "immigration_enforcement", 1),
    ("other", "safeguarding", 1),
]
# Categories each kind of requester usually asks for, and a rare extra.
WANTS: dict[str, list[str]] = {
    "police": ["identity", "contact", "address", "offence_details"],
    "local_authority": ["identity", "contact", "address", "offence_details", "health"],
    "support_org": ["identity", "contact", "offence_details"],
    "immigration_enforcement": ["identity", "nationality", "immigration_status", "address"],
    "health": ["identity", "contact", "health"],
    "other": ["identity", "contact", "address"],
}
ALL_CATEGORIES = [
    "identity",
    "contact",
    "address",
    "nationality",
    "immigration_status",
    "offence_details",
    "health",
]
ROLES = (["victim", "witness", "suspect"], [62, 25, 13])
CRIMES = (["domestic_abuse", "sexual_offence", "modern_slavery", "other"], [38, 15, 10, 37])


def _consents(rng: random.Random, role: str) -> list[dict[str, Any]]:
    if role == "suspect":
        return []
    consents: list[dict[str, Any]] = []
    for purpose, given, withdrawn in (
        ("victim_support", 0.45, 0.08),
        ("regularisation_support", 0.12, 0.10),
        ("safeguarding", 0.10, 0.05),
    ):
        if rng.random() < given:
            is_withdrawn = rng.random() < withdrawn
            consents.append({"purpose": purpose, "withdrawn": is_withdrawn})
            if is_withdrawn and rng.random() < 0.2:  # withdrawn, then given again
                consents.append({"purpose": purpose, "withdrawn": False})
    rng.shuffle(consents)
    return consents


def synthetic_request(rng: random.Random) -> dict[str, Any]:
    """One realistic request in contract JSON form."""
    agency, purpose, _ = rng.choices(REQUESTERS, weights=[w for *_, w in REQUESTERS])[0]
    role = rng.choices(*ROLES)[0]
    crimes = {rng.choices(*CRIMES)[0]}
    if rng.random() < 0.15:
        crimes.add(rng.choices(*CRIMES)[0])
    consents = _consents(rng, role)
    has_regularisation = any(c["purpose"] == "regularisation_support" for c in consents)
    wants = WANTS[agency]
    categories = [c for c in wants if rng.random() < 0.7] or [wants[0]]
    if rng.random() < 0.1:
        extra = rng.choice(ALL_CATEGORIES)
        if extra not in categories:
            categories.append(extra)
    return {
        "requester": {"agency": agency, "purpose": purpose},
        "subject": {
            "role": role,
            "crime_types": sorted(crimes),
            "suspected_of_non_immigration_offence": rng.random() < {"suspect": 0.9}.get(role, 0.06),
            "status_doubt_only": rng.random()
            < (0.55 if agency == "immigration_enforcement" else 0.2),
            "investigation_active": rng.random() < 0.7,
            "receiving_regularisation_support": rng.random() < (0.6 if has_regularisation else 0.1),
            "consents": consents,
        },
        "categories": categories,
    }


def synthetic_history(count: int, *, seed: int) -> Iterator[dict[str, Any]]:
    """`count` requests in contract JSON form; the same seed gives the same history."""
    rng = random.Random(seed)
    for _ in range(count):
        yield synthetic_request(rng)


def synthetic_share_requests(count: int, *, seed: int) -> Iterator[ShareRequest]:
    """The same history as validated contract models."""
    for data in synthetic_history(count, seed=seed):
        yield ShareRequest.model_validate(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="JSONL file to write (default: stdout)")
    args = parser.parse_args(argv)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for data in synthetic_history(args.count, seed=args.seed):
            out.write(json.dumps(data, separators=(",", ":")) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
