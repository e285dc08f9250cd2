"""OpenID Connect single sign-on: settings, the claims-to-account decision, and provisioning.

The protocol (authorization code with PKCE, state, nonce, ID-token signature against the
provider's JWKS, issuer, audience and expiry) is Authlib's, driven from `web.routes.sso`.
This module decides what a verified set of claims is allowed to become: the role comes only
from the configured claim->role table (an unmapped group is refused, never defaulted), an
advocate's organisation must already exist as a support organisation, and a deactivated
local account stays out whatever the provider says.

MFA for SSO users: if `mfa_amr_values`/`mfa_acr_values` are configured, the provider's
`amr`/`acr` claim showing one of them counts as the second factor (the organisation's
provider enforces it); otherwise roles that need MFA still pass SafeShare's own TOTP.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.models import Organisation, OrganisationKind, User
from safeshare.auth.passwords import hash_password
from safeshare.auth.roles import Role
from safeshare.auth.service import USERNAME_PATTERN, set_role
from safeshare.auth.sso_config import OidcConfig
from safeshare.errors import PermissionDeniedError
from safeshare.events import DomainEvent, EventKind, publish


class SsoRefusedError(PermissionDeniedError):
    """The provider vouched for someone SafeShare will not let in (said plainly on a page)."""

    code = "sso_refused"


@dataclass(frozen=True)
class SsoOutcome:
    """A signed-in SSO user and whether the provider already proved a second factor."""

    user: User
    provider_mfa: bool


def _claim_values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def mapped_role(config: OidcConfig, claims: dict[str, Any]) -> Role:
    """The one role the claims map to; none or several different ones are refused."""
    values = _claim_values(claims, config.role_claim)
    roles = {config.role_map[v] for v in values if v in config.role_map}
    if not roles:
        raise SsoRefusedError("Your account at the identity provider has no SafeShare role")
    if len(roles) > 1:
        raise SsoRefusedError("Your account at the identity provider maps to more than one role")
    return roles.pop()


def provider_mfa(config: OidcConfig, claims: dict[str, Any]) -> bool:
    """Whether the ID token shows a second factor the deployment chose to trust."""
    if set(_claim_values(claims, "amr")) & set(config.mfa_amr_values):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in config.mfa_acr_values


def _organisation(session: Session, config: OidcConfig, claims: dict[str, Any]) -> int:
    name = claims.get(config.organisation_claim)
    org = (
        session.scalar(select(Organisation).where(Organisation.name == name))
        if isinstance(name, str)
        else None
    )
    if org is None or org.kind != OrganisationKind.support_org.value:
        raise SsoRefusedError("Your support organisation is not registered in SafeShare")
    return org.id


def _username(config: OidcConfig, claims: dict[str, Any]) -> str:
    wanted = str(claims.get(config.username_claim) or "").strip().lower()
    if USERNAME_PATTERN.match(wanted):
        return wanted
    return "sso-" + secrets.token_hex(6)  # a provider name we cannot use as a username


def sign_in(
    session: Session, *, config: OidcConfig, issuer: str, claims: dict[str, Any]
) -> SsoOutcome:
    """Link, provision or refuse the person whose verified ID-token claims these are.

    Found by (issuer, sub); else a local account of the same username not yet linked is
    linked (so small deployments can move to SSO); else one is provisioned just in time.
    The provider's mapped role is applied on every sign-in, so a group change there takes
    effect here at the next sign-in. Linking and provisioning are ledger entries.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoRefusedError("The identity provider did not say who you are")
    role = mapped_role(config, claims)
    organisation_id = _organisation(session, config, claims) if role is Role.advocate else None
    user = session.scalar(
        select(User).where(User.sso_issuer == issuer, User.sso_subject == subject)
    )
    if user is None:
        username = _username(config, claims)
        user = session.scalar(select(User).where(User.username == username))
        if user is not None and user.sso_subject is not None:
            raise SsoRefusedError("A different SafeShare account already uses this username")
        if user is not None:
            user.sso_issuer, user.sso_subject = issuer, subject
            session.flush()
            publish(
                session,
                DomainEvent(kind=EventKind.AUTH_SSO_LINKED, actor="sso", data={"user_id": user.id}),
            )
        else:
            user = _provision(session, config, claims, username, role, organisation_id)
            user.sso_issuer, user.sso_subject = issuer, subject
            session.flush()
    if not user.is_active:
        raise SsoRefusedError("Your SafeShare account has been deactivated")
    if role is Role.advocate and user.organisation_id != organisation_id:
        user.organisation_id = organisation_id
        user.session_epoch += 1
    if user.role != role.value:
        set_role(session, user_id=user.id, role=role, actor="sso")
    session.flush()
    return SsoOutcome(user=user, provider_mfa=provider_mfa(config, claims))


def _provision(
    session: Session,
    config: OidcConfig,
    claims: dict[str, Any],
    username: str,
    role: Role,
    organisation_id: int | None,
) -> User:
    """A just-in-time account; its password is random and never shown (SSO only)."""
    display = str(claims.get(config.display_name_claim) or username).strip()[:200] or username
    user = User(
        username=username,
        display_name=display,
        role=role.value,
        password_hash=hash_password(secrets.token_urlsafe(32)),
        organisation_id=organisation_id,
    )
    session.add(user)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.AUTH_SSO_PROVISIONED,
            actor="sso",
            data={"user_id": user.id, "role": role.value},
        ),
    )
    return user
