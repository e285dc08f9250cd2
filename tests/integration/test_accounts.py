"""Account services on both back ends: creation rules, lockout, tokens, session epochs."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth import service
from safeshare.auth.errors import AuthenticationError, UsernameTakenError
from safeshare.auth.models import ApiToken, OrganisationKind, User
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError

PASSWORD = "a-long-test-password"


def _user(session: Session, name: str = "pc-one", role: Role = Role.officer) -> int:
    return service.create_user(
        session, username=name, display_name=name, role=role, password=PASSWORD
    ).id


def test_usernames_are_unique_and_validated(db_session: Session) -> None:
    _user(db_session)
    with pytest.raises(UsernameTakenError):
        _user(db_session, "PC-One")
    with pytest.raises(InvalidInputError) as exc:
        _user(db_session, "bad name!")
    assert exc.value.field == "username"
    with pytest.raises(InvalidInputError):
        service.create_user(
            db_session, username="shorty", display_name="x", role=Role.officer, password="short"
        )


def test_advocates_must_belong_to_a_support_organisation(db_session: Session) -> None:
    with pytest.raises(InvalidInputError, match="support organisation"):
        _user(db_session, "adv", Role.advocate)
    force = service.get_or_create_organisation(
        db_session, name="A Force", kind=OrganisationKind.force
    )
    with pytest.raises(InvalidInputError):
        service.create_user(
            db_session,
            username="adv",
            display_name="x",
            role=Role.advocate,
            password=PASSWORD,
            organisation_id=force.id,
        )
    org = service.get_or_create_organisation(
        db_session, name="By and For", kind=OrganisationKind.support_org
    )
    user = service.create_user(
        db_session,
        username="adv",
        display_name="x",
        role=Role.advocate,
        password=PASSWORD,
        organisation_id=org.id,
    )
    assert user.organisation is not None and user.organisation.name == "By and For"


def test_failures_never_lock_the_account(db_session: Session) -> None:
    """Finding 3: wrong passwords no longer lock anyone out; the owner still gets in."""
    _user(db_session)
    for _ in range(20):
        with pytest.raises(AuthenticationError) as exc:
            service.authenticate(db_session, username="pc-one", password="wrong")
        assert type(exc.value) is AuthenticationError
    user = service.authenticate(db_session, username="pc-one", password=PASSWORD)
    assert user.failed_logins == 0


def test_unknown_inactive_and_wrong_get_the_same_error_and_one_hash_check(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeshare.auth import passwords

    user_id = _user(db_session)
    db_session.get_one(User, user_id).is_active = False
    _user(db_session, "pc-two")
    calls: list[str | None] = []
    real = passwords.verify_password

    def counting(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(service, "verify_password", counting)
    messages = set()
    for username, password in (("nobody", "x"), ("pc-one", PASSWORD), ("pc-two", "wrong")):
        with pytest.raises(AuthenticationError) as exc:
            service.authenticate(db_session, username=username, password=password)
        assert type(exc.value) is AuthenticationError
        messages.add(exc.value.message)
    assert len(messages) == 1
    assert len(calls) == 3 and calls[:2] == [None, None]  # the dummy hash for unknown/inactive


def test_tokens_are_stored_hashed_and_resolve_to_their_user(db_session: Session) -> None:
    user_id = _user(db_session)
    token = service.issue_token(db_session, user_id=user_id, label="script")
    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    user = service.user_for_token(db_session, token=token)
    assert user is not None and user.id == user_id
    assert service.user_for_token(db_session, token=token + "x") is None


def test_role_change_ends_existing_sessions(db_session: Session) -> None:
    user_id = _user(db_session)
    assert service.principal_for_session(db_session, user_id=user_id, session_epoch=0)
    service.set_role(db_session, user_id=user_id, role=Role.supervisor, actor="admin")
    assert service.principal_for_session(db_session, user_id=user_id, session_epoch=0) is None
    principal = service.principal_for_session(db_session, user_id=user_id, session_epoch=1)
    assert principal is not None and principal.role is Role.supervisor


def test_an_advocate_role_needs_a_support_organisation(db_session: Session) -> None:
    user_id = _user(db_session)
    with pytest.raises(InvalidInputError, match="support organisation"):
        service.set_role(db_session, user_id=user_id, role=Role.advocate, actor="admin")


def test_ending_sessions_invalidates_the_current_epoch(db_session: Session) -> None:
    user_id = _user(db_session)
    service.end_sessions(db_session, user_id=user_id)
    assert service.principal_for_session(db_session, user_id=user_id, session_epoch=0) is None
