"""Directory releases: the PCC publishes versioned releases, officers see what changed since
the version they last acknowledged and acknowledge it, and the PCC sees coverage by team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth import service as auth_service
from safeshare.auth.permissions import Permission, roles_with
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.support.access import Actor, require_permission
from safeshare.support.errors import (
    InvalidSupportInputError,
    ReleaseNotFoundError,
    StaleReleaseError,
    SupportPermissionError,
)
from safeshare.support.models import (
    SupportDirectoryRelease,
    SupportReleaseAcknowledgement,
    SupportService,
)
from safeshare.support.schemas import ServiceFields

PUBLISHED = EventKind.SUPPORT_RELEASE_PUBLISHED

# What officers are told about: the directory entry, not the live vacancies.
SNAPSHOT_FIELDS: tuple[str, ...] = tuple(
    name for name in ServiceFields.model_fields if name != "is_active"
)

Snapshot = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class ServiceChange:
    service_id: int
    name: str
    fields: tuple[str, ...] = ()  # the fields that changed; empty when added or removed


@dataclass(frozen=True)
class ReleaseDiff:
    added: tuple[ServiceChange, ...]
    removed: tuple[ServiceChange, ...]
    changed: tuple[ServiceChange, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_snapshots(old: Snapshot, new: Snapshot) -> ReleaseDiff:
    """Services added, removed and changed (with the changed fields) between two releases."""

    def change(key: str, entry: Mapping[str, Any], fields: tuple[str, ...] = ()) -> ServiceChange:
        return ServiceChange(service_id=int(key), name=str(entry["name"]), fields=fields)

    changed = []
    for key in sorted(old.keys() & new.keys(), key=int):
        fields = tuple(name for name in new[key] if old[key].get(name) != new[key][name])
        if fields:
            changed.append(change(key, new[key], fields))
    return ReleaseDiff(
        added=tuple(change(key, new[key]) for key in sorted(new.keys() - old.keys(), key=int)),
        removed=tuple(change(key, old[key]) for key in sorted(old.keys() - new.keys(), key=int)),
        changed=tuple(changed),
    )


def _snapshot(session: Session) -> dict[str, dict[str, Any]]:
    columns = [getattr(SupportService, name) for name in SNAPSHOT_FIELDS]
    rows = session.execute(
        select(SupportService.id, *columns).where(SupportService.is_active.is_(True))
    )
    return {str(row.id): {name: getattr(row, name) for name in SNAPSHOT_FIELDS} for row in rows}


def publish_release(
    session: Session, *, actor: Actor, change_summary: str, now: datetime | None = None
) -> SupportDirectoryRelease:
    """Publish the directory as it stands as the next version, for cascade to officers."""
    require_permission(actor, Permission.DIRECTORY_MANAGE, "publish directory releases")
    summary = change_summary.strip()
    if not summary:
        raise InvalidSupportInputError("Describe what changed.", field="change_summary")
    latest = session.scalar(select(func.max(SupportDirectoryRelease.version)))
    release = SupportDirectoryRelease(
        version=(latest or 0) + 1,
        change_summary=summary,
        snapshot=_snapshot(session),
        published_at=now or utcnow(),
        published_by_user_id=actor.user_id,
    )
    session.add(release)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=PUBLISHED,
            actor=actor.username,
            data={"release_id": release.id, "version": release.version},
        ),
    )
    return release


def current_release(session: Session) -> SupportDirectoryRelease | None:
    return session.scalar(
        select(SupportDirectoryRelease).order_by(SupportDirectoryRelease.version.desc()).limit(1)
    )


def list_releases(session: Session) -> list[SupportDirectoryRelease]:
    """Every release, newest first (snapshots are not loaded)."""
    return list(
        session.scalars(
            select(SupportDirectoryRelease).order_by(SupportDirectoryRelease.version.desc())
        )
    )


def acknowledge_release(
    session: Session, *, actor: Actor, version: int, now: datetime | None = None
) -> SupportReleaseAcknowledgement:
    """Record that the user has read the current release (repeating it is harmless)."""
    if actor.user_id is None:
        raise SupportPermissionError("Only a signed-in user can acknowledge a release.")
    release = current_release(session)
    if release is None:
        raise ReleaseNotFoundError("No directory release has been published.")
    if version != release.version:
        raise StaleReleaseError(
            f"Version {release.version} is the current release: read and acknowledge that one."
        )
    existing = session.scalar(
        select(SupportReleaseAcknowledgement).where(
            SupportReleaseAcknowledgement.release_id == release.id,
            SupportReleaseAcknowledgement.user_id == actor.user_id,
        )
    )
    if existing is not None:
        return existing
    acknowledgement = SupportReleaseAcknowledgement(
        release_id=release.id, user_id=actor.user_id, acknowledged_at=now or utcnow()
    )
    session.add(acknowledgement)
    session.flush()
    return acknowledgement


@dataclass(frozen=True)
class ReleaseNote:
    version: int
    change_summary: str
    published_at: datetime


@dataclass(frozen=True)
class ReleaseChanges:
    """What an officer has not yet acknowledged."""

    current_version: int | None
    acknowledged_version: int | None
    notes: tuple[ReleaseNote, ...]  # releases newer than the acknowledged one, newest first
    diff: ReleaseDiff | None  # None if nothing was acknowledged yet: all of it is new to them

    @property
    def is_up_to_date(self) -> bool:
        return self.current_version == self.acknowledged_version


def changes_since_acknowledged(session: Session, *, actor: Actor) -> ReleaseChanges:
    """The change summaries and the service-level differences since the user's last
    acknowledged version."""
    acknowledged = session.scalar(
        select(func.max(SupportDirectoryRelease.version))
        .join(
            SupportReleaseAcknowledgement,
            SupportReleaseAcknowledgement.release_id == SupportDirectoryRelease.id,
        )
        .where(SupportReleaseAcknowledgement.user_id == actor.user_id)
    )
    releases = [
        r for r in list_releases(session) if acknowledged is None or r.version > acknowledged
    ]
    current = releases[0] if releases else current_release(session)
    diff = None
    if acknowledged is not None and releases:
        previous = session.scalar(
            select(SupportDirectoryRelease).where(SupportDirectoryRelease.version == acknowledged)
        )
        assert previous is not None and current is not None
        diff = diff_snapshots(previous.snapshot, current.snapshot)
    return ReleaseChanges(
        current_version=None if current is None else current.version,
        acknowledged_version=acknowledged,
        notes=tuple(ReleaseNote(r.version, r.change_summary, r.published_at) for r in releases),
        diff=diff,
    )


@dataclass(frozen=True)
class TeamCoverage:
    team: str | None  # None: officers with no team recorded
    officers: int
    acknowledged: int

    @property
    def share(self) -> float:
        return self.acknowledged / self.officers if self.officers else 0.0


@dataclass(frozen=True)
class ReleaseCoverage:
    version: int | None
    teams: tuple[TeamCoverage, ...]
    overall: TeamCoverage


def release_coverage(
    session: Session,
    *,
    actor: Actor,
    roles: Collection[Role] = roles_with(Permission.DIRECTORY_RELEASE_DUTY),
) -> ReleaseCoverage:
    """Share of active officers who acknowledged the current release, by team and overall."""
    require_permission(actor, Permission.DIRECTORY_MANAGE, "see release coverage")
    release = current_release(session)
    acknowledged: set[int] = set()
    if release is not None:
        acknowledged = set(
            session.scalars(
                select(SupportReleaseAcknowledgement.user_id).where(
                    SupportReleaseAcknowledgement.release_id == release.id
                )
            )
        )
    officers: defaultdict[str | None, list[int]] = defaultdict(list)
    for user in auth_service.list_users(session):
        if user.is_active and user.role in roles:
            officers[user.team].append(user.id)
    teams = [
        TeamCoverage(team, len(ids), sum(1 for user_id in ids if user_id in acknowledged))
        for team, ids in sorted(officers.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]
    overall = TeamCoverage(None, sum(t.officers for t in teams), sum(t.acknowledged for t in teams))
    return ReleaseCoverage(
        version=None if release is None else release.version, teams=tuple(teams), overall=overall
    )
