"""Firewall settings that are policy rather than code (`SAFESHARE_POLICY__...`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from safeshare.policy.schemas import FIREWALL_CRIME_TYPES, FirewallCrimeType


class PolicyConfig(BaseModel):
    """Settings the regimes read through a decision's facts (so replay stays exact)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The crime types the migrant victims protocol's enforcement pause covers (iemvp).
    pause_crime_types: frozenset[FirewallCrimeType] = Field(
        default=frozenset(FIREWALL_CRIME_TYPES), min_length=1
    )
