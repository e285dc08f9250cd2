"""TOTP multi-factor sign-in (RFC 6238 via pyotp), QR enrolment and single-use recovery codes.

Required for the roles that can release or audit sensitive data (`MFA_ROLES`) on local
accounts. A code is accepted once: the last accepted time step is stored, so a code seen over
someone's shoulder cannot be replayed within its window (ASVS 2.8.4). Recovery codes are
stored as SHA-256 hashes (they are random, so no slow hash is needed) and work once each.
"""

from __future__ import annotations

import io
import secrets
import time

import pyotp
import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.models import RecoveryCode, User
from safeshare.auth.passwords import hash_token
from safeshare.auth.roles import Role
from safeshare.auth.service import get_user_or_raise
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent, EventKind, publish

MFA_ROLES: frozenset[Role] = frozenset({Role.admin, Role.disclosure_officer, Role.inspector})
RECOVERY_CODES = 10
ISSUER = "SafeShare"
_STEP = 30


def requires_mfa(user: User) -> bool:
    """Whether this account must pass a second factor: its role needs one, or it enrolled."""
    return Role(user.role) in MFA_ROLES or user.totp_enabled_at is not None


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def begin_enrolment(session: Session, *, user_id: int) -> str:
    """A new secret for the user to scan; it counts only once `confirm_enrolment` succeeds."""
    user = get_user_or_raise(session, user_id=user_id)
    if is_enrolled(user):
        raise InvalidInputError("Multi-factor sign-in is already set up", field="code")
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        session.flush()
    return user.totp_secret


def provisioning_uri(user: User, *, issuer: str = ISSUER) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no external service, works offline)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]  # inline in the page: no XML declaration


def _accepted_step(user: User, code: str, now: float) -> int | None:
    """The time step `code` matches (this one or its neighbours), if not used before."""
    if user.totp_secret is None or not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(user.totp_secret)
    current = int(now // _STEP)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * _STEP), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return None  # replayed
            return step
    return None


def confirm_enrolment(session: Session, *, user_id: int, code: str) -> list[str]:
    """Turn MFA on once the user proves their app works; returns recovery codes (shown once)."""
    user = get_user_or_raise(session, user_id=user_id)
    step = _accepted_step(user, code.strip().replace(" ", ""), time.time())
    if step is None or is_enrolled(user):
        raise InvalidInputError("Enter the 6-digit code your app shows now", field="code")
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user)
    publish(
        session,
        DomainEvent(
            kind=EventKind.AUTH_MFA_ENROLLED, actor=user.username, data={"user_id": user.id}
        ),
    )
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_token(c)) for c in codes)
    session.flush()
    return codes


def verify_second_factor(
    session: Session, *, user_id: int, code: str, now: float | None = None
) -> bool:
    """Check a TOTP code (once only) or an unused recovery code; records failures."""
    user = get_user_or_raise(session, user_id=user_id)
    code = code.strip().replace(" ", "").lower()
    step = (
        _accepted_step(user, code, time.time() if now is None else now)
        if is_enrolled(user)
        else None
    )
    if step is not None:
        user.totp_last_step = step
        session.flush()
        return True
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is not None:
        recovery.used_at = utcnow()
        session.flush()
        publish(
            session,
            DomainEvent(
                kind=EventKind.AUTH_RECOVERY_CODE_USED,
                actor=user.username,
                data={"user_id": user.id},
            ),
        )
        return True
    publish(
        session,
        DomainEvent(kind=EventKind.AUTH_MFA_FAILED, actor="public", data={"user_id": user.id}),
    )
    return False


def reset_mfa(session: Session, *, user_id: int, actor: str) -> None:
    """An administrator clears a lost authenticator; the user enrols again at next sign-in."""
    user = get_user_or_raise(session, user_id=user_id)
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    user.session_epoch += 1
    session.flush()
    publish(
        session, DomainEvent(kind=EventKind.AUTH_MFA_RESET, actor=actor, data={"user_id": user.id})
    )


def enrol_now(session: Session, *, user_id: int) -> str:
    """Enrol without the confirmation step, for demo data only (the secret is printed once)."""
    secret = begin_enrolment(session, user_id=user_id)
    user = get_user_or_raise(session, user_id=user_id)
    user.totp_enabled_at = utcnow()
    session.flush()
    return secret
