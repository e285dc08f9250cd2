"""The lawful basis and condition a disclosure records: the statute's lists, and the
combinations that cannot be right refused with the field to fix."""

from __future__ import annotations

import pytest

from safeshare.errors import InvalidInputError
from safeshare.policy.lawful_basis import (
    BASIS_LABELS,
    CONDITION_LABELS,
    LawfulBasis,
    Legislation,
    ProcessingCondition,
    basis_label,
    condition_label,
    law_of_basis,
    law_of_condition,
    parse_basis,
)


def test_every_basis_and_condition_has_a_label_naming_its_law() -> None:
    assert set(BASIS_LABELS) == set(LawfulBasis)
    assert set(CONDITION_LABELS) == set(ProcessingCondition)
    for basis in LawfulBasis:
        law = "DPA 2018" if law_of_basis(basis) is Legislation.dpa_part3 else "UK GDPR"
        assert BASIS_LABELS[basis].startswith(law)
    for condition in ProcessingCondition:
        law = law_of_condition(condition)
        if law is not None:
            expected = "DPA 2018" if law is Legislation.dpa_part3 else "UK GDPR"
            assert CONDITION_LABELS[condition].startswith(expected)


def test_schedule_8_lists_all_nine_conditions() -> None:
    paragraphs = [c for c in ProcessingCondition if c.startswith("sch8_")]
    assert [int(c.split("_")[1]) for c in paragraphs] == list(range(1, 10))


@pytest.mark.parametrize(
    ("basis", "condition"),
    [
        ("dpa_s35_2_b_task", "sch8_4_safeguarding"),
        ("dpa_s35_2_a_consent", "dpa_s35_4_consent"),
        ("gdpr_art6_1_e_public_task", "gdpr_art9_2_g_substantial_public_interest"),
    ],
)
def test_health_is_sent_only_with_a_condition_of_the_same_law(basis: str, condition: str) -> None:
    assert parse_basis(basis, condition, categories=["identity", "health"]) == (
        LawfulBasis(basis),
        ProcessingCondition(condition),
    )
    with pytest.raises(InvalidInputError) as refused:
        parse_basis(basis, "not_sensitive", categories=["identity", "health"])
    assert refused.value.field == "processing_condition"


def test_not_sensitive_fits_either_law_when_nothing_sensitive_is_sent() -> None:
    for basis in LawfulBasis:
        assert parse_basis(basis, "not_sensitive", categories=["identity"])[1] is (
            ProcessingCondition.not_sensitive
        )


def test_unknown_or_missing_values_name_their_field() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_basis("art6_1_f", "not_sensitive", categories=["identity"])
    assert refused.value.field == "lawful_basis"
    with pytest.raises(InvalidInputError) as refused:
        parse_basis("dpa_s35_2_b_task", "schedule_8", categories=["identity"])
    assert refused.value.field == "processing_condition"


def test_labels_say_when_nothing_was_recorded() -> None:
    assert basis_label(None) == "Not recorded"
    assert condition_label(None) == "Not recorded"
    assert basis_label("dpa_s35_2_b_task").startswith("DPA 2018 s.35(2)(b)")
