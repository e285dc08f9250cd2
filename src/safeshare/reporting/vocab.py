"""The closed vocabularies of reporting: stored as their string values, shown via labels."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Pathway(StrEnum):
    """How a report reached the force (the four safe reporting pathways)."""

    public_online = "public_online"
    officer = "officer"
    third_party = "third_party"
    anonymous = "anonymous"


class CrimeType(StrEnum):
    """Broad crime types; the first three match the Firewall's `crime_types` values."""

    domestic_abuse = "domestic_abuse"
    sexual_offence = "sexual_offence"
    modern_slavery = "modern_slavery"
    violence = "violence"
    stalking_harassment = "stalking_harassment"
    hate_crime = "hate_crime"
    theft_fraud = "theft_fraud"
    criminal_damage = "criminal_damage"
    other = "other"


class CaseStatus(StrEnum):
    """Where the case stands; `erased` once the report's sealed details were crypto-shredded."""

    new = "new"
    under_investigation = "under_investigation"
    charged = "charged"
    no_further_action = "no_further_action"
    closed = "closed"
    erased = "erased"


class KeyDecision(StrEnum):
    """Key decisions the victim must be told about (Victims' Code Right 6)."""

    arrest = "arrest"
    charge = "charge"
    bail = "bail"
    released_under_investigation = "released_under_investigation"
    decision_not_to_investigate = "decision_not_to_investigate"
    no_further_action = "no_further_action"


# Coarse monitoring answers for statistics. Each may be declined ("prefer not to say"), and
# None means the question was not asked: the two are counted differently.
class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    declined = "declined"


class AgeBand(StrEnum):
    under_18 = "under_18"
    age_18_24 = "18_24"
    age_25_34 = "25_34"
    age_35_44 = "35_44"
    age_45_54 = "45_54"
    age_55_64 = "55_64"
    age_65_plus = "65_plus"
    declined = "declined"


class EthnicityGroup(StrEnum):
    """The five ONS high-level ethnic groups."""

    asian = "asian"
    black = "black"
    mixed = "mixed"
    white = "white"
    other = "other"
    declined = "declined"


class NationalityGroup(StrEnum):
    british = "british"
    irish = "irish"
    eu_eea_swiss = "eu_eea_swiss"
    rest_of_world = "rest_of_world"
    stateless = "stateless"
    declined = "declined"


class ImmigrationAbuse(StrEnum):
    """Whether the perpetrator used the victim's immigration status, or threats of deportation,
    to control them ('immigration abuse'): recognised so it can be counted (issue 19)."""

    yes = "yes"
    no = "no"
    not_sure = "not_sure"
    declined = "declined"


class SealedField(StrEnum):
    """Fields kept only as vault ciphertext. None is ever required."""

    name = "name"
    date_of_birth = "date_of_birth"
    address = "address"
    contact_details = "contact_details"
    safe_contact = "safe_contact"  # safe times and channels for police contact
    nationality = "nationality"
    immigration_status = "immigration_status"
    language_needs = "language_needs"  # language and interpreter needs
    account = "account"  # the free-text account of what happened


IDENTITY_FIELDS: frozenset[SealedField] = frozenset(
    {SealedField.name, SealedField.date_of_birth, SealedField.address, SealedField.contact_details}
)


class ConsentPurpose(StrEnum):
    victim_support = "victim_support"  # referral to a support organisation
    police_contact = "police_contact"  # whether and how police may contact them
    regularisation_support = "regularisation_support"
    immigration_advice = "immigration_advice"  # sharing with a regulated immigration adviser
    share_with_agency = "share_with_agency"  # with the named agency only


class SubjectFact(StrEnum):
    """Facts about the report's subject that the Firewall reads and staff may record."""

    role = "role"  # victim, witness or suspect; a report's subject is its victim until told
    crime_types = "crime_types"  # every crime type the case involves
    receiving_regularisation_support = "receiving_regularisation_support"
    suspicion = "suspicion"  # see `Suspicion`
    is_child = "is_child"  # under 18; without an entry, the monitoring age band decides


class SubjectRole(StrEnum):
    victim = "victim"
    witness = "witness"
    suspect = "suspect"


class Suspicion(StrEnum):
    """Whether the subject is suspected of an offence other than an immigration offence.

    An immigration offence (overstaying is one) is never recorded here, and a
    counter-allegation by the alleged perpetrator, recorded as such, does not count.
    """

    none = "none"
    suspected = "suspected"
    counter_allegation_only = "counter_allegation_only"


class FactSource(StrEnum):
    """Where a recorded fact came from (a closed list: free text invites sealed details)."""

    victim_account = "victim_account"
    officer_enquiry = "officer_enquiry"
    case_file = "case_file"
    support_organisation = "support_organisation"
    immigration_adviser = "immigration_adviser"
    other_agency = "other_agency"


class ConsentMethod(StrEnum):
    """How a consent or withdrawal was given."""

    public_online = "public_online"
    anonymous_online = "anonymous_online"
    anonymous_return = "anonymous_return"
    officer_in_person = "officer_in_person"
    officer_phone = "officer_phone"
    officer_written = "officer_written"
    third_party_advocate = "third_party_advocate"


class DeliveryMethod(StrEnum):
    """How information (such as the Right 3 written acknowledgement) reached the victim safely.

    A closed list on purpose: free text here invites addresses and phone numbers.
    """

    in_person = "in_person"
    phone_at_safe_time = "phone_at_safe_time"
    secure_email = "secure_email"
    letter_to_safe_address = "letter_to_safe_address"
    via_advocate = "via_advocate"
    online_on_screen = "online_on_screen"
    withheld_unsafe = "withheld_unsafe"  # sending it would have put the victim at risk


class RightStatus(StrEnum):
    pending = "pending"
    met = "met"
    not_applicable = "not_applicable"


class VictimsCodeRight(IntEnum):
    """The twelve rights of the Victims' Code (England and Wales, 2021)."""

    understand_and_be_understood = 1
    crime_recorded = 2
    information_when_reporting = 3
    referral_to_support = 4
    compensation_information = 5
    investigation_updates = 6
    victim_personal_statement = 7
    trial_information = 8
    outcome_and_appeals = 9
    expenses_and_property = 10
    offender_information = 11
    complaint = 12


RIGHT_TITLES: dict[VictimsCodeRight, str] = {
    VictimsCodeRight.understand_and_be_understood: "To be able to understand and to be understood",
    VictimsCodeRight.crime_recorded: "To have the crime recorded without unjustified delay",
    VictimsCodeRight.information_when_reporting: (
        "To be provided with information when reporting the crime, including a written "
        "acknowledgement"
    ),
    VictimsCodeRight.referral_to_support: "To be referred to services that support victims",
    VictimsCodeRight.compensation_information: "To be provided with information about compensation",
    VictimsCodeRight.investigation_updates: (
        "To be provided with information about the investigation and prosecution"
    ),
    VictimsCodeRight.victim_personal_statement: "To make a Victim Personal Statement",
    VictimsCodeRight.trial_information: "To be given information about the trial",
    VictimsCodeRight.outcome_and_appeals: "To be given information about the outcome and appeals",
    VictimsCodeRight.expenses_and_property: "To be paid expenses and have property returned",
    VictimsCodeRight.offender_information: "To be given information about the offender",
    VictimsCodeRight.complaint: "To make a complaint about your rights not being met",
}


class AccessReason(StrEnum):
    """Why someone not assigned to a report needs its sealed fields: a closed list, so the
    record says why without free text (which invites names and details)."""

    investigation_handover = "investigation_handover"
    safeguarding_risk = "safeguarding_risk"
    victim_contact_request = "victim_contact_request"
    court_or_cps_request = "court_or_cps_request"
    complaint_or_misconduct = "complaint_or_misconduct"
    data_subject_request = "data_subject_request"


class BreakGlassReason(StrEnum):
    """The only reasons for emergency access without approval."""

    immediate_risk_to_life = "immediate_risk_to_life"
    safeguarding_emergency = "safeguarding_emergency"
    missing_person = "missing_person"


class GrantStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    active = "active"  # break-glass: in force until it expires


class AlertKind(StrEnum):
    break_glass = "break_glass"
    unusual_volume = "unusual_volume"
    rate_limited = "rate_limited"
