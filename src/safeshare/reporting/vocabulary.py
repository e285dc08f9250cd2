"""The closed vocabularies of reporting: stored as their string values, shown via labels."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum


class Pathway(StrEnum):
    """How a report reached the force (the four safe reporting pathways)."""

    public_online = "public_online"
    officer = "officer"
    third_party = "third_party"
    anonymous = "anonymous"


class CrimeType(StrEnum):
    """Broad crime types: the one list, for reports and sharing requests alike. The Firewall
    tells apart the first three and sees every other as `other` (`policy.schemas`:
    `FIREWALL_CRIME_TYPES`, `firewall_crime_type`)."""

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


# Asked on staff forms and the public form (issue 19), each optional and declinable. Counted
# in statistics, never shown on a case page.
class Disability(StrEnum):
    """Whether the victim has a disability (Equality Act 2010 definition), as they say."""

    yes = "yes"
    no = "no"
    declined = "declined"


class Religion(StrEnum):
    """The census religion groups."""

    none = "none"
    christian = "christian"
    buddhist = "buddhist"
    hindu = "hindu"
    jewish = "jewish"
    muslim = "muslim"
    sikh = "sikh"
    other = "other"
    declined = "declined"


class SexualOrientation(StrEnum):
    heterosexual = "heterosexual"
    gay_or_lesbian = "gay_or_lesbian"
    bisexual = "bisexual"
    other = "other"
    declined = "declined"


class PreferredLanguage(StrEnum):
    """The language the victim prefers, in the groups the service has translations for."""

    english = "english"
    welsh = "welsh"
    arabic = "arabic"
    polish = "polish"
    romanian = "romanian"
    portuguese = "portuguese"
    spanish = "spanish"
    other = "other"
    declined = "declined"


class ImmigrationStatusCategory(StrEnum):
    """A coarse category of immigration status, for statistics only: the status itself is
    sealed, and the category is never shown against a person."""

    british_or_settled = "british_or_settled"
    eu_settlement_scheme = "eu_settlement_scheme"
    visa_holder = "visa_holder"
    asylum_seeker_or_refugee = "asylum_seeker_or_refugee"
    no_leave = "no_leave"
    not_known = "not_known"
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


# --- labels: what pages show for each member (tests/unit/test_vocabulary.py) ---

CRIME_TYPE_LABELS: Mapping[CrimeType, str] = {
    CrimeType.domestic_abuse: "Domestic abuse",
    CrimeType.sexual_offence: "Sexual offence",
    CrimeType.modern_slavery: "Modern slavery or trafficking",
    CrimeType.violence: "Violence",
    CrimeType.stalking_harassment: "Stalking or harassment",
    CrimeType.hate_crime: "Hate crime",
    CrimeType.theft_fraud: "Theft or fraud",
    CrimeType.criminal_damage: "Criminal damage",
    CrimeType.other: "Something else",
}
PATHWAY_LABELS: Mapping[Pathway, str] = {
    Pathway.public_online: "Online form",
    Pathway.officer: "Taken by an officer",
    Pathway.third_party: "Third-party report by a support organisation",
    Pathway.anonymous: "Anonymous",
}
STATUS_LABELS: Mapping[CaseStatus, str] = {
    CaseStatus.new: "New",
    CaseStatus.under_investigation: "Under investigation",
    CaseStatus.charged: "Charged",
    CaseStatus.no_further_action: "No further action",
    CaseStatus.closed: "Closed",
    CaseStatus.erased: "Erased",
}
STATUS_TAGS: Mapping[CaseStatus, str] = {
    CaseStatus.new: "govuk-tag--blue",
    CaseStatus.under_investigation: "govuk-tag--yellow",
    CaseStatus.charged: "govuk-tag--purple",
    CaseStatus.no_further_action: "govuk-tag--grey",
    CaseStatus.closed: "govuk-tag--grey",
    CaseStatus.erased: "govuk-tag--red",
}
KEY_DECISION_LABELS: Mapping[KeyDecision, str] = {
    KeyDecision.arrest: "Arrest",
    KeyDecision.charge: "Charge",
    KeyDecision.bail: "Bail",
    KeyDecision.released_under_investigation: "Released under investigation",
    KeyDecision.decision_not_to_investigate: "Decision not to investigate",
    KeyDecision.no_further_action: "No further action",
}
SEALED_FIELD_LABELS: Mapping[SealedField, str] = {
    SealedField.name: "Name",
    SealedField.date_of_birth: "Date of birth",
    SealedField.address: "Address",
    SealedField.contact_details: "Contact details",
    SealedField.safe_contact: "Safe times and ways to make contact",
    SealedField.nationality: "Nationality",
    SealedField.immigration_status: "Immigration status",
    SealedField.language_needs: "Language and interpreter needs",
    SealedField.account: "What happened, in their words",
}
CONSENT_PURPOSE_LABELS: Mapping[ConsentPurpose, str] = {
    ConsentPurpose.victim_support: "Referral to a support organisation",
    ConsentPurpose.police_contact: "Contact from the police",
    ConsentPurpose.regularisation_support: "Support to regularise their immigration status",
    ConsentPurpose.immigration_advice: "Sharing with a regulated immigration adviser for advice",
    ConsentPurpose.share_with_agency: "Sharing information with a named agency",
}
CONSENT_METHOD_LABELS: Mapping[ConsentMethod, str] = {
    ConsentMethod.public_online: "Online form",
    ConsentMethod.anonymous_online: "Anonymous online report",
    ConsentMethod.anonymous_return: "Anonymous return visit",
    ConsentMethod.officer_in_person: "In person, to an officer",
    ConsentMethod.officer_phone: "By phone, to an officer",
    ConsentMethod.officer_written: "In writing",
    ConsentMethod.third_party_advocate: "Through their advocate",
}
STAFF_CONSENT_METHODS = (
    ConsentMethod.officer_in_person,
    ConsentMethod.officer_phone,
    ConsentMethod.officer_written,
)
DELIVERY_LABELS: Mapping[DeliveryMethod, str] = {
    DeliveryMethod.in_person: "In person",
    DeliveryMethod.phone_at_safe_time: "By phone, at a safe time",
    DeliveryMethod.secure_email: "By secure email",
    DeliveryMethod.letter_to_safe_address: "By letter to a safe address",
    DeliveryMethod.via_advocate: "Through their advocate",
    DeliveryMethod.online_on_screen: "On screen, after reporting online",
    DeliveryMethod.withheld_unsafe: "Not sent, because sending it would have put them at risk",
}
RIGHT_STATUS_LABELS: Mapping[RightStatus, str] = {
    RightStatus.pending: "Pending",
    RightStatus.met: "Met",
    RightStatus.not_applicable: "Not applicable",
}
UPDATE_KIND_LABELS = {
    "officer_update": "Officer update",
    "victim_information": "Information from the victim",
    "victim_update": "Update for the victim",
}
ACCESS_REASON_LABELS: Mapping[AccessReason, str] = {
    AccessReason.investigation_handover: "I am taking over or helping with the investigation",
    AccessReason.safeguarding_risk: "There is a safeguarding concern",
    AccessReason.victim_contact_request: "The victim asked to be contacted",
    AccessReason.court_or_cps_request: "The court or the Crown Prosecution Service asked",
    AccessReason.complaint_or_misconduct: "A complaint or misconduct investigation",
    AccessReason.data_subject_request: "The victim asked for their own information",
}
BREAK_GLASS_REASON_LABELS: Mapping[BreakGlassReason, str] = {
    BreakGlassReason.immediate_risk_to_life: "Someone's life is at immediate risk",
    BreakGlassReason.safeguarding_emergency: "A safeguarding emergency",
    BreakGlassReason.missing_person: "The victim is missing",
}
REASON_CODE_LABELS: dict[str, str] = {
    **{k.value: v for k, v in ACCESS_REASON_LABELS.items()},
    **{k.value: v for k, v in BREAK_GLASS_REASON_LABELS.items()},
}
ALERT_KIND_LABELS: Mapping[AlertKind, str] = {
    AlertKind.break_glass: "Emergency access",
    AlertKind.unusual_volume: "Unusual number of sealed reads",
    AlertKind.rate_limited: "Sealed reads refused (limit reached)",
}
DECLINED = "Prefer not to say"
SEX_LABELS: Mapping[Sex, str] = {
    Sex.female: "Female",
    Sex.male: "Male",
    Sex.other: "Other",
    Sex.declined: DECLINED,
}
AGE_BAND_LABELS: Mapping[AgeBand, str] = {
    AgeBand.under_18: "Under 18",
    AgeBand.age_18_24: "18 to 24",
    AgeBand.age_25_34: "25 to 34",
    AgeBand.age_35_44: "35 to 44",
    AgeBand.age_45_54: "45 to 54",
    AgeBand.age_55_64: "55 to 64",
    AgeBand.age_65_plus: "65 or over",
    AgeBand.declined: DECLINED,
}
ETHNICITY_LABELS: Mapping[EthnicityGroup, str] = {
    EthnicityGroup.asian: "Asian or Asian British",
    EthnicityGroup.black: "Black, Black British, Caribbean or African",
    EthnicityGroup.mixed: "Mixed or multiple ethnic groups",
    EthnicityGroup.white: "White",
    EthnicityGroup.other: "Other ethnic group",
    EthnicityGroup.declined: DECLINED,
}
NATIONALITY_GROUP_LABELS: Mapping[NationalityGroup, str] = {
    NationalityGroup.british: "British",
    NationalityGroup.irish: "Irish",
    NationalityGroup.eu_eea_swiss: "EU, EEA or Swiss",
    NationalityGroup.rest_of_world: "Rest of the world",
    NationalityGroup.stateless: "Stateless",
    NationalityGroup.declined: DECLINED,
}
DISABILITY_LABELS: Mapping[Disability, str] = {
    Disability.yes: "Yes",
    Disability.no: "No",
    Disability.declined: DECLINED,
}
RELIGION_LABELS: Mapping[Religion, str] = {
    Religion.none: "No religion",
    Religion.christian: "Christian",
    Religion.buddhist: "Buddhist",
    Religion.hindu: "Hindu",
    Religion.jewish: "Jewish",
    Religion.muslim: "Muslim",
    Religion.sikh: "Sikh",
    Religion.other: "Any other religion",
    Religion.declined: DECLINED,
}
SEXUAL_ORIENTATION_LABELS: Mapping[SexualOrientation, str] = {
    SexualOrientation.heterosexual: "Straight or heterosexual",
    SexualOrientation.gay_or_lesbian: "Gay or lesbian",
    SexualOrientation.bisexual: "Bisexual",
    SexualOrientation.other: "Other sexual orientation",
    SexualOrientation.declined: DECLINED,
}
PREFERRED_LANGUAGE_LABELS: Mapping[PreferredLanguage, str] = {
    PreferredLanguage.english: "English",
    PreferredLanguage.welsh: "Welsh",
    PreferredLanguage.arabic: "Arabic",
    PreferredLanguage.polish: "Polish",
    PreferredLanguage.romanian: "Romanian",
    PreferredLanguage.portuguese: "Portuguese",
    PreferredLanguage.spanish: "Spanish",
    PreferredLanguage.other: "Another language",
    PreferredLanguage.declined: DECLINED,
}
IMMIGRATION_STATUS_CATEGORY_LABELS: Mapping[ImmigrationStatusCategory, str] = {
    ImmigrationStatusCategory.british_or_settled: "British, Irish or settled",
    ImmigrationStatusCategory.eu_settlement_scheme: "EU Settlement Scheme (pre-settled)",
    ImmigrationStatusCategory.visa_holder: "Visa holder (work, study, family or visitor)",
    ImmigrationStatusCategory.asylum_seeker_or_refugee: "Asylum seeker or refugee",
    ImmigrationStatusCategory.no_leave: "No current leave",
    ImmigrationStatusCategory.not_known: "Not known",
    ImmigrationStatusCategory.declined: DECLINED,
}
IMMIGRATION_ABUSE_LABELS: Mapping[ImmigrationAbuse, str] = {
    ImmigrationAbuse.yes: "Yes",
    ImmigrationAbuse.no: "No",
    ImmigrationAbuse.not_sure: "Not sure",
    ImmigrationAbuse.declined: "They preferred not to say",
}
