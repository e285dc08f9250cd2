"""Directory releases: publish, see what changed since the last acknowledged version, coverage."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.support import service
from safeshare.support.errors import (
    InvalidSupportInputError,
    ReleaseNotFoundError,
    StaleReleaseError,
    SupportPermissionError,
)
from safeshare.support.schemas import ServiceUpdate
from tests.factories.support import make_world


def test_officers_see_changes_since_the_version_they_acknowledged(db_session: Session) -> None:
    world = make_world(db_session)
    kept = world.service(name="Kept")
    with pytest.raises(ReleaseNotFoundError):
        service.acknowledge_release(db_session, actor=world.officer, version=1)
    first = service.publish_release(db_session, actor=world.pcc, change_summary="First release")
    assert first.version == 1

    news = service.changes_since_acknowledged(db_session, actor=world.officer)
    assert (news.current_version, news.acknowledged_version, news.diff) == (1, None, None)
    assert [n.change_summary for n in news.notes] == ["First release"]

    service.acknowledge_release(db_session, actor=world.officer, version=1)
    service.acknowledge_release(db_session, actor=world.officer, version=1)  # harmless twice
    assert service.changes_since_acknowledged(db_session, actor=world.officer).is_up_to_date

    service.update_service(
        db_session,
        actor=world.pcc,
        service_id=kept.id,
        changes=ServiceUpdate(languages=["Tigrinya"]),
    )
    added = world.service(name="Added")
    service.publish_release(db_session, actor=world.pcc, change_summary="Tigrinya at Kept; Added")
    service.publish_release(db_session, actor=world.pcc, change_summary="No service changes")

    news = service.changes_since_acknowledged(db_session, actor=world.officer)
    assert (news.current_version, news.acknowledged_version) == (3, 1)
    assert [n.version for n in news.notes] == [3, 2]
    assert news.diff is not None
    assert [(c.service_id, c.fields) for c in news.diff.changed] == [(kept.id, ("languages",))]
    assert [c.name for c in news.diff.added] == [added.name]
    with pytest.raises(StaleReleaseError):
        service.acknowledge_release(db_session, actor=world.officer, version=2)


def test_only_the_pcc_office_publishes(db_session: Session) -> None:
    world = make_world(db_session)
    with pytest.raises(SupportPermissionError):
        service.publish_release(db_session, actor=world.officer, change_summary="x")
    with pytest.raises(InvalidSupportInputError):
        service.publish_release(db_session, actor=world.pcc, change_summary="  ")
    with pytest.raises(SupportPermissionError):
        service.acknowledge_release(db_session, actor=service.SYSTEM_ACTOR, version=1)


def test_coverage_by_team(db_session: Session) -> None:
    world = make_world(db_session)  # its officer is in "Response A"
    response_a = world.user(Role.supervisor, team="Response A")
    world.user(Role.officer, team="Response B")
    world.user(Role.officer)  # no team
    world.user(Role.pcc_analyst, team="Response B")  # not an officer: not counted
    with pytest.raises(SupportPermissionError):
        service.release_coverage(db_session, actor=world.officer)
    assert service.release_coverage(db_session, actor=world.pcc).version is None

    service.publish_release(db_session, actor=world.pcc, change_summary="First")
    for actor in (world.officer, response_a):
        service.acknowledge_release(db_session, actor=actor, version=1)
    service.publish_release(db_session, actor=world.pcc, change_summary="Second")
    service.acknowledge_release(db_session, actor=world.officer, version=2)

    coverage = service.release_coverage(db_session, actor=world.pcc)
    assert coverage.version == 2
    assert [(t.team, t.officers, t.acknowledged) for t in coverage.teams] == [
        ("Response A", 2, 1),
        ("Response B", 1, 0),
        (None, 1, 0),
    ]
    assert (coverage.overall.officers, coverage.overall.acknowledged) == (4, 1)
    assert coverage.teams[0].share == 0.5
