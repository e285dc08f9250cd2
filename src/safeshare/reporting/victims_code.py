"""Victims' Code rights on each report: working-day due dates, meeting them, the dashboard.

Working days exclude weekends and England and Wales bank holidays (the `holidays`
package's GB/ENG calendar; Wales has the same days). Every period comes from
`ReportingConfig`, because the Code is being revised. Counting convention: the day of the
triggering event is day 0, so "within 2 working days" of a Monday report is Wednesday, and
of a Saturday report is Tuesday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import EventKind
from safeshare.reporting.access import publish_report_event, stated_reason
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import (
    ReportingPermissionError,
    RightItemNotFoundError,
    RightStateError,
)
from safeshare.reporting.models import Report, RightItem
from safeshare.reporting.schemas import RightDue, RightRead, RightsDashboard
from safeshare.reporting.vocabulary import (
    DeliveryMethod,
    KeyDecision,
    RightStatus,
    VictimsCodeRight,
)

_MAX_SCAN_DAYS = 366  # no run of non-working days comes close; guards a broken calendar


@lru_cache(maxsize=8)
def _bank_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision)


def is_working_day(day: date, *, config: ReportingConfig) -> bool:
    """Monday to Friday and not a bank holiday in the configured calendar."""
    calendar = _bank_holidays(config.bank_holiday_country, config.bank_holiday_subdivision)
    return day.weekday() < 5 and day not in calendar


def add_working_days(start: date, days: int, *, config: ReportingConfig) -> date:
    """The date `days` working days after `start` (0: `start`, or the next working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current, counted = start, 0
    if days == 0:
        while not is_working_day(current, config=config):
            current += timedelta(days=1)
        return current
    for _ in range(days * 7 + _MAX_SCAN_DAYS):
        current += timedelta(days=1)
        if is_working_day(current, config=config):
            counted += 1
            if counted == days:
                return current
    raise RuntimeError("bank holiday calendar has no working days")


def working_days_after(due_on: date, today: date, *, config: ReportingConfig) -> int:
    """How many working days in (due_on, today]: 0 when today is on or before the due date."""
    count, current = 0, due_on
    while current < today:
        current += timedelta(days=1)
        count += is_working_day(current, config=config)
    return count


def local_date(moment: datetime, *, config: ReportingConfig) -> date:
    """The calendar date of an aware instant in the force's time zone."""
    return moment.astimezone(ZoneInfo(config.timezone)).date()


def open_rights(
    session: Session, *, report: Report, config: ReportingConfig, now: datetime
) -> None:
    """Create the report's right items at intake (all pending; dates set by their triggers)."""
    for right in config.rights_at_intake:
        report.rights.append(
            RightItem(right=int(right), status=RightStatus.pending.value, created_at=now)
        )
    session.flush()


def _pending_referral(report: Report) -> RightItem | None:
    return next(
        (
            item
            for item in report.rights
            if item.right == VictimsCodeRight.referral_to_support
            and item.status == RightStatus.pending.value
        ),
        None,
    )


def start_referral_clock(
    report: Report, *, consented_at: datetime, config: ReportingConfig
) -> None:
    """Right 4: with `victim_support` consent, referral is due within N working days of it."""
    item = _pending_referral(report)
    if item is not None and item.due_on is None:
        item.triggered_at = consented_at
        item.trigger = "consent:victim_support"
        item.due_on = add_working_days(
            local_date(consented_at, config=config), config.referral_working_days, config=config
        )


def stop_referral_clock(report: Report) -> None:
    """Right 4 without consent is not due: withdrawal stops the clock (it restarts on consent)."""
    item = _pending_referral(report)
    if item is not None:
        item.triggered_at = item.trigger = item.due_on = None


def meet_referral_right(
    session: Session, *, report_id: int, referral_id: int, at: datetime, by: str
) -> RightItem | None:
    """Right 4 is met by referring the victim to support: the support feature calls this when
    it makes a referral. None if the report is gone or erased, or Right 4 is already closed."""
    report = session.get(Report, report_id)
    if report is None or report.erased_at is not None:
        return None
    item = _pending_referral(report)
    if item is None:
        return None
    item.status = RightStatus.met.value
    item.met_at, item.met_by = at, by
    session.flush()
    publish_report_event(
        session,
        EventKind.VICTIMS_CODE_RIGHT_MET,
        by,
        report,
        item_id=item.id,
        right=item.right,
        trigger=item.trigger,
        referral_id=referral_id,
    )
    return item


def schedule_decision_update(
    report: Report, *, decision: KeyDecision, decided_at: datetime, config: ReportingConfig
) -> RightItem:
    """Right 6: tell the victim about a key decision within 5 working days (1 if enhanced)."""
    days = (
        config.enhanced_update_working_days
        if report.has_enhanced_rights
        else config.update_working_days
    )
    item = RightItem(
        right=int(VictimsCodeRight.investigation_updates),
        trigger=f"key_decision:{decision.value}",
        status=RightStatus.pending.value,
        triggered_at=decided_at,
        due_on=add_working_days(local_date(decided_at, config=config), days, config=config),
    )
    report.rights.append(item)
    return item


def _item_for_change(
    session: Session, *, item_id: int, actor: Actor, config: ReportingConfig
) -> RightItem:
    if not actor.can(Permission.CASE_UPDATE):
        raise ReportingPermissionError("You cannot change Victims' Code records")
    item = session.get(RightItem, item_id)
    if item is None or item.report.erased_at is not None:
        raise RightItemNotFoundError("That Victims' Code item does not exist")
    if item.status != RightStatus.pending.value:
        raise RightStateError("That Victims' Code item has already been closed")
    return item


def _published(session: Session, item: RightItem, *, kind: EventKind, actor: Actor) -> RightRead:
    session.flush()
    publish_report_event(
        session,
        kind,
        actor.username,
        item.report,
        item_id=item.id,
        right=item.right,
        trigger=item.trigger,
    )
    return RightRead.model_validate(item)


def mark_right_met(
    session: Session,
    *,
    item_id: int,
    actor: Actor,
    config: ReportingConfig,
    met_at: datetime | None = None,
    delivery_method: DeliveryMethod | None = None,
) -> RightRead:
    """Record that a right was met, when and by whom; Right 3 also records how, safely."""
    item = _item_for_change(session, item_id=item_id, actor=actor, config=config)
    if item.right == VictimsCodeRight.information_when_reporting and delivery_method is None:
        raise InvalidInputError(
            "Say how the acknowledgement was given safely", field="delivery_method"
        )
    when = met_at or utcnow()
    if when > utcnow() + timedelta(minutes=5):
        raise InvalidInputError("The date must be today or in the past", field="met_at")
    item.status = RightStatus.met.value
    item.met_at, item.met_by = when, actor.username
    item.delivery_method = delivery_method.value if delivery_method else None
    return _published(session, item, kind=EventKind.VICTIMS_CODE_RIGHT_MET, actor=actor)


def mark_right_not_applicable(
    session: Session, *, item_id: int, actor: Actor, reason: str, config: ReportingConfig
) -> RightRead:
    """Record that a right does not apply to this report, and why."""
    reason = stated_reason(reason)
    item = _item_for_change(session, item_id=item_id, actor=actor, config=config)
    item.status = RightStatus.not_applicable.value
    item.not_applicable_reason = reason
    return _published(session, item, kind=EventKind.VICTIMS_CODE_RIGHT_NOT_APPLICABLE, actor=actor)


def close_rights_on_erasure(report: Report) -> None:
    """An erased report owes nothing more that could be met: close its open items."""
    for item in report.rights:
        if item.status == RightStatus.pending.value:
            item.status = RightStatus.not_applicable.value
            item.not_applicable_reason = "Report erased"


def _due_items(
    session: Session,
    *,
    first: date | None,
    last: date,
    today: date,
    config: ReportingConfig,
    limit: int,
) -> list[RightDue]:
    query = (
        select(RightItem, Report)
        .join(Report, RightItem.report_id == Report.id)
        .where(
            RightItem.status == RightStatus.pending.value,
            RightItem.due_on.is_not(None),
            RightItem.due_on <= last,
            Report.erased_at.is_(None),
        )
        .order_by(RightItem.due_on, RightItem.id)
        .limit(limit)
    )
    if first is not None:
        query = query.where(RightItem.due_on >= first)
    out: list[RightDue] = []
    for item, report in session.execute(query):
        assert item.due_on is not None
        out.append(
            RightDue(
                item_id=item.id,
                report_id=report.id,
                reference=report.reference,
                right=VictimsCodeRight(item.right),
                trigger=item.trigger,
                due_on=item.due_on,
                crime_type=report.crime_type,
                has_enhanced_rights=report.has_enhanced_rights,
                working_days_overdue=working_days_after(item.due_on, today, config=config),
            )
        )
    return out


def supervisor_dashboard(
    session: Session, *, config: ReportingConfig, now: datetime | None = None, limit: int = 200
) -> RightsDashboard:
    """Open right items past their due date, and those due within the configured window."""
    today = local_date(now or utcnow(), config=config)
    horizon = add_working_days(today, config.due_soon_working_days, config=config)
    return RightsDashboard(
        as_of=today,
        overdue=_due_items(
            session,
            first=None,
            last=today - timedelta(days=1),
            today=today,
            config=config,
            limit=limit,
        ),
        due_soon=_due_items(
            session, first=today, last=horizon, today=today, config=config, limit=limit
        ),
    )
