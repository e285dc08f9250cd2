"""Staff reporting forms as posted, their GOV.UK error messages, and the labels pages show.

Not a route module (no router): every module of the package may import it. Each
parser takes the raw form values and returns the service's input model or field errors;
the routes re-render what was typed with those errors. Messages name fields, never what
was typed: that may be sealed information.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from safeshare.auth.roles import Role
from safeshare.reporting.access import REASON_MAX_CHARS, REASON_MIN_CHARS
from safeshare.reporting.schemas import (
    ConsentGrant,
    OfficerReportCreate,
    ReportQuery,
    ThirdPartyReportCreate,
    UpdateCreate,
)
from safeshare.reporting.vocabulary import (
    ACCESS_REASON_LABELS as ACCESS_REASON_LABELS,
)
from safeshare.reporting.vocabulary import (
    AGE_BAND_LABELS as AGE_BAND_LABELS,
)
from safeshare.reporting.vocabulary import (
    ALERT_KIND_LABELS as ALERT_KIND_LABELS,
)
from safeshare.reporting.vocabulary import (
    BREAK_GLASS_REASON_LABELS as BREAK_GLASS_REASON_LABELS,
)
from safeshare.reporting.vocabulary import (
    CONSENT_METHOD_LABELS as CONSENT_METHOD_LABELS,
)
from safeshare.reporting.vocabulary import (
    CONSENT_PURPOSE_LABELS as CONSENT_PURPOSE_LABELS,
)
from safeshare.reporting.vocabulary import (
    CRIME_TYPE_LABELS as CRIME_TYPE_LABELS,
)
from safeshare.reporting.vocabulary import (
    DECLINED as DECLINED,
)
from safeshare.reporting.vocabulary import (
    DELIVERY_LABELS as DELIVERY_LABELS,
)
from safeshare.reporting.vocabulary import (
    DISABILITY_LABELS,
    IDENTITY_FIELDS,
    IMMIGRATION_STATUS_CATEGORY_LABELS,
    PREFERRED_LANGUAGE_LABELS,
    RELIGION_LABELS,
    SEXUAL_ORIENTATION_LABELS,
    ConsentMethod,
    ConsentPurpose,
    DeliveryMethod,
    KeyDecision,
    SealedField,
)
from safeshare.reporting.vocabulary import (
    ETHNICITY_LABELS as ETHNICITY_LABELS,
)
from safeshare.reporting.vocabulary import (
    IMMIGRATION_ABUSE_LABELS as IMMIGRATION_ABUSE_LABELS,
)
from safeshare.reporting.vocabulary import (
    KEY_DECISION_LABELS as KEY_DECISION_LABELS,
)
from safeshare.reporting.vocabulary import (
    NATIONALITY_GROUP_LABELS as NATIONALITY_GROUP_LABELS,
)
from safeshare.reporting.vocabulary import (
    PATHWAY_LABELS as PATHWAY_LABELS,
)
from safeshare.reporting.vocabulary import (
    REASON_CODE_LABELS as REASON_CODE_LABELS,
)
from safeshare.reporting.vocabulary import (
    RIGHT_STATUS_LABELS as RIGHT_STATUS_LABELS,
)
from safeshare.reporting.vocabulary import (
    SEALED_FIELD_LABELS as SEALED_FIELD_LABELS,
)
from safeshare.reporting.vocabulary import (
    SEX_LABELS as SEX_LABELS,
)
from safeshare.reporting.vocabulary import (
    STAFF_CONSENT_METHODS as STAFF_CONSENT_METHODS,
)
from safeshare.reporting.vocabulary import (
    STATUS_LABELS as STATUS_LABELS,
)
from safeshare.reporting.vocabulary import (
    STATUS_TAGS as STATUS_TAGS,
)
from safeshare.reporting.vocabulary import (
    UPDATE_KIND_LABELS as UPDATE_KIND_LABELS,
)
from safeshare.web.forms import Problems as Problems

MONITORING_FIELDS: dict[str, tuple[str, Mapping[Any, str]]] = {
    "sex": ("Sex", SEX_LABELS),
    "age_band": ("Age", AGE_BAND_LABELS),
    "ethnicity_group": ("Ethnic group", ETHNICITY_LABELS),
    "nationality_group": ("Nationality group", NATIONALITY_GROUP_LABELS),
    "disability": ("Disability", DISABILITY_LABELS),
    "religion": ("Religion", RELIGION_LABELS),
    "sexual_orientation": ("Sexual orientation", SEXUAL_ORIENTATION_LABELS),
    "preferred_language": ("Preferred language", PREFERRED_LANGUAGE_LABELS),
    "immigration_status_category": (
        "Immigration status category",
        IMMIGRATION_STATUS_CATEGORY_LABELS,
    ),
}
# Asked for statistics only, never shown on a case page (the sealed answers they summarise
# are not shown without a grant).
STATISTICS_ONLY_FIELDS = frozenset({"nationality_group", "immigration_status_category"})


def trigger_label(trigger: str | None) -> str:
    """What started a right's clock, in words ('consent:victim_support' -> 'Consent to...')."""
    if not trigger:
        return ""
    kind, _, value = trigger.partition(":")
    if kind == "key_decision" and value in set(KeyDecision):
        return f"Key decision: {KEY_DECISION_LABELS[KeyDecision(value)].lower()}"
    if kind == "consent" and value in set(ConsentPurpose):
        return f"Consent: {CONSENT_PURPOSE_LABELS[ConsentPurpose(value)].lower()}"
    return trigger


def options(
    labels: Mapping[Any, str], *, blank: str | None = None, only: Iterable[Any] | None = None
) -> list[dict[str, str]]:
    """GOV.UK radio, checkbox or select items from a label map (optionally a blank first)."""
    keys = list(only) if only is not None else list(labels)
    items = [{"value": str(k), "text": labels[k]} for k in keys]
    return ([{"value": "", "text": blank}] if blank is not None else []) + items


# --- errors ------------------------------------------------------------------------------


def one(values: Mapping[str, Any], name: str) -> str:
    """A single posted value, stripped ('' if absent; the first if repeated)."""
    value = values.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "").strip()


def many(values: Mapping[str, Any], name: str) -> list[str]:
    """Every non-blank value of a repeated field (checkboxes)."""
    value = values.get(name, [])
    items = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in items if str(item).strip()]


def _sentence(text: str) -> str:
    text = text.removeprefix("Value error, ").strip().rstrip(".")
    return text[:1].upper() + text[1:]


def add_validation_errors(
    problems: Problems,
    exc: ValidationError,
    *,
    messages: Mapping[str, str],
    locate: Mapping[tuple[str, ...], str] | None = None,
    default: str,
    anchors: Mapping[str, str] | None = None,
) -> None:
    """Map pydantic errors onto form fields: the last named part of each location is the
    field (`details.name` -> `name`) unless `locate` says otherwise. A validator's own
    message is kept; type and size failures use `messages` for the field."""
    for error in exc.errors(include_url=False, include_input=False):
        names = tuple(str(part) for part in error["loc"] if isinstance(part, str))
        name = (locate or {}).get(names) or (names[-1] if names else default)
        cause = error.get("ctx", {}).get("error")
        # A whole-form check's own words always; a field's only without a message of ours.
        own = isinstance(cause, ValueError) and (not names or name not in messages)
        text = _sentence(str(cause)) if own else messages.get(name, _sentence(error["msg"]))
        problems.add(name, text, anchor=(anchors or {}).get(name))


# --- dates -------------------------------------------------------------------------------

DATE_PARTS = ("day", "month", "year")


def date_parts(values: Mapping[str, Any], name: str) -> dict[str, str]:
    """The day, month and year typed into a GOV.UK date input called `name`."""
    return {part: one(values, f"{name}-{part}") for part in DATE_PARTS}


def parse_date(values: Mapping[str, Any], name: str, label: str, problems: Problems) -> date | None:
    """A GOV.UK date input's date, None if left blank, or an error on the first bad part."""
    parts = date_parts(values, name)
    if not any(parts.values()):
        return None
    missing = [part for part in DATE_PARTS if not parts[part]]
    if missing:
        problems.add(
            name, f"{label} must include a {' and '.join(missing)}", anchor=f"{name}-{missing[0]}"
        )
        return None
    try:
        if not all(parts[p].isdigit() for p in DATE_PARTS) or len(parts["year"]) != 4:
            raise ValueError
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        problems.add(name, f"{label} must be a real date", anchor=f"{name}-day")
        return None


# --- taking a report ---------------------------------------------------------------------

REPORT_FIELD_ORDER = (
    "with_identity",
    "crime_type",
    "occurred_from",
    "occurred_to",
    "area",
    "is_vulnerable_or_intimidated",
    "immigration_abuse",
    "subject_role",
    *[f.value for f in SealedField],
    *MONITORING_FIELDS,
    "consents",
    "agency_name",
    "consent_method",
)
REPORT_MESSAGES = {
    "subject_role": "Select whether the person reporting is the victim or a witness",
    "crime_type": "Select the type of crime",
    "immigration_abuse": "Select an answer about immigration abuse from the list",
    "area": "Area must be 100 characters or fewer",
    "name": "Name must be 200 characters or fewer",
    "address": "Address must be 500 characters or fewer",
    "contact_details": "Contact details must be 500 characters or fewer",
    "safe_contact": "Safe times and ways to make contact must be 500 characters or fewer",
    "nationality": "Nationality must be 100 characters or fewer",
    "immigration_status": "Immigration status must be 200 characters or fewer",
    "language_needs": "Language and interpreter needs must be 300 characters or fewer",
    "account": "What happened must be 10,000 characters or fewer",
    "sex": "Select an answer about sex from the list",
    "age_band": "Select an age group from the list",
    "ethnicity_group": "Select an ethnic group from the list",
    "nationality_group": "Select a nationality group from the list",
    "disability": "Select an answer about disability from the list",
    "religion": "Select a religion from the list",
    "sexual_orientation": "Select a sexual orientation from the list",
    "preferred_language": "Select a preferred language from the list",
    "immigration_status_category": "Select an immigration status category from the list",
    "consents": "Select consents from the list",
    "agency_name": "Agency name must be 200 characters or fewer",
    "consent_method": "Select how the person gave their consent",
    "with_identity": "Select yes if the report includes who the victim is",
    "occurred_from": "The date the crime happened must be today or in the past",
    "occurred_to": "The date the crime ended must be today or in the past",
}
REPORT_ANCHORS = {
    "occurred_from": "occurred_from-day",
    "occurred_to": "occurred_to-day",
    "date_of_birth": "date_of_birth-day",
}
SEALED_TEXT_FIELDS = tuple(f for f in SealedField if f is not SealedField.date_of_birth)


def report_form_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the report form shows again after an error: exactly what was typed."""
    shown: dict[str, Any] = {name: one(values, name) for name in REPORT_FIELD_ORDER}
    shown["consents"] = many(values, "consents")
    for name in ("occurred_from", "occurred_to", "date_of_birth"):
        shown[name] = date_parts(values, name)
    return shown


def parse_report_form(
    values: Mapping[str, Any], *, role: Role | None
) -> tuple[OfficerReportCreate | ThirdPartyReportCreate | None, Problems]:
    """The officer's (or, for an advocate, the third-party) report, or its field errors."""
    problems = Problems()
    is_advocate = role is Role.advocate
    with_identity = one(values, "with_identity")
    if is_advocate and with_identity not in ("yes", "no"):
        problems.add("with_identity", REPORT_MESSAGES["with_identity"])
    occurred_from = parse_date(values, "occurred_from", "The date the crime happened", problems)
    occurred_to = parse_date(values, "occurred_to", "The date the crime ended", problems)
    if occurred_from and occurred_to and occurred_to < occurred_from:
        problems.add(
            "occurred_to",
            "The date the crime ended must be the same as or after the date it happened",
            anchor="occurred_to-day",
        )
    date_of_birth = parse_date(values, "date_of_birth", "Date of birth", problems)
    details: dict[str, Any] = {f.value: one(values, f.value) for f in SEALED_TEXT_FIELDS}
    details["date_of_birth"] = date_of_birth
    if is_advocate and with_identity == "no":
        for name in sorted(f.value for f in IDENTITY_FIELDS):
            if details.get(name):
                problems.add(
                    name,
                    "Leave this out, or select yes to include who the victim is",
                    anchor=REPORT_ANCHORS.get(name),
                )
                details[name] = None  # reported here, not again by the model
    purposes = many(values, "consents")
    agency_name = one(values, "agency_name")
    if ConsentPurpose.share_with_agency.value in purposes and not agency_name:
        problems.add("agency_name", "Enter the name of the agency they agreed to share with")
    payload: dict[str, Any] = {
        "crime_type": one(values, "crime_type") or None,
        "occurred_from": occurred_from,
        "occurred_to": occurred_to,
        "area": one(values, "area"),
        "is_vulnerable_or_intimidated": one(values, "is_vulnerable_or_intimidated") == "yes",
        "immigration_abuse": one(values, "immigration_abuse") or None,
        "subject_role": one(values, "subject_role") or "victim",
        "details": details,
        "monitoring": {name: one(values, name) or None for name in MONITORING_FIELDS},
        "consents": [
            {
                "purpose": purpose,
                "agency_name": agency_name
                if purpose == ConsentPurpose.share_with_agency.value
                else None,
            }
            for purpose in dict.fromkeys(purposes)
            # Sharing without a named agency is already an error on `agency_name`.
            if purpose != ConsentPurpose.share_with_agency.value or agency_name
        ],
    }
    model: type[OfficerReportCreate] | type[ThirdPartyReportCreate]
    if is_advocate:
        model = ThirdPartyReportCreate
        payload["with_identity"] = with_identity == "yes"
    else:
        model = OfficerReportCreate
        payload["consent_method"] = one(values, "consent_method") or None
        if payload["consent_method"] is None and purposes:
            problems.add("consent_method", REPORT_MESSAGES["consent_method"])
        elif payload["consent_method"] is None:
            del payload["consent_method"]
    try:
        report = model.model_validate(payload)
    except ValidationError as exc:
        add_validation_errors(
            problems,
            exc,
            messages=REPORT_MESSAGES,
            locate={("consents", "agency_name"): "agency_name"},
            default="crime_type",
            anchors=REPORT_ANCHORS,
        )
        return None, problems
    return (None, problems) if problems else (report, problems)


# --- the reports list --------------------------------------------------------------------

QUERY_FIELDS = ("reference", "crime_type", "pathway", "status", "include_erased")
QUERY_MESSAGES = {
    "reference": "Reference must be 30 characters or fewer",
    "crime_type": "Select a type of crime from the list",
    "pathway": "Select a way of reporting from the list",
    "status": "Select a status from the list",
}


def parse_report_query(
    values: Mapping[str, Any], *, page_size: int
) -> tuple[ReportQuery, Problems]:
    """The list's filters; on an error, the unfiltered first page and the errors."""
    problems = Problems()
    reported_from = parse_date(values, "reported_from", "The 'reported from' date", problems)
    reported_to = parse_date(values, "reported_to", "The 'reported to' date", problems)
    if reported_from and reported_to and reported_to < reported_from:
        problems.add(
            "reported_to",
            "The 'reported to' date must be the same as or after the 'reported from' date",
            anchor="reported_to-day",
        )
    page = one(values, "page")
    # A page number out of range is not the searcher's mistake to fix: show the first page.
    number = int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1
    raw = {name: one(values, name) or None for name in QUERY_FIELDS}
    try:
        query = ReportQuery.model_validate(
            {
                **raw,
                "include_erased": raw["include_erased"] == "yes",
                "reported_from": reported_from,
                "reported_to": reported_to,
                "page": number,
                "page_size": page_size,
            }
        )
    except ValidationError as exc:
        add_validation_errors(problems, exc, messages=QUERY_MESSAGES, default="reference")
        return ReportQuery(page_size=page_size), problems
    return (ReportQuery(page_size=page_size), problems) if problems else (query, problems)


# --- updates, consents, rights, reveals, erasure ------------------------------------------

UPDATE_MESSAGES = {
    "text": "The update must be 10,000 characters or fewer",
    "key_decision": "Select a key decision from the list",
    "new_status": "Select a status from the list",
}


def parse_update_form(values: Mapping[str, Any]) -> tuple[UpdateCreate | None, Problems]:
    """An officer's update: text (sealed), a key decision and a new status, any of them."""
    problems = Problems()
    try:
        update = UpdateCreate.model_validate(
            {
                "text": one(values, "text"),
                "key_decision": one(values, "key_decision") or None,
                "new_status": one(values, "new_status") or None,
                "is_for_victim": one(values, "is_for_victim") == "yes",
            }
        )
    except ValidationError as exc:
        add_validation_errors(problems, exc, messages=UPDATE_MESSAGES, default="text")
        return None, problems
    return update, problems


class ConsentForm(BaseModel):
    """A consent as recorded by staff or an advocate, and how it was given."""

    grant: ConsentGrant
    method: ConsentMethod


def parse_consent_form(
    values: Mapping[str, Any], *, role: Role | None
) -> tuple[ConsentForm | None, Problems]:
    """Which consent, the agency for sharing, and how it was given (advocates: through them)."""
    problems = Problems()
    purpose = one(values, "purpose")
    agency_name = one(values, "agency_name")
    if purpose not in set(ConsentPurpose):
        problems.add("purpose", "Select what the person consented to")
    elif purpose == ConsentPurpose.share_with_agency and not agency_name:
        problems.add("agency_name", "Enter the name of the agency they agreed to share with")
    method = _method(values, role, problems)
    if problems:
        return None, problems
    try:
        grant = ConsentGrant.model_validate(
            {
                "purpose": purpose,
                "agency_name": agency_name if purpose == ConsentPurpose.share_with_agency else None,
            }
        )
    except ValidationError as exc:
        add_validation_errors(
            problems,
            exc,
            messages={"agency_name": "Agency name must be 200 characters or fewer"},
            default="agency_name",
        )
        return None, problems
    assert method is not None
    return ConsentForm(grant=grant, method=method), problems


def _method(
    values: Mapping[str, Any], role: Role | None, problems: Problems
) -> ConsentMethod | None:
    if role is Role.advocate:
        return ConsentMethod.third_party_advocate
    method = one(values, "method")
    if method not in {m.value for m in STAFF_CONSENT_METHODS}:
        problems.add("method", "Select how the person told you")
        return None
    return ConsentMethod(method)


def parse_withdraw_form(
    values: Mapping[str, Any], *, role: Role | None
) -> tuple[ConsentMethod | None, Problems]:
    """How the person withdrew their consent."""
    problems = Problems()
    return _method(values, role, problems), problems


def method_options(role: Role | None) -> list[dict[str, str]]:
    """How-given choices for staff; an advocate's are always "through their advocate"."""
    if role is Role.advocate:
        return []
    return options(CONSENT_METHOD_LABELS, only=STAFF_CONSENT_METHODS)


def parse_met_form(
    values: Mapping[str, Any], *, today: date
) -> tuple[date | None, DeliveryMethod | None, Problems]:
    """When a right was met (blank: today) and, optionally, how it was given safely."""
    problems = Problems()
    met_on = parse_date(values, "met_on", "The date it was met", problems)
    if met_on and met_on > today:
        problems.add(
            "met_on", "The date it was met must be today or in the past", anchor="met_on-day"
        )
    method = one(values, "delivery_method")
    if method and method not in set(DeliveryMethod):
        problems.add("delivery_method", "Select how the information was given from the list")
    return met_on, DeliveryMethod(method) if method in set(DeliveryMethod) else None, problems


def reason_problem(reason: str) -> str | None:
    """A message when a stated reason is too short or too long, else None."""
    size = len(" ".join(reason.split()))
    if size < REASON_MIN_CHARS:
        return "Enter the reason, in at least 5 characters"
    if size > REASON_MAX_CHARS:
        return f"The reason must be {REASON_MAX_CHARS} characters or fewer"
    return None


def parse_show_form(values: Mapping[str, Any]) -> tuple[list[SealedField], str, Problems]:
    """The sealed details chosen for showing, and why they are needed."""
    problems = Problems()
    chosen = many(values, "fields")
    fields = [SealedField(f) for f in dict.fromkeys(chosen) if f in set(SealedField)]
    if not fields or len(fields) != len(set(chosen)):
        problems.add("fields", "Select the details you need to see")
    reason = one(values, "reason")
    message = reason_problem(reason)
    if message:
        problems.add("reason", message)
    return fields, reason, problems


def parse_erase_form(values: Mapping[str, Any]) -> tuple[str, str, Problems]:
    """The reference to erase and why."""
    problems = Problems()
    reference = one(values, "reference")
    if not reference:
        problems.add("reference", "Enter the report reference")
    elif len(reference) > 30:
        problems.add("reference", "Reference must be 30 characters or fewer")
    reason = one(values, "reason")
    message = reason_problem(reason)
    if message:
        problems.add("reason", message)
    return reference, reason, problems
