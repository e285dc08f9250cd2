"""Input validation: clear field errors, size limits, and immigration status never required."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from safeshare.reporting.schemas import (
    ACCOUNT_MAX_CHARS,
    REPORT_CREATE,
    AnonymousReturn,
    ConsentGrant,
    SealedDetails,
    ThirdPartyReportCreate,
    UpdateCreate,
)

MINIMAL: dict[str, dict[str, Any]] = {
    "public_online": {},
    "officer": {},
    "third_party": {"with_identity": False},
    "anonymous": {"passphrase": "correct horse battery staple"},
}


def _errors(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        REPORT_CREATE.validate_python(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize("pathway", sorted(MINIMAL))
def test_every_pathway_accepts_a_report_without_sensitive_answers(pathway: str) -> None:
    payload = REPORT_CREATE.validate_python(
        {"pathway": pathway, "crime_type": "domestic_abuse", **MINIMAL[pathway]}
    )
    assert payload.details.given() == set()
    assert payload.details.immigration_status is None


def _required_fields(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= set(schema.get("required", []))
        for value in schema.values():
            found |= _required_fields(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _required_fields(value)
    return found


def test_immigration_status_is_never_required_anywhere() -> None:
    required = _required_fields(REPORT_CREATE.json_schema())
    required |= _required_fields(AnonymousReturn.model_json_schema())
    assert "immigration_status" not in required
    assert "nationality" not in required
    assert required <= {
        "crime_type",
        "pathway",
        "passphrase",
        "with_identity",
        "purpose",
        "reference",
        "agency_name",  # only in a consent to share with a named agency (a oneOf branch)
    }


def test_anonymous_report_refuses_identity_with_a_field_error() -> None:
    errors = _errors(
        {
            "pathway": "anonymous",
            "crime_type": "other",
            "passphrase": "correct horse battery staple",
            "details": {"name": "Maria", "account": "what happened"},
        }
    )
    assert errors[0][0] == ("anonymous", "details")
    assert "Leave out name" in errors[0][1]


def test_third_party_without_identity_refuses_identity_fields() -> None:
    with pytest.raises(ValidationError, match="Leave out name"):
        ThirdPartyReportCreate(
            crime_type="other",
            with_identity=False,
            details=SealedDetails(contact_details="07700 900123"),
        )
    ok = ThirdPartyReportCreate(
        crime_type="other", with_identity=False, details=SealedDetails(language_needs="Tigrinya")
    )
    assert ok.details.given() == {"language_needs"}


def test_sizes_are_limited_per_field() -> None:
    errors = _errors(
        {
            "pathway": "public_online",
            "crime_type": "other",
            "details": {"account": "x" * (ACCOUNT_MAX_CHARS + 1), "name": "n" * 201},
            "area": "a" * 101,
        }
    )
    assert {loc for loc, _ in errors} == {
        ("public_online", "details", "account"),
        ("public_online", "details", "name"),
        ("public_online", "area"),
    }


def test_oversized_passphrase_has_a_plain_message() -> None:
    errors = _errors({"pathway": "anonymous", "crime_type": "other", "passphrase": "p" * 201})
    assert errors == [
        (("anonymous", "passphrase"), "Value error, Passphrase must be 200 characters or fewer")
    ]


def test_unknown_fields_and_values_are_refused() -> None:
    errors = _errors({"pathway": "public_online", "crime_type": "burglary", "surname": "x"})
    assert {loc for loc, _ in errors} == {
        ("public_online", "crime_type"),
        ("public_online", "surname"),
    }
    assert _errors({"pathway": "carrier_pigeon", "crime_type": "other"})[0][0] == ()


def test_dates_must_be_past_and_ordered() -> None:
    future = (date.today() + timedelta(days=5)).isoformat()
    assert _errors({"pathway": "public_online", "crime_type": "other", "occurred_from": future})
    errors = _errors(
        {
            "pathway": "public_online",
            "crime_type": "other",
            "occurred_from": "2024-03-05",
            "occurred_to": "2024-03-01",
        }
    )
    assert "end date" in errors[0][1]
    with pytest.raises(ValidationError, match="real date in the past"):
        SealedDetails(date_of_birth=date(1850, 1, 1))


def test_errors_never_echo_what_was_typed() -> None:
    secret = "Overstayed visa since 2019"
    with pytest.raises(ValidationError) as caught:
        REPORT_CREATE.validate_python(
            {
                "pathway": "anonymous",
                "crime_type": "other",
                "passphrase": "correct horse battery staple",
                "details": {"immigration_status": secret, "name": "Maria Example"},
            }
        )
    assert secret not in str(caught.value)
    assert "Maria Example" not in str(caught.value)


def test_consent_agency_rules() -> None:
    assert ConsentGrant(purpose="share_with_agency", agency_name="Refuge").agency_name == "Refuge"
    with pytest.raises(ValidationError, match="Name the agency"):
        ConsentGrant(purpose="share_with_agency")
    with pytest.raises(ValidationError, match="Only consent to share"):
        ConsentGrant(purpose="victim_support", agency_name="Refuge")
    errors = _errors(
        {
            "pathway": "public_online",
            "crime_type": "other",
            "consents": [{"purpose": "victim_support"}, {"purpose": "victim_support"}],
        }
    )
    assert errors[0][0] == ("public_online", "consents")


def test_blank_answers_count_as_not_given() -> None:
    details = SealedDetails(name="  ", account="", date_of_birth=date(1990, 5, 17))
    assert details.given() == {"date_of_birth"}
    assert details.values()["date_of_birth"] == "1990-05-17"


def test_update_needs_something_and_cannot_erase() -> None:
    with pytest.raises(ValidationError, match="Enter an update"):
        UpdateCreate(text="  ")
    with pytest.raises(ValidationError, match="Use erasure"):
        UpdateCreate(new_status="erased")
    assert UpdateCreate(key_decision="arrest").key_decision == "arrest"


def test_anonymous_return_needs_something() -> None:
    with pytest.raises(ValidationError, match="Add information"):
        AnonymousReturn(reference="SS-AAAAA-AAAAA", passphrase="correct horse battery staple")
