"""Pydantic shapes of the support feature: what services accept and what they return."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from safeshare.support.vocabulary import (
    DeclineReason,
    ReferralMethod,
    ReferralOutcome,
    ReferralStatus,
    ServiceType,
    WithdrawalReason,
    normalise_tag,
)

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Count = Annotated[int, Field(ge=0, le=100_000)]
OiscLevel = Annotated[int, Field(ge=1, le=3)]


class FieldValueError(ValueError):
    """A whole-model check that fails because of one field, named so forms and the CSV
    import can point at it (pydantic keeps the exception in the error's `ctx`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def error_messages(exc: ValidationError) -> list[tuple[str | None, str]]:
    """(field, message) pairs for a validation failure, in words fit for a user."""
    messages: list[tuple[str | None, str]] = []
    for error in exc.errors():
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, FieldValueError):
            messages.append((cause.field, str(cause)))
            continue
        field = str(error["loc"][0]) if error["loc"] else None
        text = str(cause) if isinstance(cause, ValueError) else error["msg"]
        messages.append((field, text))
    return messages


def clean_tags(values: list[str], *, is_code: bool = False) -> list[str]:
    """Trim, collapse spaces, drop blanks and case-insensitive duplicates, keep first spelling.

    Codes (areas) are also lower-cased, as they are identifiers rather than display text.
    """
    seen: set[str] = set()
    cleaned: list[str] = []
    for value in values:
        display = " ".join(value.split())
        key = normalise_tag(display)
        if key and key not in seen:
            seen.add(key)
            cleaned.append(key if is_code else display)
    return cleaned


class _ServiceData(BaseModel):
    """The directory fields of a service, shared by input and output shapes."""

    name: Text200
    description: str = Field(default="", max_length=4000)
    communities: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    service_types: list[ServiceType]
    oisc_level: OiscLevel | None = None
    has_nrpf_support: bool = False
    areas_covered: list[str] = Field(default_factory=list)
    is_area_wide: bool = False
    referral_method: ReferralMethod
    referral_contact: str = Field(default="", max_length=200)
    opening_hours: str = Field(default="", max_length=500)
    units: Count = 0
    bedspaces: Count = 0
    nrpf_units: Count = 0
    nrpf_bedspaces: Count = 0
    is_active: bool = True


class ServiceFields(_ServiceData):
    """A service's directory entry, validated; the CSV import builds these row by row."""

    @field_validator("communities", "languages")
    @classmethod
    def _clean_text_tags(cls, values: list[str]) -> list[str]:
        return clean_tags(values)

    @field_validator("areas_covered")
    @classmethod
    def _clean_codes(cls, values: list[str]) -> list[str]:
        return clean_tags(values, is_code=True)

    @field_validator("service_types")
    @classmethod
    def _unique_types(cls, values: list[ServiceType]) -> list[ServiceType]:
        if not values:
            raise ValueError("give at least one service type")
        return list(dict.fromkeys(values))

    @field_validator("referral_contact", "opening_hours", "description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if ServiceType.immigration_advice in self.service_types:
            if self.oisc_level is None:
                raise FieldValueError(
                    "oisc_level", "immigration advice needs the adviser's OISC level (1, 2 or 3)"
                )
        elif self.oisc_level is not None:
            raise FieldValueError(
                "oisc_level", "an OISC level only applies to immigration advice services"
            )
        if not self.is_area_wide and not self.areas_covered:
            raise FieldValueError(
                "areas_covered", "give the areas covered, or mark the service as area-wide"
            )
        if not self.referral_contact:
            raise FieldValueError(
                "referral_contact", "give the referral contact (email, phone number or web address)"
            )
        self._check_capacity()
        return self

    def _check_capacity(self) -> None:
        capacity = (self.units, self.bedspaces, self.nrpf_units, self.nrpf_bedspaces)
        if ServiceType.refuge not in self.service_types:
            if any(capacity):
                raise FieldValueError("units", "units and bedspaces only apply to refuge services")
            return
        if self.bedspaces < self.units:
            raise FieldValueError("bedspaces", "every unit has at least one bedspace")
        if self.nrpf_bedspaces < self.nrpf_units:
            raise FieldValueError("nrpf_bedspaces", "every NRPF unit has at least one bedspace")
        if self.nrpf_units > self.units:
            raise FieldValueError("nrpf_units", "NRPF-ringfenced units cannot exceed all units")
        if self.nrpf_bedspaces > self.bedspaces:
            raise FieldValueError(
                "nrpf_bedspaces", "NRPF-ringfenced bedspaces cannot exceed all bedspaces"
            )
        if (self.nrpf_units or self.nrpf_bedspaces) and not self.has_nrpf_support:
            raise FieldValueError(
                "has_nrpf_support",
                "a service with NRPF-ringfenced places supports people with NRPF",
            )


class ServiceCreate(ServiceFields):
    organisation_id: int


class ServiceUpdate(BaseModel):
    """A partial change: only the fields that are set change; the result is validated whole."""

    name: str | None = None
    description: str | None = None
    communities: list[str] | None = None
    languages: list[str] | None = None
    service_types: list[ServiceType] | None = None
    oisc_level: int | None = None
    has_nrpf_support: bool | None = None
    areas_covered: list[str] | None = None
    is_area_wide: bool | None = None
    referral_method: ReferralMethod | None = None
    referral_contact: str | None = None
    opening_hours: str | None = None
    units: int | None = None
    bedspaces: int | None = None
    nrpf_units: int | None = None
    nrpf_bedspaces: int | None = None
    is_active: bool | None = None


class Vacancies(BaseModel):
    """Current vacancies as an advocate reports them: general and NRPF-ringfenced."""

    vacant_units: Count = 0
    vacant_bedspaces: Count = 0
    vacant_nrpf_units: Count = 0
    vacant_nrpf_bedspaces: Count = 0

    @model_validator(mode="after")
    def _bedspaces_cover_units(self) -> Self:
        if self.vacant_bedspaces < self.vacant_units:
            raise FieldValueError(
                "vacant_bedspaces", "each vacant unit has at least one vacant bedspace"
            )
        if self.vacant_nrpf_bedspaces < self.vacant_nrpf_units:
            raise FieldValueError(
                "vacant_nrpf_bedspaces", "each vacant NRPF unit has at least one vacant bedspace"
            )
        return self


class ServiceRead(_ServiceData):
    """A service as pages and the API show it, with the vacancy staleness flag worked out."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    organisation_name: str
    vacant_units: int
    vacant_bedspaces: int
    vacant_nrpf_units: int
    vacant_nrpf_bedspaces: int
    vacancies_updated_at: datetime | None
    is_vacancy_stale: bool


class CapacityUpdateRead(Vacancies):
    model_config = ConfigDict(from_attributes=True)

    service_id: int
    updated_by_user_id: int | None
    recorded_at: datetime


class AreaIn(BaseModel):
    """One locality and the codes of the localities next to it."""

    code: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)
    ]
    name: Text200
    neighbours: list[str] = Field(default_factory=list)

    @field_validator("neighbours")
    @classmethod
    def _clean_codes(cls, values: list[str]) -> list[str]:
        return clean_tags(values, is_code=True)


class AreaRead(AreaIn):
    model_config = ConfigDict(from_attributes=True)


class SupportSearch(BaseModel):
    """An officer's "Find support" query. Language and NRPF rank by default; `require_*` filter."""

    need: ServiceType | None = None
    language: str | None = None
    require_language: bool = False
    has_nrpf: bool = False
    require_nrpf_support: bool = False
    area: str | None = None
    max_distance: Annotated[int, Field(ge=0, le=50)] | None = None
    vacancy_now: bool = False
    community: str | None = None
    min_oisc_level: OiscLevel | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0  # results to skip, for pages

    @field_validator("language", "community", "area")
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        return (normalise_tag(value) or None) if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.require_language and self.language is None:
            raise ValueError("choose a language to require it")
        if self.max_distance is not None and self.area is None:
            raise ValueError("choose an area to limit the distance")
        if self.require_nrpf_support:
            self.has_nrpf = True  # asking for NRPF support means the victim has NRPF
        return self


class SupportSearchResult(BaseModel):
    service: ServiceRead
    matches_language: bool
    matches_nrpf: bool
    has_vacancy_now: bool
    distance: int | None  # hops between areas; 0 when the service covers the area


class SupportSearchPage(BaseModel):
    results: list[SupportSearchResult]
    total: int  # matches before `limit`


class ReferralCreate(BaseModel):
    report_id: Annotated[int, Field(gt=0)]
    service_id: int
    needs: list[ServiceType] = Field(default_factory=list)
    language: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    has_nrpf: bool = False


class ReferralRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    report_id: int
    service_id: int
    service_name: str
    organisation_id: int
    needs: list[str]
    language: str | None
    has_nrpf: bool | None
    decision_id: int | None
    shared_categories: list[str]
    status: ReferralStatus
    decline_reason: DeclineReason | None
    outcome: ReferralOutcome | None
    withdrawal_reason: WithdrawalReason | None
    created_at: datetime
    responded_at: datetime | None
    first_contact_at: datetime | None
    closed_at: datetime | None

    @property
    def time_to_first_contact(self) -> timedelta | None:
        return None if self.first_contact_at is None else self.first_contact_at - self.created_at


class ImportSummary(BaseModel):
    created: int
    updated: int
    organisations_created: int
