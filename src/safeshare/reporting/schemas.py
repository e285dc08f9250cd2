"""Input and output shapes for reporting. Inputs validate with field-level messages and sizes.

Output models carry unsealed fields only: anything sealed is reached through the audited
`reveal_*` services, never through these.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from safeshare.reporting.vocabulary import (
    IDENTITY_FIELDS,
    RIGHT_TITLES,
    AgeBand,
    CaseStatus,
    ConsentMethod,
    ConsentPurpose,
    CrimeType,
    DeliveryMethod,
    Disability,
    EthnicityGroup,
    ImmigrationAbuse,
    ImmigrationStatusCategory,
    KeyDecision,
    NationalityGroup,
    Pathway,
    PreferredLanguage,
    Religion,
    SealedField,
    Sex,
    SexualOrientation,
    SubjectRole,
    VictimsCodeRight,
)

ACCOUNT_MAX_CHARS = 10_000
PASSPHRASE_MAX_CHARS = 200  # argon2 cost grows with input; refuse absurd lengths early
REASON_MAX_CHARS = 500


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Text that is only spaces counts as not given (`_blank_to_none`).
_BLANK_TEXT: JsonDict = {"type": "string", "pattern": "^\\s*$"}


def _iso_only(value: object) -> object:
    """Dates as documented, YYYY-MM-DD: pydantic would otherwise read 0 or "0" as 1970-01-01."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Enter the date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_only)]


class _Input(BaseModel):
    # hide_input_in_errors: a validation error's text must never carry what was typed, since
    # that may be sealed information and error texts end up in logs.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True)


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _today_with_slack() -> date:
    # One day of slack: a report made just after midnight in London is still "yesterday" in UTC.
    return (datetime.now(UTC) + timedelta(days=1)).date()


class SealedDetails(_Input):
    """Sensitive answers. None is required; immigration status is only ever volunteered."""

    name: str | None = Field(default=None, max_length=200)
    date_of_birth: IsoDate | None = None
    address: str | None = Field(default=None, max_length=500)
    contact_details: str | None = Field(default=None, max_length=500)
    safe_contact: str | None = Field(default=None, max_length=500)
    nationality: str | None = Field(default=None, max_length=100)
    immigration_status: str | None = Field(default=None, max_length=200)
    language_needs: str | None = Field(default=None, max_length=300)
    account: str | None = Field(default=None, max_length=ACCOUNT_MAX_CHARS)

    # Blank text is "not given"; a date is a date (see `IsoDate`).
    _blank = field_validator(
        *(f.value for f in SealedField if f is not SealedField.date_of_birth), mode="before"
    )(_blank_to_none)

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and not date(1900, 1, 1) <= value <= _today_with_slack():
            raise ValueError("Date of birth must be a real date in the past")
        return value

    def values(self) -> dict[str, str | None]:
        """Field name -> text to seal (dates as ISO 8601)."""
        out: dict[str, str | None] = {}
        for name in SealedField:
            value = getattr(self, name.value)
            out[name.value] = value.isoformat() if isinstance(value, date) else value
        return out

    def given(self) -> set[SealedField]:
        """Which fields hold an answer."""
        return {SealedField(k) for k, v in self.values().items() if v is not None}


class MonitoringAnswers(_Input):
    """Coarse equality-monitoring answers for statistics; each optional and declinable."""

    sex: Sex | None = None
    age_band: AgeBand | None = None
    ethnicity_group: EthnicityGroup | None = None
    nationality_group: NationalityGroup | None = None
    disability: Disability | None = None
    religion: Religion | None = None
    sexual_orientation: SexualOrientation | None = None
    preferred_language: PreferredLanguage | None = None
    immigration_status_category: ImmigrationStatusCategory | None = None


class ConsentGrant(_Input):
    """Consent for one purpose; sharing with an agency names the agency."""

    # The API contract states the rule the validator below enforces.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {
                        "purpose": {"const": "share_with_agency"},
                        "agency_name": {"type": "string", "pattern": "\\S"},
                    },
                    "required": ["agency_name"],
                },
                {
                    "properties": {
                        "purpose": {"not": {"const": "share_with_agency"}},
                        "agency_name": {"type": "null"},
                    }
                },
            ]
        }
    )

    purpose: ConsentPurpose
    agency_name: str | None = Field(default=None, max_length=200)

    _blank = field_validator("agency_name", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _agency_only_for_sharing(self) -> ConsentGrant:
        if self.purpose is ConsentPurpose.share_with_agency and not self.agency_name:
            raise ValueError("Name the agency the information may be shared with")
        if self.purpose is not ConsentPurpose.share_with_agency and self.agency_name:
            raise ValueError("Only consent to share with an agency names an agency")
        return self


def _passphrase_size(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().strip():
        raise ValueError("Enter a passphrase")
    if len(value.get_secret_value()) > PASSPHRASE_MAX_CHARS:
        raise ValueError(f"Passphrase must be {PASSPHRASE_MAX_CHARS} characters or fewer")
    return value


Passphrase = Annotated[SecretStr, AfterValidator(_passphrase_size)]


def _unique_consents(grants: list[ConsentGrant]) -> list[ConsentGrant]:
    keys = [(g.purpose, (g.agency_name or "").casefold()) for g in grants]
    if len(set(keys)) != len(keys):
        raise ValueError("Each consent can only be given once")
    return grants


ConsentList = Annotated[list[ConsentGrant], Field(max_length=10)]


class _ReportCreateBase(_Input):
    crime_type: CrimeType
    occurred_from: IsoDate | None = None
    occurred_to: IsoDate | None = None
    area: str | None = Field(default=None, max_length=100)
    monitoring: MonitoringAnswers = Field(default_factory=MonitoringAnswers)
    details: SealedDetails = Field(default_factory=SealedDetails)
    consents: ConsentList = Field(default_factory=list)
    is_vulnerable_or_intimidated: StrictBool = False
    # None: not asked (never required; a reporter may also prefer not to say).
    immigration_abuse: ImmigrationAbuse | None = None
    # Whom the report is about, as the person reporting says: recorded as the subject's
    # `role` fact, which the Firewall reads (witnesses are protected as victims are).
    subject_role: Literal[SubjectRole.victim, SubjectRole.witness] = SubjectRole.victim

    _blank = field_validator("area", mode="before")(_blank_to_none)
    _unique = field_validator("consents")(_unique_consents)

    @field_validator("occurred_from", "occurred_to")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        if value is not None and value > _today_with_slack():
            raise ValueError("The date must be today or in the past")
        return value

    @model_validator(mode="after")
    def _ordered_dates(self) -> _ReportCreateBase:
        if self.occurred_from and self.occurred_to and self.occurred_to < self.occurred_from:
            raise ValueError("The end date must be the same as or after the start date")
        return self


def _without_identity(details: SealedDetails) -> SealedDetails:
    given = sorted(f.value for f in details.given() & IDENTITY_FIELDS)
    if given:
        raise ValueError(
            "Leave out name, date of birth, address and contact details on this report "
            f"(given: {', '.join(given)})"
        )
    return details


class PublicReportCreate(_ReportCreateBase):
    """Pathway 1: the online public form, no sign-in."""

    pathway: Literal["public_online"] = "public_online"


class OfficerReportCreate(_ReportCreateBase):
    """Pathway 2: taken by a signed-in officer; says how consents were given."""

    pathway: Literal["officer"] = "officer"
    consent_method: Literal[
        ConsentMethod.officer_in_person, ConsentMethod.officer_phone, ConsentMethod.officer_written
    ] = ConsentMethod.officer_in_person


class ThirdPartyReportCreate(_ReportCreateBase):
    """Pathway 3: an advocate reports on the victim's behalf, with or without their identity."""

    # The API contract states the rule `_identity_only_if_chosen` enforces.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"properties": {"with_identity": {"const": True}}},
                {
                    "properties": {
                        "with_identity": {"const": False},
                        "details": {
                            "properties": {
                                field.value: {"anyOf": [{"type": "null"}, _BLANK_TEXT]}
                                if field is not SealedField.date_of_birth
                                else {"type": "null"}
                                for field in IDENTITY_FIELDS
                            }
                        },
                    }
                },
            ]
        }
    )

    pathway: Literal["third_party"] = "third_party"
    with_identity: StrictBool

    @model_validator(mode="after")
    def _identity_only_if_chosen(self) -> ThirdPartyReportCreate:
        if not self.with_identity:
            _without_identity(self.details)
        return self


class AnonymousReportCreate(_ReportCreateBase):
    """Pathway 4: no identity; a passphrase lets the reporter come back with the reference."""

    pathway: Literal["anonymous"] = "anonymous"
    passphrase: Passphrase

    _no_identity = field_validator("details")(_without_identity)


ReportCreate = Annotated[
    PublicReportCreate | OfficerReportCreate | ThirdPartyReportCreate | AnonymousReportCreate,
    Field(discriminator="pathway"),
]
REPORT_CREATE: TypeAdapter[ReportCreate] = TypeAdapter(
    ReportCreate, config=ConfigDict(hide_input_in_errors=True)
)


class AnonymousReturn(_Input):
    """An anonymous reporter coming back: more information, contact arrangements, consents."""

    reference: str = Field(min_length=1, max_length=30)
    passphrase: Passphrase
    information: str | None = Field(default=None, max_length=ACCOUNT_MAX_CHARS)
    contact_details: str | None = Field(default=None, max_length=500)
    safe_contact: str | None = Field(default=None, max_length=500)
    consents: ConsentList = Field(default_factory=list)
    withdraw_purposes: list[ConsentPurpose] = Field(default_factory=list, max_length=10)

    _blank = field_validator("information", "contact_details", "safe_contact", mode="before")(
        _blank_to_none
    )
    _unique = field_validator("consents")(_unique_consents)

    @model_validator(mode="after")
    def _something_given(self) -> AnonymousReturn:
        if not (
            self.information
            or self.contact_details
            or self.safe_contact
            or self.consents
            or self.withdraw_purposes
        ):
            raise ValueError("Add information, contact arrangements or a consent")
        return self


class UpdateCreate(_Input):
    """An officer's update: text (sealed), a key decision (starts a Right 6 clock), a status."""

    text: str | None = Field(default=None, max_length=ACCOUNT_MAX_CHARS)
    key_decision: KeyDecision | None = None
    new_status: CaseStatus | None = None
    # Written for the victim to read in her own view; otherwise an internal case note.
    is_for_victim: bool = False

    _blank = field_validator("text", mode="before")(_blank_to_none)

    @field_validator("new_status")
    @classmethod
    def _not_erased(cls, value: CaseStatus | None) -> CaseStatus | None:
        if value is CaseStatus.erased:
            raise ValueError("Use erasure to erase a report")
        return value

    @model_validator(mode="after")
    def _something_given(self) -> UpdateCreate:
        if self.text is None and self.key_decision is None and self.new_status is None:
            raise ValueError("Enter an update, a key decision or a new status")
        if self.is_for_victim and self.text is None:
            raise ValueError("Write the update the victim will read")
        return self


class ReportQuery(_Input):
    """Filters and page for the officers' list and search (unsealed fields only)."""

    reference: str | None = Field(default=None, max_length=30)
    crime_type: CrimeType | None = None
    pathway: Pathway | None = None
    status: CaseStatus | None = None
    area: str | None = Field(default=None, max_length=100)
    reported_from: IsoDate | None = None
    reported_to: IsoDate | None = None
    include_erased: bool = False
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int | None = Field(default=None, ge=1, le=100)

    _blank = field_validator("reference", "area", mode="before")(_blank_to_none)


class _Output(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class ReportSummary(_Output):
    """A row of the reports list: never a sealed field."""

    id: int
    reference: str
    pathway: Pathway
    crime_type: CrimeType
    status: CaseStatus
    reported_at: datetime
    occurred_from: IsoDate | None
    occurred_to: IsoDate | None
    area: str | None
    has_enhanced_rights: bool


class ReportPage(_Output):
    items: list[ReportSummary]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class ConsentRead(_Output):
    id: int
    purpose: ConsentPurpose
    agency_name: str | None
    method: ConsentMethod
    recorded_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_method: ConsentMethod | None

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class UpdateRead(_Output):
    """An update's facts; its text (if `has_text`) is read through `reveal_update_text`."""

    id: int
    kind: str
    key_decision: KeyDecision | None
    new_status: CaseStatus | None
    has_text: bool
    created_at: datetime
    created_by: str


class RightRead(_Output):
    id: int
    right: VictimsCodeRight
    trigger: str | None
    status: str
    triggered_at: datetime | None
    due_on: date | None
    met_at: datetime | None
    met_by: str | None
    delivery_method: DeliveryMethod | None
    not_applicable_reason: str | None

    @property
    def title(self) -> str:
        return RIGHT_TITLES[self.right]


class ReportRead(ReportSummary):
    """The report page: unsealed fields, consents, rights and update facts."""

    has_identity: bool
    sex: Sex | None
    age_band: AgeBand | None
    ethnicity_group: EthnicityGroup | None
    nationality_group: NationalityGroup | None
    disability: Disability | None = None
    religion: Religion | None = None
    sexual_orientation: SexualOrientation | None = None
    preferred_language: PreferredLanguage | None = None
    submitted_by: str | None
    submitted_by_organisation_id: int | None
    assigned_to: str | None = None
    assigned_team: str | None = None
    erased_at: datetime | None
    consents: list[ConsentRead]
    rights: list[RightRead]
    updates: list[UpdateRead]


class ReportReceipt(_Output):
    """What the reporter is shown after submitting: the reference to quote or come back with."""

    report_id: int
    reference: str
    pathway: Pathway
    reported_at: datetime


class RightDue(_Output):
    """A dashboard line: a right item overdue or due soon, with its report's unsealed facts."""

    item_id: int
    report_id: int
    reference: str
    right: VictimsCodeRight
    trigger: str | None
    due_on: date
    crime_type: CrimeType
    has_enhanced_rights: bool
    working_days_overdue: int

    @property
    def title(self) -> str:
        return RIGHT_TITLES[self.right]


class RightsDashboard(_Output):
    as_of: date
    overdue: list[RightDue]
    due_soon: list[RightDue]


class ErasureResult(_Output):
    """What erasure did: the report is shredded; `rotated_key_id` says a KEK rotation followed."""

    reference: str
    erased_at: datetime
    rotated_key_id: str | None
    rewrapped: int


class GrantRead(_Output):
    """A request for, or grant of, access to one report's sealed fields (no free text)."""

    id: int
    report_id: int
    username: str
    kind: str
    reason_code: str
    status: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    expires_at: datetime | None


class AlertRead(_Output):
    """An access alert for the disclosure officer and supervisors."""

    id: int
    kind: str
    username: str
    report_id: int | None
    reason_code: str | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
