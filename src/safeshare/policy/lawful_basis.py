"""The lawful basis and condition every disclosure records (DPA 2018 s.62 logging asks who
received data and why; the basis is what a force relies on when it shares).

Pure domain: the bases and conditions are the statute's own, listed once here. Which basis
fits a given share is for the force to decide; this module only refuses combinations that
cannot be right: a condition from the other regime, or no condition when the information
sent includes sensitive data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from safeshare.errors import InvalidInputError


class Legislation(StrEnum):
    """Which data protection law the processing falls under."""

    dpa_part3 = "dpa_part3"  # law enforcement processing by a competent authority
    uk_gdpr = "uk_gdpr"  # every other purpose


class LawfulBasis(StrEnum):
    """DPA 2018 s.35(2) for law enforcement processing; UK GDPR Art.6(1) otherwise."""

    dpa_s35_2_a_consent = "dpa_s35_2_a_consent"
    dpa_s35_2_b_task = "dpa_s35_2_b_task"
    gdpr_art6_1_a_consent = "gdpr_art6_1_a_consent"
    gdpr_art6_1_c_legal_obligation = "gdpr_art6_1_c_legal_obligation"
    gdpr_art6_1_d_vital_interests = "gdpr_art6_1_d_vital_interests"
    gdpr_art6_1_e_public_task = "gdpr_art6_1_e_public_task"


class ProcessingCondition(StrEnum):
    """The extra condition for sensitive processing: DPA 2018 s.35(4) consent or a
    Schedule 8 condition (s.35(5)); for UK GDPR, an Art.9(2) condition. `not_sensitive`
    when nothing sent is sensitive data."""

    not_sensitive = "not_sensitive"
    dpa_s35_4_consent = "dpa_s35_4_consent"
    sch8_1_statutory = "sch8_1_statutory"
    sch8_2_justice = "sch8_2_justice"
    sch8_3_vital_interests = "sch8_3_vital_interests"
    sch8_4_safeguarding = "sch8_4_safeguarding"
    sch8_5_public_domain = "sch8_5_public_domain"
    sch8_6_legal_claims = "sch8_6_legal_claims"
    sch8_7_judicial_acts = "sch8_7_judicial_acts"
    sch8_8_fraud = "sch8_8_fraud"
    sch8_9_archiving = "sch8_9_archiving"
    gdpr_art9_2_a_explicit_consent = "gdpr_art9_2_a_explicit_consent"
    gdpr_art9_2_b_employment = "gdpr_art9_2_b_employment"
    gdpr_art9_2_c_vital_interests = "gdpr_art9_2_c_vital_interests"
    gdpr_art9_2_f_legal_claims = "gdpr_art9_2_f_legal_claims"
    gdpr_art9_2_g_substantial_public_interest = "gdpr_art9_2_g_substantial_public_interest"
    gdpr_art9_2_h_health_social_care = "gdpr_art9_2_h_health_social_care"
    gdpr_art9_2_i_public_health = "gdpr_art9_2_i_public_health"


BASIS_LABELS: Mapping[LawfulBasis, str] = {
    LawfulBasis.dpa_s35_2_a_consent: "DPA 2018 s.35(2)(a): the person consented (law enforcement)",
    LawfulBasis.dpa_s35_2_b_task: (
        "DPA 2018 s.35(2)(b): necessary for a law enforcement task of a competent authority"
    ),
    LawfulBasis.gdpr_art6_1_a_consent: "UK GDPR Art.6(1)(a): consent",
    LawfulBasis.gdpr_art6_1_c_legal_obligation: "UK GDPR Art.6(1)(c): legal obligation",
    LawfulBasis.gdpr_art6_1_d_vital_interests: "UK GDPR Art.6(1)(d): vital interests",
    LawfulBasis.gdpr_art6_1_e_public_task: "UK GDPR Art.6(1)(e): public task",
}

CONDITION_LABELS: Mapping[ProcessingCondition, str] = {
    ProcessingCondition.not_sensitive: "Not sensitive processing: nothing sent is sensitive data",
    ProcessingCondition.dpa_s35_4_consent: "DPA 2018 s.35(4): the person consented",
    ProcessingCondition.sch8_1_statutory: "DPA 2018 Schedule 8 para 1: statutory purposes",
    ProcessingCondition.sch8_2_justice: "DPA 2018 Schedule 8 para 2: administration of justice",
    ProcessingCondition.sch8_3_vital_interests: (
        "DPA 2018 Schedule 8 para 3: protecting an individual's vital interests"
    ),
    ProcessingCondition.sch8_4_safeguarding: (
        "DPA 2018 Schedule 8 para 4: safeguarding of children and of individuals at risk"
    ),
    ProcessingCondition.sch8_5_public_domain: (
        "DPA 2018 Schedule 8 para 5: personal data already in the public domain"
    ),
    ProcessingCondition.sch8_6_legal_claims: "DPA 2018 Schedule 8 para 6: legal claims",
    ProcessingCondition.sch8_7_judicial_acts: "DPA 2018 Schedule 8 para 7: judicial acts",
    ProcessingCondition.sch8_8_fraud: "DPA 2018 Schedule 8 para 8: preventing fraud",
    ProcessingCondition.sch8_9_archiving: "DPA 2018 Schedule 8 para 9: archiving etc.",
    ProcessingCondition.gdpr_art9_2_a_explicit_consent: "UK GDPR Art.9(2)(a): explicit consent",
    ProcessingCondition.gdpr_art9_2_b_employment: (
        "UK GDPR Art.9(2)(b): employment, social security and social protection"
    ),
    ProcessingCondition.gdpr_art9_2_c_vital_interests: "UK GDPR Art.9(2)(c): vital interests",
    ProcessingCondition.gdpr_art9_2_f_legal_claims: "UK GDPR Art.9(2)(f): legal claims",
    ProcessingCondition.gdpr_art9_2_g_substantial_public_interest: (
        "UK GDPR Art.9(2)(g): substantial public interest (DPA 2018 Schedule 1 Part 2)"
    ),
    ProcessingCondition.gdpr_art9_2_h_health_social_care: (
        "UK GDPR Art.9(2)(h): health or social care"
    ),
    ProcessingCondition.gdpr_art9_2_i_public_health: "UK GDPR Art.9(2)(i): public health",
}

NOT_RECORDED = "Not recorded"

# Of the Firewall's categories only health is sensitive data under both DPA 2018 s.35(8) and
# UK GDPR Art.9(1). Nationality can reveal ethnic origin: the officer may still claim a
# condition for it, and the force's appropriate policy document should say when.
SENSITIVE_CATEGORIES = frozenset({"health"})


def law_of_basis(basis: LawfulBasis) -> Legislation:
    """The regime a lawful basis belongs to."""
    return Legislation.dpa_part3 if basis.startswith("dpa_") else Legislation.uk_gdpr


def law_of_condition(condition: ProcessingCondition) -> Legislation | None:
    """The regime a condition belongs to; None for `not_sensitive`, which fits either."""
    if condition is ProcessingCondition.not_sensitive:
        return None
    return Legislation.uk_gdpr if condition.startswith("gdpr_") else Legislation.dpa_part3


def basis_label(value: str | None) -> str:
    """A recorded basis in words ("Not recorded" for disclosures from before it was kept,
    and for oversight's `not_recorded` row)."""
    try:
        return BASIS_LABELS[LawfulBasis(value or "")]
    except ValueError:
        return NOT_RECORDED


def condition_label(value: str | None) -> str:
    """A recorded condition in words ("Not recorded" for older disclosures)."""
    try:
        return CONDITION_LABELS[ProcessingCondition(value or "")]
    except ValueError:
        return NOT_RECORDED


def parse_basis(
    basis: LawfulBasis | str | None,
    condition: ProcessingCondition | str | None,
    *,
    categories: Iterable[str],
) -> tuple[LawfulBasis, ProcessingCondition]:
    """The basis and condition for sending `categories`, or `InvalidInputError` naming the
    field: both are required, they must come from the same regime, and sensitive data needs
    a real condition."""
    try:
        parsed_basis = LawfulBasis(basis or "")
    except ValueError:
        raise InvalidInputError(
            "Select the lawful basis for the disclosure", field="lawful_basis"
        ) from None
    try:
        parsed_condition = ProcessingCondition(condition or "")
    except ValueError:
        raise InvalidInputError(
            "Select the condition for the disclosure, or that it is not sensitive processing",
            field="processing_condition",
        ) from None
    law = law_of_condition(parsed_condition)
    if law is not None and law is not law_of_basis(parsed_basis):
        raise InvalidInputError(
            "The condition must come from the same law as the lawful basis: DPA 2018 Part 3 "
            "conditions go with s.35, UK GDPR Art.9 conditions with Art.6",
            field="processing_condition",
        )
    sensitive = sorted(SENSITIVE_CATEGORIES.intersection(categories))
    if sensitive and law is None:
        raise InvalidInputError(
            "Health information is sensitive data: select the condition that allows sending it",
            field="processing_condition",
        )
    return parsed_basis, parsed_condition
