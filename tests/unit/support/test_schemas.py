"""Directory entry validation: each rule names the field it is about."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from safeshare.support.schemas import (
    ServiceFields,
    SupportSearch,
    Vacancies,
    clean_tags,
    error_messages,
)

BASE: dict[str, Any] = {
    "name": "Advocacy",
    "service_types": ["advocacy"],
    "areas_covered": ["north"],
    "referral_method": "phone",
    "referral_contact": "01632 960000",
}


def field_errors(**changes: Any) -> list[str | None]:
    with pytest.raises(ValidationError) as caught:
        ServiceFields.model_validate({**BASE, **changes})
    return [field for field, _ in error_messages(caught.value)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_types": ["immigration_advice"]}, "oisc_level"),
        ({"oisc_level": 2}, "oisc_level"),
        ({"service_types": ["immigration_advice"], "oisc_level": 4}, "oisc_level"),
        ({"areas_covered": []}, "areas_covered"),
        ({"referral_contact": "  "}, "referral_contact"),
        ({"units": 2}, "units"),
        ({"service_types": ["refuge"], "units": 5, "bedspaces": 4}, "bedspaces"),
        (
            {
                "service_types": ["refuge"],
                "units": 5,
                "bedspaces": 9,
                "nrpf_units": 6,
                "nrpf_bedspaces": 6,
            },
            "nrpf_units",
        ),
        (
            {
                "service_types": ["refuge"],
                "units": 5,
                "bedspaces": 9,
                "nrpf_units": 1,
                "nrpf_bedspaces": 1,
            },
            "has_nrpf_support",
        ),
        ({"service_types": []}, "service_types"),
        ({"referral_method": "carrier pigeon"}, "referral_method"),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, Any], field: str) -> None:
    assert field_errors(**changes) == [field]


def test_a_valid_refuge_with_ringfenced_places() -> None:
    refuge = ServiceFields.model_validate(
        {
            **BASE,
            "service_types": ["refuge", "refuge"],
            "has_nrpf_support": True,
            "units": 50,
            "bedspaces": 92,
            "nrpf_units": 24,
            "nrpf_bedspaces": 44,
        }
    )
    assert refuge.service_types == ["refuge"]


def test_tags_are_trimmed_and_deduplicated_ignoring_case() -> None:
    assert clean_tags([" Spanish ", "spanish", "", "Latin  American women"]) == [
        "Spanish",
        "Latin American women",
    ]
    assert clean_tags(["North", " north "], is_code=True) == ["north"]


def test_vacant_bedspaces_cover_vacant_units() -> None:
    with pytest.raises(ValidationError) as caught:
        Vacancies(vacant_units=2, vacant_bedspaces=1)
    assert error_messages(caught.value)[0][0] == "vacant_bedspaces"


def test_search_query_is_normalised_and_consistent() -> None:
    query = SupportSearch(language=" SPANISH ", area="North", require_nrpf_support=True)
    assert (query.language, query.area, query.has_nrpf) == ("spanish", "north", True)
    with pytest.raises(ValidationError):
        SupportSearch(require_language=True)
    with pytest.raises(ValidationError):
        SupportSearch(max_distance=2)
