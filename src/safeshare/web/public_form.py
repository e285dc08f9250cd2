"""The questions of the public report form: their wording, order, checks and the report.

Pure: no requests or sessions. Wording is marked with `N_` and translated where shown
(`safeshare.web.i18n`); the pages are in `safeshare.web.routes.public_report`. Length limits
are read from the reporting schemas so the form can never accept what the service refuses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from annotated_types import MaxLen
from babel.dates import format_date
from markupsafe import Markup, escape
from pydantic import BaseModel, SecretStr, ValidationError

from safeshare.reporting.drafts import Answers
from safeshare.reporting.schemas import (
    ACCOUNT_MAX_CHARS,
    PASSPHRASE_MAX_CHARS,
    AnonymousReportCreate,
    AnonymousReturn,
    ConsentGrant,
    PublicReportCreate,
    SealedDetails,
)
from safeshare.reporting.vocabulary import (
    AgeBand,
    ConsentPurpose,
    CrimeType,
    Disability,
    EthnicityGroup,
    ImmigrationStatusCategory,
    NationalityGroup,
    PreferredLanguage,
    Religion,
    Sex,
    SexualOrientation,
    SubjectRole,
)
from safeshare.web.i18n import DATE_LOCALES, N_, Translator

YES, NO = "yes", "no"


def _max_chars(model: type[BaseModel], field: str) -> int:
    """A field's maximum length as the reporting schema declares it (one source of truth)."""
    for item in model.model_fields[field].metadata:
        if isinstance(item, MaxLen):
            return int(item.max_length)
    raise LookupError(f"{model.__name__}.{field} has no maximum length")


def _area_max() -> int:
    return _max_chars(PublicReportCreate, "area")


# --- the questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str | None = None


@dataclass(frozen=True)
class Step:
    """One question page: what it asks, which draft keys it answers, how it is checked."""

    slug: str
    kind: Literal["radios", "input", "textarea", "when", "contact"]
    title: str
    keys: tuple[str, ...]
    summary: str
    hint: str | None = None
    options: tuple[Option, ...] = ()
    required: str | None = None  # message when nothing is given; None means optional
    max_chars: int = 0
    too_long: str | None = None
    # Wording for someone reporting as a witness, where it differs.
    witness_title: str | None = None
    witness_hint: str | None = None

    def title_for(self, answers: Mapping[str, Any]) -> str:
        is_witness = answers.get(ROLE.field) == SubjectRole.witness
        return self.witness_title if is_witness and self.witness_title else self.title

    def hint_for(self, answers: Mapping[str, Any]) -> str | None:
        is_witness = answers.get(ROLE.field) == SubjectRole.witness
        return self.witness_hint if is_witness and self.witness_hint else self.hint

    @property
    def field(self) -> str:
        return self.keys[0]

    @property
    def path(self) -> str:
        return f"/report/{self.slug}"


YES_NO = (Option(YES, N_("Yes")), Option(NO, N_("No")))
DECLINED = N_("Prefer not to say")

WHAT = Step(
    "what-happened",
    "radios",
    N_("What happened?"),
    ("crime_type",),
    N_("What happened"),
    hint=N_("Choose the one that fits best. You can tell us more later."),
    options=(
        Option(
            CrimeType.domestic_abuse,
            N_("Domestic abuse"),
            N_(
                "By a partner, ex-partner or family member, including control, threats and violence"
            ),
        ),
        Option(CrimeType.sexual_offence, N_("Sexual assault or rape")),
        Option(
            CrimeType.modern_slavery,
            N_("Forced to work, or brought here and exploited"),
            N_("This is also called modern slavery or trafficking"),
        ),
        Option(CrimeType.violence, N_("Physical violence or threats of violence")),
        Option(CrimeType.stalking_harassment, N_("Stalking or harassment")),
        Option(
            CrimeType.hate_crime,
            N_("Hate crime"),
            N_("Targeted because of race, religion, sexuality, disability or gender identity"),
        ),
        Option(CrimeType.theft_fraud, N_("Theft or fraud")),
        Option(CrimeType.criminal_damage, N_("Damage to property")),
        Option(CrimeType.other, N_("Something else")),
    ),
    required=N_("Select what happened"),
)
ROLE = Step(
    "victim-or-witness",
    "radios",
    N_("Did this happen to you?"),
    ("subject_role",),
    N_("Who it happened to"),
    hint=N_("Witnesses can report too, and are protected in the same way."),
    options=(
        Option(SubjectRole.victim, N_("Yes, it happened to me")),
        Option(
            SubjectRole.witness,
            N_("No, I saw or heard it happen to someone else"),
            N_("You are reporting as a witness"),
        ),
    ),
    required=N_("Select whether this happened to you"),
)
WHEN = Step(
    "when",
    "when",
    N_("When did it happen?"),
    ("occurred_from", "occurred_to"),
    N_("When it happened"),
    hint=N_("If you are not sure of the date, give your best guess or leave it blank."),
)
WHERE = Step(
    "where",
    "input",
    N_("Where did it happen?"),
    ("area",),
    N_("Where it happened"),
    hint=N_(
        "Give the town, city or area, for example Leeds or north Bristol. Do not give a street "
        "address. Leave this blank if you would rather not say."
    ),
    max_chars=_area_max(),
    too_long=N_("Where it happened must be %(count)s characters or fewer"),
)
ACCOUNT = Step(
    "your-account",
    "textarea",
    N_("Tell us what happened"),
    ("account",),
    N_("What happened, in your words"),
    hint=N_(
        "Use your own words. Include who did it, if you know. You do not need to tell us "
        "about your immigration status."
    ),
    required=N_("Enter what happened"),
    witness_title=N_("Tell us what you saw or heard"),
    witness_hint=N_(
        "Use your own words. Include who did it and who it happened to, if you know. You do "
        "not need to tell us about your immigration status."
    ),
    max_chars=ACCOUNT_MAX_CHARS,
    too_long=N_("What happened must be %(count)s characters or fewer"),
)
INTERPRETER = Step(
    "interpreter",
    "input",
    N_("Do you need an interpreter?"),
    ("language_needs",),
    N_("Interpreter"),
    hint=N_(
        "If you do, tell us which language you speak. Leave this blank if you do not need one."
    ),
    max_chars=_max_chars(SealedDetails, "language_needs"),
    too_long=N_("The language must be %(count)s characters or fewer"),
)
IDENTITY = Step(
    "your-details",
    "radios",
    N_("Do you want to give your name and contact details?"),
    ("identity",),
    N_("Name and contact details"),
    hint=N_(
        "You can report without telling us who you are. If you do not give your details, "
        "the police cannot contact you, but you can come back to your report later with a "
        "reference and a passphrase."
    ),
    options=(
        Option(YES, N_("Yes, I want to give my name and contact details")),
        Option(NO, N_("No, I want to report anonymously")),
    ),
    required=N_("Select yes if you want to give your name and contact details"),
)
CONTACT = Step(
    "contact",
    "contact",
    N_("Your name and how to contact you"),
    ("name", "contact_details", "safe_contact"),
    N_("Your name and how to contact you"),
)
SUPPORT = Step(
    "support",
    "radios",
    N_("Do you want us to refer you to a support organisation?"),
    ("consent_victim_support",),
    N_("Referral to a support organisation"),
    hint=N_(
        "Support organisations are independent of the police. They can help you stay safe and "
        "find advice, including about housing, money and immigration. Some are run by and for "
        "people from your community. Their help is free and confidential."
    ),
    options=YES_NO,
    required=N_("Select yes if you want us to refer you to a support organisation"),
)
POLICE = Step(
    "police-contact",
    "radios",
    N_("Can the police contact you about your report?"),
    ("consent_police_contact",),
    N_("The police can contact you"),
    hint=N_("They will only use the contact details and the safe times you gave us."),
    options=YES_NO,
    required=N_("Select yes if the police can contact you"),
)
MONITORING = Step(
    "about-you",
    "radios",
    N_("Do you want to answer some questions about yourself?"),
    ("monitoring",),
    N_("Questions about you"),
    hint=N_(
        "There are 9 short questions about your sex, age, ethnic group, nationality, "
        "disability, religion, sexual orientation, language and immigration status. They are "
        "optional. The answers are used only to check that the police treat everyone fairly. "
        "They are not used to check your immigration status."
    ),
    options=(
        Option(YES, N_("Yes, answer the questions")),
        Option(NO, N_("No, skip these questions")),
    ),
    required=N_("Select yes if you want to answer questions about yourself"),
)
SEX = Step(
    "sex",
    "radios",
    N_("What is your sex?"),
    ("sex",),
    N_("Sex"),
    options=(
        Option(Sex.female, N_("Female")),
        Option(Sex.male, N_("Male")),
        Option(Sex.other, N_("I describe myself another way")),
        Option(Sex.declined, DECLINED),
    ),
    required=N_("Select your sex, or select prefer not to say"),
)
AGE = Step(
    "age",
    "radios",
    N_("How old are you?"),
    ("age_band",),
    N_("Age"),
    options=(
        Option(AgeBand.under_18, N_("Under 18")),
        Option(AgeBand.age_18_24, N_("18 to 24")),
        Option(AgeBand.age_25_34, N_("25 to 34")),
        Option(AgeBand.age_35_44, N_("35 to 44")),
        Option(AgeBand.age_45_54, N_("45 to 54")),
        Option(AgeBand.age_55_64, N_("55 to 64")),
        Option(AgeBand.age_65_plus, N_("65 or over")),
        Option(AgeBand.declined, DECLINED),
    ),
    required=N_("Select your age group, or select prefer not to say"),
)
ETHNICITY = Step(
    "ethnic-group",
    "radios",
    N_("What is your ethnic group?"),
    ("ethnicity_group",),
    N_("Ethnic group"),
    options=(
        Option(EthnicityGroup.asian, N_("Asian or Asian British")),
        Option(EthnicityGroup.black, N_("Black, Black British, Caribbean or African")),
        Option(EthnicityGroup.mixed, N_("Mixed or multiple ethnic groups")),
        Option(EthnicityGroup.white, N_("White")),
        Option(EthnicityGroup.other, N_("Another ethnic group")),
        Option(EthnicityGroup.declined, DECLINED),
    ),
    required=N_("Select your ethnic group, or select prefer not to say"),
)
NATIONALITY = Step(
    "nationality",
    "radios",
    N_("What is your nationality?"),
    ("nationality_group",),
    N_("Nationality"),
    hint=N_("This is used only for statistics. It is not used to check your immigration status."),
    options=(
        Option(NationalityGroup.british, N_("British")),
        Option(NationalityGroup.irish, N_("Irish")),
        Option(NationalityGroup.eu_eea_swiss, N_("A country in the EU or the EEA, or Switzerland")),
        Option(NationalityGroup.rest_of_world, N_("Another country")),
        Option(NationalityGroup.stateless, N_("I do not have a nationality (stateless)")),
        Option(NationalityGroup.declined, DECLINED),
    ),
    required=N_("Select your nationality, or select prefer not to say"),
)
# The further monitoring questions of issue 19, as staff forms ask them.
DISABILITY = Step(
    "disability",
    "radios",
    N_("Do you have a disability?"),
    ("disability",),
    N_("Disability"),
    hint=N_(
        "A disability is a physical or mental condition that has a substantial and long-term "
        "effect on your day-to-day life."
    ),
    options=(*YES_NO, Option(Disability.declined, DECLINED)),
    required=N_("Select yes if you have a disability, or select prefer not to say"),
)
RELIGION = Step(
    "religion",
    "radios",
    N_("What is your religion?"),
    ("religion",),
    N_("Religion"),
    options=(
        Option(Religion.none, N_("No religion")),
        Option(Religion.christian, N_("Christian")),
        Option(Religion.buddhist, N_("Buddhist")),
        Option(Religion.hindu, N_("Hindu")),
        Option(Religion.jewish, N_("Jewish")),
        Option(Religion.muslim, N_("Muslim")),
        Option(Religion.sikh, N_("Sikh")),
        Option(Religion.other, N_("Another religion")),
        Option(Religion.declined, DECLINED),
    ),
    required=N_("Select your religion, or select prefer not to say"),
)
SEXUAL_ORIENTATION = Step(
    "sexual-orientation",
    "radios",
    N_("Which of these best describes your sexual orientation?"),
    ("sexual_orientation",),
    N_("Sexual orientation"),
    options=(
        Option(SexualOrientation.heterosexual, N_("Straight or heterosexual")),
        Option(SexualOrientation.gay_or_lesbian, N_("Gay or lesbian")),
        Option(SexualOrientation.bisexual, N_("Bisexual")),
        Option(SexualOrientation.other, N_("I describe myself another way")),
        Option(SexualOrientation.declined, DECLINED),
    ),
    required=N_("Select your sexual orientation, or select prefer not to say"),
)
PREFERRED_LANGUAGE = Step(
    "language",
    "radios",
    N_("Which language would you prefer to use with the police?"),
    ("preferred_language",),
    N_("Preferred language"),
    options=(
        Option(PreferredLanguage.english, N_("English")),
        Option(PreferredLanguage.welsh, N_("Welsh")),
        Option(PreferredLanguage.arabic, N_("Arabic")),
        Option(PreferredLanguage.polish, N_("Polish")),
        Option(PreferredLanguage.romanian, N_("Romanian")),
        Option(PreferredLanguage.portuguese, N_("Portuguese")),
        Option(PreferredLanguage.spanish, N_("Spanish")),
        Option(PreferredLanguage.other, N_("Another language")),
        Option(PreferredLanguage.declined, DECLINED),
    ),
    required=N_("Select the language you prefer, or select prefer not to say"),
)
IMMIGRATION_STATUS = Step(
    "immigration-status",
    "radios",
    N_("What is your immigration status?"),
    ("immigration_status_category",),
    N_("Immigration status"),
    hint=NATIONALITY.hint,
    options=(
        Option(ImmigrationStatusCategory.british_or_settled, N_("British, Irish or settled")),
        Option(ImmigrationStatusCategory.eu_settlement_scheme, N_("EU Settlement Scheme")),
        Option(
            ImmigrationStatusCategory.visa_holder,
            N_("A visa, for example to work, study, join family or visit"),
        ),
        Option(ImmigrationStatusCategory.asylum_seeker_or_refugee, N_("Asylum seeker or refugee")),
        Option(ImmigrationStatusCategory.no_leave, N_("No current permission to be in the UK")),
        Option(ImmigrationStatusCategory.not_known, N_("I do not know")),
        Option(ImmigrationStatusCategory.declined, DECLINED),
    ),
    required=N_("Select your immigration status, or select prefer not to say"),
)

STEPS: dict[str, Step] = {
    s.slug: s
    for s in (
        WHAT,
        ROLE,
        WHEN,
        WHERE,
        ACCOUNT,
        INTERPRETER,
        IDENTITY,
        CONTACT,
        SUPPORT,
        POLICE,
        MONITORING,
        SEX,
        AGE,
        ETHNICITY,
        NATIONALITY,
        DISABILITY,
        RELIGION,
        SEXUAL_ORIENTATION,
        PREFERRED_LANGUAGE,
        IMMIGRATION_STATUS,
    )
}
IDENTITY_STEPS = (CONTACT, SUPPORT, POLICE)
MONITORING_STEPS = (
    SEX,
    AGE,
    ETHNICITY,
    NATIONALITY,
    DISABILITY,
    RELIGION,
    SEXUAL_ORIENTATION,
    PREFERRED_LANGUAGE,
    IMMIGRATION_STATUS,
)

# Field messages, translated when shown.
UNREADABLE = N_("Your answer could not be read. Try again.")
DATE_MESSAGES = {
    "occurred_from": {
        "incomplete": N_("The date it happened must include a day, month and year"),
        "invalid": N_("The date it happened must be a real date"),
        "future": N_("The date it happened must be today or in the past"),
    },
    "occurred_to": {
        "incomplete": N_("The date it last happened must include a day, month and year"),
        "invalid": N_("The date it last happened must be a real date"),
        "future": N_("The date it last happened must be today or in the past"),
    },
}
DATE_ORDER = N_("The date it last happened must be the same as or after the date it first happened")
DATE_START_MISSING = N_("Enter the date it first happened, or leave both dates blank")
CONTACT_MISSING = N_("Enter your name or how we can contact you")
# Agreeing to be contacted is only safe with a way to reach her and a time that is safe.
CONTACT_METHOD_NEEDED = N_(
    "Enter a safe way for the police to contact you, or do not agree to be contacted"
)
SAFE_TIME_NEEDED = N_("Enter when it is safe to contact you, or do not agree to be contacted")
POLICE_CONTACT_NEEDS_DETAILS = N_(
    "To agree to be contacted, go back and give a safe way to contact you and a safe time, "
    "or select no"
)
TOO_LONG = {
    "name": N_("Your name must be %(count)s characters or fewer"),
    "contact_details": N_("Contact details must be %(count)s characters or fewer"),
    "safe_contact": N_("Safe times and ways to contact you must be %(count)s characters or fewer"),
    "information": N_("What you want to add must be %(count)s characters or fewer"),
    "reference": N_("The reference must be %(count)s characters or fewer"),
}
PASSPHRASE_MISSING = N_("Enter a passphrase")
PASSPHRASE_SHORT = N_("Your passphrase must be at least %(count)s characters")
PASSPHRASE_LONG = N_("Your passphrase must be %(count)s characters or fewer")
CONFIRM_MISSING = N_("Type your passphrase again")
CONFIRM_DIFFERENT = N_("The passphrases do not match")
REFERENCE_MISSING = N_("Enter your reference")
RETURN_PASSPHRASE_MISSING = N_("Enter your passphrase")
RETURN_NOTHING = N_("Add information, contact details or a consent")
RETURN_FAILED = N_(
    "The reference or passphrase is not right. Check them and try again. After several "
    "wrong tries you must wait %(minutes)s minutes."
)
ANSWERS_INVALID = N_("Some of your answers need to be changed. Check them and try again.")
ERROR_ANCHORS = {"occurred_from": "occurred_from-day", "occurred_to": "occurred_to-day"}


def flow(answers: Answers) -> list[Step]:
    """The questions this reporter is asked, in order, given their answers so far."""
    steps = [WHAT, ROLE, WHEN, WHERE, ACCOUNT, INTERPRETER, IDENTITY]
    if answers.get(IDENTITY.field) == YES:
        steps += IDENTITY_STEPS
    steps.append(MONITORING)
    if answers.get(MONITORING.field) == YES:
        steps += MONITORING_STEPS
    return steps


def is_answered(step: Step, answers: Answers) -> bool:
    return all(key in answers for key in step.keys)


def first_unanswered(answers: Answers) -> Step | None:
    return next((s for s in flow(answers) if not is_answered(s, answers)), None)


def prune(answers: Answers) -> Answers:
    """Drop answers to questions no longer asked: nothing sensitive is kept without need."""
    dropped: list[Step] = []
    if answers.get(IDENTITY.field) == NO:
        dropped += IDENTITY_STEPS
    if answers.get(MONITORING.field) == NO:
        dropped += MONITORING_STEPS
    gone = {key for step in dropped for key in step.keys}
    return {k: v for k, v in answers.items() if k not in gone}


# --- parsing answers -------------------------------------------------------------------------


def clean_text(value: Any, *, multiline: bool) -> str | None:
    """Typed text with control characters removed and edges trimmed; None if malformed."""
    if not isinstance(value, str):
        return None
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    # Control characters and lone surrogates: never meaningful, and some databases refuse them.
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()


def today_in(timezone: str) -> date:
    """Today's date where the force is (what "in the future" means for a date typed)."""
    return datetime.now(ZoneInfo(timezone)).date()


def parse_date(values: dict[str, Any], field: str, today: date) -> tuple[str, str | None]:
    """(ISO date or "", error kind) from the day, month and year boxes of `field`."""
    parts = [values.get(f"{field}-{part}", "") for part in ("day", "month", "year")]
    if not all(isinstance(p, str) for p in parts):
        return "", "invalid"
    day, month, year = (str(p).strip() for p in parts)
    if not (day or month or year):
        return "", None
    if not (day and month and year):
        return "", "incomplete"
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return "", "invalid"
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        return "", "invalid"
    if when.year < 1900:
        return "", "invalid"
    if when > today:
        return "", "future"
    return when.isoformat(), None


def parse_step(
    step: Step, values: dict[str, Any], _: Translator, today: date
) -> tuple[Answers, dict[str, str]]:
    """The answers a step's form gives, or messages (translated) for what is wrong."""
    answers: Answers = {}
    errors: dict[str, str] = {}
    if step.kind == "radios":
        chosen = values.get(step.field)
        if not isinstance(chosen, str) or chosen not in {o.value for o in step.options}:
            errors[step.field] = _(step.required or UNREADABLE)
        else:
            answers[step.field] = chosen
    elif step.kind in ("input", "textarea"):
        text = clean_text(values.get(step.field, ""), multiline=step.kind == "textarea")
        if text is None:
            errors[step.field] = _(UNREADABLE)
        elif len(text) > step.max_chars:
            errors[step.field] = _(step.too_long or UNREADABLE, count=_.number(step.max_chars))
        elif step.required and not text:
            errors[step.field] = _(step.required)
        else:
            answers[step.field] = text
    elif step.kind == "when":
        for field in step.keys:
            iso, problem = parse_date(values, field, today)
            if problem:
                errors[field] = _(DATE_MESSAGES[field][problem])
            answers[field] = iso
        start, end = answers["occurred_from"], answers["occurred_to"]
        if not errors and end and not start:
            errors["occurred_from"] = _(DATE_START_MISSING)
        elif not errors and end and end < start:  # ISO dates compare as dates
            errors["occurred_to"] = _(DATE_ORDER)
    else:  # contact
        for field in step.keys:
            text = clean_text(values.get(field, ""), multiline=field == "safe_contact")
            limit = _max_chars(SealedDetails, field)
            if text is None:
                errors[field] = _(UNREADABLE)
            elif len(text) > limit:
                errors[field] = _(TOO_LONG[field], count=_.number(limit))
            else:
                answers[field] = text
        if not errors and not (answers["name"] or answers["contact_details"]):
            errors["name"] = _(CONTACT_MISSING)
    return (answers, errors) if not errors else ({}, errors)


def consent_errors(step: Step, answers: Answers, _: Translator) -> dict[str, str]:
    """Errors that need answers from other steps: agreeing to police contact needs a safe way
    to make contact and a safe time, both given on the contact step."""
    if step is not POLICE or answers.get(POLICE.field) != YES:
        return {}
    if answers.get("contact_details") and answers.get("safe_contact"):
        return {}
    return {POLICE.field: _(POLICE_CONTACT_NEEDS_DETAILS)}


def form_from_answers(step: Step, answers: Answers) -> dict[str, str]:
    """A step's form values from its saved answers, to show when someone comes back to it."""
    if step.kind != "when":
        return {k: answers.get(k, "") for k in step.keys}
    values: dict[str, str] = {}
    for field in step.keys:
        iso = answers.get(field, "")
        if iso:
            when = date.fromisoformat(iso)
            values |= {
                f"{field}-day": str(when.day),
                f"{field}-month": str(when.month),
                f"{field}-year": str(when.year),
            }
    return values


# --- building the report ---------------------------------------------------------------------


def build_payload(
    answers: Answers, passphrase: str | None = None
) -> PublicReportCreate | AnonymousReportCreate:
    """The reporting service's input from a complete draft (anonymous needs `passphrase`)."""

    def given(key: str) -> str | None:
        return answers.get(key) or None

    identified = answers.get(IDENTITY.field) == YES
    details = {"account": given("account"), "language_needs": given("language_needs")}
    consents: list[ConsentGrant] = []
    if identified:
        details |= {key: given(key) for key in CONTACT.keys}
        for step, purpose in (
            (SUPPORT, ConsentPurpose.victim_support),
            (POLICE, ConsentPurpose.police_contact),
        ):
            if answers.get(step.field) == YES:
                consents.append(ConsentGrant(purpose=purpose))
    monitoring = (
        {s.field: answers.get(s.field) for s in MONITORING_STEPS}
        if answers.get(MONITORING.field) == YES
        else {}
    )
    common: dict[str, Any] = {
        "crime_type": answers[WHAT.field],
        "occurred_from": given("occurred_from"),
        "occurred_to": given("occurred_to"),
        "area": given("area"),
        "monitoring": monitoring,
        "details": details,
        "consents": consents,
        "subject_role": answers.get(ROLE.field) or SubjectRole.victim,
    }
    if identified:
        return PublicReportCreate.model_validate(common)
    return AnonymousReportCreate.model_validate(
        {**common, "passphrase": SecretStr(passphrase or "")}
    )


def _label(step: Step, value: str | None) -> str | None:
    return next((o.label for o in step.options if o.value == value), None)


def _multiline(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


def summary_rows(answers: Answers, _: Translator) -> list[dict[str, Any]]:
    """The rows of "Check your answers", each with a Change link back to its question."""
    not_given = _("Not given")

    def shown(step: Step, key: str) -> dict[str, Any]:
        value = answers.get(key, "")
        if step.options:
            label = _label(step, value)
            return {"text": _(label) if label else not_given}
        if step.kind == "textarea" and value:
            return {"html": _multiline(value)}
        if key == "language_needs" and not value:
            return {"text": _("Not needed")}
        return {"text": value or not_given}

    def when() -> dict[str, Any]:
        locale = DATE_LOCALES[_.lang]
        start, end = (answers.get(k, "") for k in WHEN.keys)
        if not start:
            return {"text": not_given}
        first = format_date(date.fromisoformat(start), "long", locale=locale)
        if not end or end == start:
            return {"text": first}
        last = format_date(date.fromisoformat(end), "long", locale=locale)
        return {"text": _("%(start)s to %(end)s", start=first, end=last)}

    labels = {"name": N_("Name"), "contact_details": N_("How to contact you")}
    labels["safe_contact"] = N_("Safe times and ways to contact you")
    rows = []
    for step in flow(answers):
        for key in step.keys if step.kind == "contact" else step.keys[:1]:
            label = _(labels[key]) if step.kind == "contact" else _(step.summary)
            rows.append(
                {
                    "key": {"text": label},
                    "value": when() if step is WHEN else shown(step, key),
                    "actions": {
                        "items": [
                            {
                                "href": f"{step.path}?change=1",
                                "text": _("Change"),
                                "visuallyHiddenText": label,
                            }
                        ]
                    },
                }
            )
    return rows


def passphrase_errors(values: dict[str, Any], min_chars: int, _: Translator) -> dict[str, str]:
    chosen, again = values.get("passphrase", ""), values.get("confirm_passphrase", "")
    if not isinstance(chosen, str) or not isinstance(again, str):
        return {"passphrase": _(UNREADABLE)}
    length = len(" ".join(chosen.split()))  # as the service compares it, spaces collapsed
    if not length:
        return {"passphrase": _(PASSPHRASE_MISSING)}
    if length < min_chars:
        return {"passphrase": _(PASSPHRASE_SHORT, count=min_chars)}
    if len(chosen) > PASSPHRASE_MAX_CHARS:
        return {"passphrase": _(PASSPHRASE_LONG, count=PASSPHRASE_MAX_CHARS)}
    if not again:
        return {"confirm_passphrase": _(CONFIRM_MISSING)}
    if " ".join(again.split()) != " ".join(chosen.split()):
        return {"confirm_passphrase": _(CONFIRM_DIFFERENT)}
    return {}


def parse_return(
    values: dict[str, Any], _: Translator
) -> tuple[AnonymousReturn | None, dict[str, str]]:
    """The return visit's input, or translated messages for what is wrong."""
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    limits = {
        "reference": _max_chars(AnonymousReturn, "reference"),
        "information": _max_chars(AnonymousReturn, "information"),
        "contact_details": _max_chars(AnonymousReturn, "contact_details"),
        "safe_contact": _max_chars(AnonymousReturn, "safe_contact"),
    }
    for field, limit in limits.items():
        text = clean_text(values.get(field, ""), multiline=field in ("information", "safe_contact"))
        if text is None:
            errors[field] = _(UNREADABLE)
        elif len(text) > limit:
            errors[field] = _(TOO_LONG[field], count=_.number(limit))
        else:
            texts[field] = text
    passphrase = values.get("passphrase", "")
    if not texts.get("reference") and "reference" not in errors:
        errors["reference"] = _(REFERENCE_MISSING)
    if not isinstance(passphrase, str) or not passphrase.strip():
        errors["passphrase"] = _(RETURN_PASSPHRASE_MISSING)
    elif len(passphrase) > PASSPHRASE_MAX_CHARS:
        errors["passphrase"] = _(PASSPHRASE_LONG, count=PASSPHRASE_MAX_CHARS)
    raw = values.get("consents", [])
    chosen = [raw] if isinstance(raw, str) else raw
    purposes = {ConsentPurpose.victim_support.value, ConsentPurpose.police_contact.value}
    if not isinstance(chosen, list) or not set(chosen) <= purposes:
        errors["consents"] = _(UNREADABLE)
        chosen = []
    if not errors and ConsentPurpose.police_contact.value in chosen:
        if not texts["contact_details"]:
            errors["contact_details"] = _(CONTACT_METHOD_NEEDED)
        if not texts["safe_contact"]:
            errors["safe_contact"] = _(SAFE_TIME_NEEDED)
    if errors:
        return None, errors
    if not (texts["information"] or texts["contact_details"] or texts["safe_contact"] or chosen):
        return None, {"information": _(RETURN_NOTHING)}
    try:
        return (
            AnonymousReturn(
                reference=texts["reference"],
                passphrase=SecretStr(str(passphrase)),
                information=texts["information"] or None,
                contact_details=texts["contact_details"] or None,
                safe_contact=texts["safe_contact"] or None,
                consents=[ConsentGrant(purpose=ConsentPurpose(p)) for p in sorted(set(chosen))],
            ),
            {},
        )
    except ValidationError:
        return None, {"information": _(UNREADABLE)}
