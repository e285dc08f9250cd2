"""Reporting policy lives in configuration, with the Victims' Code (2021) timings as defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from safeshare.config import get_settings
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.vocabulary import CrimeType, VictimsCodeRight


def test_defaults_follow_the_code() -> None:
    config = get_settings().reporting
    assert (
        config.referral_working_days,
        config.update_working_days,
        config.enhanced_update_working_days,
    ) == (2, 5, 1)
    assert CrimeType.domestic_abuse in config.enhanced_rights_crime_types
    assert config.rights_at_intake == tuple(VictimsCodeRight)
    assert (config.bank_holiday_country, config.bank_holiday_subdivision) == ("GB", "ENG")


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        ReportingConfig(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError):
        ReportingConfig(update_working_days=-1)
    with pytest.raises(ValidationError):
        ReportingConfig(surprise=True)  # type: ignore[call-arg]


def test_config_is_immutable() -> None:
    with pytest.raises(ValidationError):
        get_settings().reporting.update_working_days = 3  # type: ignore[misc]
