"""The retention schedule: one YAML file, the package's defaults unless a setting names
another (`SAFESHARE_RETENTION__SCHEDULE`). Validated whole, so a bad file stops the run
before anything is removed. `RetentionConfig` is nested in the one `Settings`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from safeshare.retention.errors import RetentionScheduleError
from safeshare.retention.vocabulary import RecordType, RetentionAction

# What each record type can honestly have done to it. Reports are crypto-shredded, never
# deleted (decisions and the ledger refer to them); sealed fields exist only as ciphertext,
# so shredding is their deletion; decisions, accounts and ledger entries are evidence others
# rely on, so they are only ever flagged for review.
ALLOWED_ACTIONS: dict[RecordType, frozenset[RetentionAction]] = {
    RecordType.report: frozenset({RetentionAction.review, RetentionAction.crypto_shred}),
    RecordType.sealed_field: frozenset({RetentionAction.review, RetentionAction.crypto_shred}),
    RecordType.draft: frozenset({RetentionAction.delete}),
    RecordType.decision: frozenset({RetentionAction.review}),
    RecordType.referral: frozenset({RetentionAction.review, RetentionAction.delete}),
    RecordType.consent_record: frozenset({RetentionAction.review, RetentionAction.delete}),
    RecordType.user_account: frozenset({RetentionAction.review}),
    RecordType.ledger_reference: frozenset({RetentionAction.review}),
    RecordType.feedback: frozenset({RetentionAction.review, RetentionAction.delete}),
}


class RetentionConfig(BaseModel):
    """Retention settings (`SAFESHARE_RETENTION__...`): which schedule, and how often `serve`
    applies it (hours; 0: never, e.g. in tests; then run `safeshare retention run`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schedule: Path | None = None  # safeshare/retention/schedule.yaml unless set
    interval_hours: float = Field(default=24.0, ge=0)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(ge=0, le=365 * 120)
    action: RetentionAction


@dataclass(frozen=True)
class Rule:
    """One record type's period and action."""

    record_type: RecordType
    period: timedelta
    action: RetentionAction


@dataclass(frozen=True)
class Schedule:
    """The whole schedule, with the SHA-256 of its file so each ledger entry names the exact
    schedule it applied."""

    rules: dict[RecordType, Rule]
    source: str
    sha256: str

    def rule(self, record_type: RecordType) -> Rule:
        return self.rules[record_type]


DEFAULT_SCHEDULE = "schedule.yaml"


def load_schedule(path: Path | None = None) -> Schedule:
    """The schedule at `path` (default: the package's), every record type present, each with
    an action it allows; else `RetentionScheduleError`."""
    if path is None:
        text = resources.files("safeshare.retention").joinpath(DEFAULT_SCHEDULE).read_text()
        source = "default"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RetentionScheduleError(
                f"cannot read the retention schedule {path}: {type(exc).__name__}"
            ) from None
        source = str(path)
    return parse_schedule(text, source=source)


def parse_schedule(text: str, *, source: str) -> Schedule:
    """Validate the YAML text of a schedule (see `load_schedule`)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        raise RetentionScheduleError(f"the retention schedule {source} is not valid YAML") from None
    if not isinstance(raw, dict):
        raise RetentionScheduleError(f"the retention schedule {source} must be a mapping")
    unknown = sorted(set(map(str, raw)) - set(RecordType))
    missing = [t.value for t in RecordType if t.value not in raw]
    if unknown or missing:
        raise RetentionScheduleError(
            f"the retention schedule {source} must name each record type once "
            f"(unknown: {', '.join(unknown) or 'none'}; missing: {', '.join(missing) or 'none'})"
        )
    rules: dict[RecordType, Rule] = {}
    for record_type in RecordType:
        try:
            rule = _Rule.model_validate(raw[record_type.value])
        except ValidationError:
            raise RetentionScheduleError(
                f"{record_type.value} in {source} needs whole 'days' (0 or more) and an "
                "'action' of review, delete or crypto_shred"
            ) from None
        if rule.action not in ALLOWED_ACTIONS[record_type]:
            allowed = ", ".join(sorted(ALLOWED_ACTIONS[record_type]))
            raise RetentionScheduleError(
                f"{record_type.value} cannot take the action {rule.action} (allowed: {allowed})"
            )
        rules[record_type] = Rule(record_type, timedelta(days=rule.days), rule.action)
    return Schedule(rules, source, hashlib.sha256(text.encode()).hexdigest())
