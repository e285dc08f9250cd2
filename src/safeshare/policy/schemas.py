"""The decision contract: request and decision JSON exactly as scripts and inspectors see them.

Strict on purpose: unknown fields, missing fields, wrong types and unknown enum values are
errors, because a silently ignored field in a sharing request could hide a safeguard.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from safeshare.errors import InvalidInputError
from safeshare.policy.lawful_basis import LawfulBasis, ProcessingCondition
from safeshare.reporting.vocabulary import CrimeType


class Agency(StrEnum):
    immigration_enforcement = "immigration_enforcement"
    police = "police"
    local_authority = "local_authority"
    health = "health"
    support_org = "support_org"
    immigration_adviser = "immigration_adviser"  # a regulated adviser acting for the person
    other = "other"


class Purpose(StrEnum):
    immigration_enforcement = "immigration_enforcement"
    criminal_investigation = "criminal_investigation"
    safeguarding = "safeguarding"
    victim_support = "victim_support"
    regularisation_support = "regularisation_support"
    immigration_advice = "immigration_advice"
    # A check police start themselves: asking immigration enforcement about someone's status.
    # The query itself discloses who the person is, so it is a share request too.
    status_check = "status_check"


class SubjectRole(StrEnum):
    victim = "victim"
    witness = "witness"
    suspect = "suspect"


# The crime types the Firewall tells apart, as the Cedar schema's `CrimeType` enum lists
# them: the three the regimes name, and `other` for every other crime type a report has.
FIREWALL_CRIME_TYPES: tuple[CrimeType, ...] = (
    CrimeType.domestic_abuse,
    CrimeType.sexual_offence,
    CrimeType.modern_slavery,
    CrimeType.other,
)


def firewall_crime_type(crime: CrimeType) -> CrimeType:
    """`crime` as the Firewall sees it: one of the three it names, otherwise `other`. The
    one place a report's crime type becomes a request's."""
    return crime if crime in FIREWALL_CRIME_TYPES else CrimeType.other


def _told_apart(crime: CrimeType) -> CrimeType:
    if crime not in FIREWALL_CRIME_TYPES:
        shown = ", ".join(f"'{c.value}'" for c in FIREWALL_CRIME_TYPES)
        raise ValueError(f"Input should be {shown} (any other crime is 'other')")
    return crime


# A crime type in a request: strict like every enum here, so a report's finer crime types
# (violence, hate crime...) are refused rather than guessed at; `firewall_crime_type` maps.
FirewallCrimeType = Annotated[
    CrimeType,
    AfterValidator(_told_apart),
    WithJsonSchema({"type": "string", "enum": [c.value for c in FIREWALL_CRIME_TYPES]}),
]


class Category(StrEnum):
    """Data categories, in the canonical order decisions list them."""

    identity = "identity"
    contact = "contact"
    address = "address"
    nationality = "nationality"
    immigration_status = "immigration_status"
    offence_details = "offence_details"
    health = "health"


CATEGORIES: tuple[Category, ...] = tuple(Category)


class Outcome(StrEnum):
    permit = "permit"
    deny = "deny"
    review = "review"


class ReasonEffect(StrEnum):
    """What a determining policy did: let data go, stop it, send it to review, or add a duty."""

    permit = "permit"
    forbid = "forbid"
    review = "review"
    referral = "referral"
    enforcement_pause = "enforcement_pause"


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Consent(_Contract):
    purpose: Purpose
    withdrawn: StrictBool


class Requester(_Contract):
    agency: Agency
    purpose: Purpose


# The field's name until the rename; `policy check` still accepts it, with a warning.
DEPRECATED_SUSPECT_FIELD = "suspected_of_offence"
SUSPECT_FIELD = "suspected_of_non_immigration_offence"


class Subject(_Contract):
    """The facts about the person a policy can see.

    `suspected_of_non_immigration_offence` excludes immigration offences (overstaying is one)
    and counter-allegations by the alleged perpetrator: neither removes a victim's protection.
    `is_child`: under 18; a child who witnessed domestic abuse is a victim (Domestic Abuse Act
    2021 s.3), see `engine.effective_role`.
    """

    role: SubjectRole
    crime_types: list[FirewallCrimeType] = Field(min_length=1)
    suspected_of_non_immigration_offence: StrictBool
    status_doubt_only: StrictBool
    investigation_active: StrictBool
    receiving_regularisation_support: StrictBool
    consents: list[Consent] = Field(default_factory=list)
    is_child: StrictBool = False

    @model_validator(mode="before")
    @classmethod
    def _old_suspect_name(cls, data: Any) -> Any:
        # Decisions recorded before the rename keep their stored JSON byte for byte (their
        # ledger entries hash it), so reading them back accepts the old name.
        if (
            isinstance(data, dict)
            and DEPRECATED_SUSPECT_FIELD in data
            and SUSPECT_FIELD not in data
        ):
            data = dict(data)
            data[SUSPECT_FIELD] = data.pop(DEPRECATED_SUSPECT_FIELD)
        return data


def _no_duplicate_categories(value: list[Category]) -> list[Category]:
    # A repeated category is almost certainly a client bug; say so rather than guess.
    if len(set(value)) != len(value):
        raise ValueError("each category may be asked for once")
    return value


class ShareRequest(_Contract):
    """One request to share a victim's, witness's or suspect's data, with every fact typed in.

    The free-standing form `policy check` and `policy simulate` decide (what-if tools). The
    API and web never accept it: they take a `RecordShareRequest` and read the facts from
    the report. `pause_crime_types` is the force's setting for which crimes the migrant
    victims protocol's enforcement pause covers (None: all); stored with each decision so
    replay is exact.
    """

    requester: Requester
    subject: Subject
    categories: list[Category] = Field(min_length=1, json_schema_extra={"uniqueItems": True})
    pause_crime_types: list[FirewallCrimeType] | None = None

    _unique = field_validator("categories")(_no_duplicate_categories)


REPORT_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,99}$"


class RecordShareRequest(_Contract):
    """A request to share, bound to a case record (`POST /api/v1/decisions`).

    The subject's facts are not typed in: they come from the report `report_ref` names. A
    null `report_ref` is a general enquiry, which can only be refused or sent to review.
    `status_doubt_only` is about the request, not the person: the requester's only concern
    is the person's immigration status (so the request is solely to establish it).
    """

    report_ref: Annotated[str, StringConstraints(pattern=REPORT_REF_PATTERN)] | None
    requester: Requester
    categories: list[Category] = Field(min_length=1, json_schema_extra={"uniqueItems": True})
    status_doubt_only: StrictBool

    _unique = field_validator("categories")(_no_duplicate_categories)


PolicyId = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class Reason(_Contract):
    id: PolicyId
    effect: ReasonEffect
    text: str


class Decision(_Contract):
    """What may be disclosed, what is withheld, and the policies that decided it."""

    regime: str
    policy_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    outcome: Outcome
    disclose: list[Category]
    withhold: list[Category]
    reasons: list[Reason]
    referral_required: StrictBool
    enforcement_pause_required: StrictBool


class CategoryRuling(_Contract):
    """A disclosure officer's decision on one category under review, with their reasons."""

    category: Category
    disclose: StrictBool
    rationale: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
    ]


class DisclosureMethod(StrEnum):
    """How information actually left the force."""

    secure_email = "secure_email"
    secure_system = "secure_system"
    post = "post"
    phone = "phone"
    in_person = "in_person"


def _unique_categories(value: list[Category]) -> list[Category]:
    if len(set(value)) != len(value):
        raise ValueError("each category may be named once")
    return value


class DisclosureCreate(_Contract):
    """What a disclosure officer sent under a decision (`POST .../disclosures`)."""

    categories: list[Category] = Field(min_length=1, json_schema_extra={"uniqueItems": True})
    sent_at: AwareDatetime
    method: DisclosureMethod
    # The organisation that received it (e.g. "Home Office Immigration Enforcement, Croydon").
    recipient_organisation: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    # DPA 2018 s.35(2) or UK GDPR Art.6(1), and the sensitive-processing condition (or
    # `not_sensitive`); `policy.lawful_basis` checks the pair fits what was sent.
    lawful_basis: LawfulBasis
    processing_condition: ProcessingCondition

    _unique = field_validator("categories")(_unique_categories)


class DisclosureRead(_Contract):
    """A recorded disclosure, as the API returns it. Stable: oversight links outcomes to `id`."""

    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    id: int
    decision_id: int
    agency: Agency
    purpose: Purpose
    categories: list[Category]
    method: DisclosureMethod
    sent_at: AwareDatetime
    regime: str
    policy_hash: str
    report_ref: str | None
    recipient_organisation: str | None  # None only before recipients were required
    onward_use_condition: str | None
    lawful_basis: LawfulBasis | None  # None only before the basis was required
    processing_condition: ProcessingCondition | None
    recorded_by: str
    recorded_at: AwareDatetime


class RegimeRead(_Contract):
    name: str
    title: str
    summary: str
    policy_hash: str
    policy_count: int
    is_active: bool


class RegimesRead(_Contract):
    """The regimes a force may run under, and which one is active."""

    active: str
    regimes: list[RegimeRead]


M = TypeVar("M", bound=BaseModel)


class InvalidRequestError(InvalidInputError):
    """A share request that breaks the contract; `field` is its dotted path, if any."""

    code = "invalid_request"


def field_path(loc: tuple[int | str, ...]) -> str | None:
    """`("subject", "consents", 0, "withdrawn")` -> `"subject.consents.0.withdrawn"`."""
    return ".".join(str(part) for part in loc) or None


def parse_share_request(text: str | bytes) -> ShareRequest:
    """Parse one JSON request, naming the first bad field (or bad JSON) in the error."""
    return _parse(ShareRequest, text)


def deprecated_fields(text: str | bytes) -> list[str]:
    """Dotted paths of deprecated field names in a request that already parsed."""
    subject = json.loads(text).get("subject")
    if isinstance(subject, dict) and DEPRECATED_SUSPECT_FIELD in subject:
        return [f"subject.{DEPRECATED_SUSPECT_FIELD}"]
    return []


def _parse(model: type[M], text: str | bytes) -> M:
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        if first["type"] == "json_invalid":
            raise InvalidRequestError(f"not valid JSON: {first['msg']}") from None
        raise InvalidRequestError(
            first["msg"], field=field_path(first["loc"]) or "request"
        ) from None
