"""Sign in with the organisation's OpenID provider (Authlib), and step-up through it.

Authlib does the protocol: PKCE (S256), `state` kept in the signed session and checked once,
a `nonce` bound into the ID token, the ID token's signature verified against the provider's
JWKS and its issuer, audience and expiry checked. `auth.sso` then decides who gets in.
Every refusal is one page that says plainly why, with no protocol detail.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

import httpx
from authlib.integrations.base_client.errors import OAuthError  # type: ignore[import-untyped]
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from starlette.responses import Response

from safeshare.auth import mfa, sso
from safeshare.web.access import (
    STEP_UP_CODE_PENDING,
    begin_second_factor,
    mark_reauthenticated,
    safe_next,
    start_session,
)
from safeshare.web.concurrency import in_thread
from safeshare.web.deps import DbSession, PublicActor, SignedInActor
from safeshare.web.oidc import SIGNED_IN_BY_SSO, claims_options, client, oidc_config
from safeshare.web.pages import Pages

log = logging.getLogger("safeshare.security")
router = APIRouter()
NEXT = "sso_next"
STEP_UP = "sso_step_up"
PAGES = Pages("", "sso_flash")  # sso_refused.html, at the template root


def _refused(request: Request, message: str, status: int = 403) -> Response:
    return PAGES.page(
        request,
        "sso_refused.html",
        {"message": message, "provider": oidc_config(request).provider_name},
        status_code=status,
    )


async def _redirect_to_provider(request: Request, **extra: str) -> Response:
    try:
        response: Response = await client(request).authorize_redirect(
            request, str(request.url_for("sso_callback")), **extra
        )
    except (httpx.HTTPError, ValueError, RuntimeError):
        log.warning("sso: the identity provider's metadata could not be read")
        return _refused(
            request, "The identity provider could not be reached. Try again later.", 502
        )
    return response


@router.get("/login/sso")
async def sso_start(
    request: Request,
    _principal: PublicActor,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    """Send the browser to the provider; state, nonce and the PKCE verifier stay in the session."""
    client(request)
    request.session.pop(STEP_UP, None)
    request.session[NEXT] = safe_next(next_path)
    return await _redirect_to_provider(request)


@router.get("/reauth/sso")
async def sso_step_up(
    request: Request,
    principal: SignedInActor,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    """Step-up for SSO users: the provider must authenticate them again (`prompt=login`)."""
    client(request)
    request.session[STEP_UP] = principal.account_id
    request.session[NEXT] = safe_next(next_path)
    return await _redirect_to_provider(request, prompt="login", max_age="0")


async def _verified_claims(request: Request) -> dict[str, Any]:
    token = await client(request).authorize_access_token(
        request, claims_options=claims_options(oidc_config(request)), leeway=60
    )
    claims = token.get("userinfo")
    if not claims:
        raise OAuthError(description="no ID token")
    return dict(claims)


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(request: Request, db: DbSession, principal: PublicActor) -> Response:
    """The provider's answer: verify it, then sign in (or finish a step-up)."""
    config = oidc_config(request)
    next_path = safe_next(request.session.pop(NEXT, None))
    step_up = request.session.pop(STEP_UP, None)
    try:
        claims = await _verified_claims(request)
    except (OAuthError, JoseError, httpx.HTTPError) as exc:
        # The reason goes to the security log only: it may name a claim, never a value.
        log.warning("sso: refused a provider response (%s)", type(exc).__name__)
        return _refused(request, "Sign-in with the identity provider could not be completed.")
    try:
        outcome = await in_thread(
            sso.sign_in, db, config=config, issuer=config.issuer, claims=claims
        )
    except sso.SsoRefusedError as exc:
        return _refused(request, exc.message)
    user = outcome.user
    if step_up is not None:
        if principal is None or principal.user_id != user.id or step_up != user.id:
            return _refused(request, "You confirmed as a different person. Sign in again.")
        if mfa.requires_mfa(user) and not outcome.provider_mfa:
            # The provider's password alone is one factor; this role needs two: the
            # authenticator enrolled with SafeShare at sign-in gives the second.
            if not mfa.is_enrolled(user):
                return _refused(
                    request,
                    "Your identity provider did not confirm a second factor, and you have no "
                    "SafeShare authenticator. Sign out and sign in again to set one up.",
                )
            request.session[STEP_UP_CODE_PENDING] = {
                "uid": user.id,
                "at": int(time.time()),
                "next": next_path,
            }
            return RedirectResponse("/reauth/code", status_code=303)
        mark_reauthenticated(request)
        request.session[SIGNED_IN_BY_SSO] = True
        return RedirectResponse(next_path, status_code=303)
    if mfa.requires_mfa(user) and not outcome.provider_mfa:
        return begin_second_factor(request, user, next_path)
    start_session(request, db, user_id=user.id, epoch=user.session_epoch)
    request.session[SIGNED_IN_BY_SSO] = True
    return RedirectResponse(next_path, status_code=303)
