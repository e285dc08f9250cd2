"""The request contract is strict: bad input is an error naming the field, never ignored."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import ValidationError

from safeshare.policy.regimes import REGIMES_DIR, get_regime
from safeshare.policy.schemas import (
    FIREWALL_CRIME_TYPES,
    Category,
    CategoryRuling,
    Decision,
    InvalidRequestError,
    firewall_crime_type,
    parse_share_request,
)
from safeshare.reporting.vocabulary import CrimeType
from tests.unit.policy.builders import request_data


def _with(path: str, value: Any) -> str:
    data = request_data()
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return json.dumps(data)


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("requester.team", "x", "requester.team"),  # unknown field
        ("subject.role", _DELETE, "subject.role"),  # missing field
        ("categories", _DELETE, "categories"),
        ("subject.suspected_of_offence", "false", "subject.suspected_of_offence"),  # no coercion
        ("subject.investigation_active", 1, "subject.investigation_active"),
        ("subject.crime_types", "domestic_abuse", "subject.crime_types"),
        ("subject.crime_types", ["violence"], "subject.crime_types.0"),  # a report's, unmapped
        ("pause_crime_types", ["hate_crime"], "pause_crime_types.0"),
        ("requester.agency", "home_office", "requester.agency"),  # bad enum
        ("categories", ["identity", "bank_details"], "categories.1"),
        ("categories", [], "categories"),
        ("categories", ["identity", "identity"], "categories"),
        ("subject.consents", [{"purpose": "victim_support"}], "subject.consents.0.withdrawn"),
        ("subject.consents", [{"purpose": "x", "withdrawn": False}], "subject.consents.0.purpose"),
    ],
)
def test_invalid_requests_name_the_bad_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_share_request(_with(path, value))
    assert caught.value.field == field


def test_bad_json_is_an_error_without_a_field() -> None:
    with pytest.raises(InvalidRequestError, match="not valid JSON") as caught:
        parse_share_request('{"requester": ')
    assert caught.value.field is None


def test_consents_default_to_none() -> None:
    request = parse_share_request(_with("subject.consents", _DELETE))
    assert request.subject.consents == []


def test_decision_round_trips_through_its_json() -> None:
    decision = get_regime("firewall").decide(parse_share_request(json.dumps(request_data())))
    assert Decision.model_validate_json(decision.model_dump_json()) == decision
    assert set(json.loads(decision.model_dump_json())) == {
        "regime",
        "policy_hash",
        "outcome",
        "disclose",
        "withhold",
        "reasons",
        "referral_required",
        "enforcement_pause_required",
    }


def test_a_ruling_needs_a_written_rationale() -> None:
    with pytest.raises(ValidationError):
        CategoryRuling(category=Category.identity, disclose=True, rationale="   ")


def test_the_firewall_tells_apart_the_crime_types_its_cedar_schema_lists() -> None:
    schema = (REGIMES_DIR / "schema.cedarschema").read_text()
    listed = re.search(r"entity CrimeType enum \[([^\]]*)\]", schema)
    assert listed is not None
    assert re.findall(r'"(\w+)"', listed.group(1)) == [c.value for c in FIREWALL_CRIME_TYPES]


def test_a_reports_other_crime_types_reach_the_firewall_as_other() -> None:
    assert {firewall_crime_type(c) for c in CrimeType} == set(FIREWALL_CRIME_TYPES)
    for crime in CrimeType:
        expected = crime if crime in FIREWALL_CRIME_TYPES else CrimeType.other
        assert firewall_crime_type(crime) is expected
