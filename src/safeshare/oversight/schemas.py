"""Oversight inputs: statistics filters, an outcome after a share, a recommendation's response."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from safeshare.oversight.statistics import Dimension, Measure, Period
from safeshare.oversight.vocabulary import (
    OUTCOME_SOURCES_OFFERED,
    CaseOutcome,
    ImmigrationOutcome,
    OutcomeSource,
    OutcomeTrack,
    RecommendationStatus,
)

MAX_PERIOD_DAYS = 366 * 10
DEFAULT_DIMENSIONS = (Dimension.sex, Dimension.ethnicity_group)


def default_period(today: date) -> tuple[date, date]:
    """The twelve calendar months up to and including this one."""
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return date(year, month, 1), today


def month_start(day: date) -> date:
    """The first day of `day`'s calendar month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of `day`'s calendar month."""
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


class StatisticsFilters(BaseModel):
    """What a statistics page, export or assurance report covers.

    Periods snap outward to whole calendar months (a fixed grid): with free day ranges, two
    periods a day apart could be subtracted to isolate one day's handful of people, and many
    such windows defeat rounding. With the grid, every period is a union of the same month
    cells and each published figure is rounded, so a difference stays as uncertain as the
    rounding (see tests/integration/oversight/test_differencing.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date
    force: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    dimensions: tuple[Dimension, ...] = DEFAULT_DIMENSIONS
    measure: Measure = Measure.case_status

    @field_validator("force")
    @classmethod
    def _blank_is_every_force(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("dimensions")
    @classmethod
    def _two_or_three(cls, value: tuple[Dimension, ...]) -> tuple[Dimension, ...]:
        if len(set(value)) != len(value):
            raise ValueError("Choose different characteristics to compare")
        if not 2 <= len(value) <= 3:
            raise ValueError("Choose two or three characteristics to compare")
        return value

    @field_validator("start")
    @classmethod
    def _from_month_start(cls, value: date) -> date:
        return month_start(value)

    @field_validator("end")
    @classmethod
    def _sensible_period(cls, value: date, info: ValidationInfo) -> date:
        value = month_end(value)
        start = info.data.get("start")
        if isinstance(start, date):
            if value < start:
                raise ValueError("The end date must be the same as or after the start date")
            if value - start > timedelta(days=MAX_PERIOD_DAYS):
                raise ValueError("The period must be 10 years or shorter")
        return value

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.force)

    def query(self, **extra: str) -> dict[str, str]:
        """The filters as query parameters, for links to exports and other sections."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.force:
            params["force"] = self.force
        params["dimensions"] = ",".join(d.value for d in self.dimensions)
        params["measure"] = self.measure.value
        params.update(extra)
        return params


class OutcomeCreate(BaseModel):
    """One thing that followed a disclosure, on one track, with the date it happened and who
    told us (a new record always says; "not recorded" is only for migrated rows)."""

    model_config = ConfigDict(extra="forbid")

    track: OutcomeTrack
    outcome: str
    occurred_on: date
    source: OutcomeSource

    @field_validator("source")
    @classmethod
    def _source_is_asked(cls, value: OutcomeSource) -> OutcomeSource:
        if value not in OUTCOME_SOURCES_OFFERED:
            raise ValueError("Select where this information came from")
        return value

    @field_validator("outcome")
    @classmethod
    def _outcome_fits_track(cls, value: str, info: ValidationInfo) -> str:
        track = info.data.get("track")
        allowed = ImmigrationOutcome if track is OutcomeTrack.immigration else CaseOutcome
        if track is None or value not in {o.value for o in allowed}:
            raise ValueError("Select what happened")
        return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]


class RecommendationUpdate(BaseModel):
    """The tracker's editable fields: the due date, the response, its status and evidence."""

    model_config = ConfigDict(extra="forbid")

    response_due_on: date
    response_text: Text | None = None
    response_date: date | None = None
    status: RecommendationStatus
    evidence: Text | None = None

    @field_validator("response_text", "evidence")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class RecommendationCreate(RecommendationUpdate):
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    number: int = Field(ge=1, le=999)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
    recipients: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    ] = Field(min_length=1, max_length=20)
    report_date: date
