"""Single sign-on end to end against a real OpenID provider process (`oidc-provider-mock`,
an Authlib-based provider run by its own command line), with SafeShare served by uvicorn.

httpx follows the browser's redirects by hand so each hop can be checked or tampered with:
the provider's consent form is posted like a person choosing their account there.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pyotp
import pytest
import uvicorn
from joserfc.errors import InvalidClaimError

from bench.serving import run_in_own_loop
from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.models import User
from safeshare.auth.roles import Role
from safeshare.auth.sso_config import OidcConfig
from safeshare.db import migrate
from safeshare.ledger import service as ledger_service
from safeshare.runtime import Runtime
from safeshare.web.app import create_app
from safeshare.web.oidc import build_client, claims_options
from tests.web.conftest import make_settings, seed_users

CLIENT_ID = "safeshare"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OpenID provider, a separate process on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("the OpenID provider did not start")
            time.sleep(0.1)
        people = {
            "alice": {"preferred_username": "alice.sso", "name": "Alice Example",
                      "groups": ["safeshare-officers"]},
            "bob": {"preferred_username": "bob", "groups": ["canteen"]},
            "carol": {"preferred_username": "carol", "groups": ["safeshare-officers"]},
            "dora": {"preferred_username": "dora", "groups": ["safeshare-admins"],
                     "amr": ["pwd", "mfa"]},
            "eve": {"preferred_username": "eve", "groups": ["safeshare-admins"]},
            "hal": {"preferred_username": "hal", "groups": ["safeshare-admins"]},
            "fay": {"preferred_username": "fay", "groups": ["safeshare-advocates"],
                    "organisation": "Support Org A"},
            "gus": {"preferred_username": "gus", "groups": ["safeshare-advocates"],
                    "organisation": "Not Registered"},
        }  # fmt: skip
        for sub, claims in people.items():
            assert httpx.put(f"{base}/users/{sub}", json=claims).status_code == 204
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _config(issuer: str) -> OidcConfig:
    return OidcConfig(
        provider_name="Demoshire Identity",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret="test-client-secret",  # type: ignore[arg-type]
        role_map={
            "safeshare-officers": Role.officer,
            "safeshare-admins": Role.admin,
            "safeshare-advocates": Role.advocate,
        },
        mfa_amr_values=["mfa"],
    )


@pytest.fixture(scope="module")
def app_server(
    provider: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Runtime]]:
    settings = make_settings(tmp_path_factory.mktemp("sso"), oidc=_config(provider))
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    seed_users(runtime)
    with runtime.session() as session:
        carol = auth_service.create_user(
            session, username="carol", display_name="Carol", role=Role.officer,
            password="a long test passphrase for carol",
        )  # fmt: skip
        carol.is_active = False
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, runtime), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "SafeShare did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", runtime
    server.should_exit = True
    thread.join(timeout=10)
    runtime.engine.dispose()


def _with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _sign_in(
    base: str,
    subject: str,
    *,
    authorize: dict[str, str] | None = None,
    callback: dict[str, str] | None = None,
) -> tuple[httpx.Client, httpx.Response]:
    """Start at SafeShare, choose `subject` at the provider, return SafeShare's answer."""
    browser = httpx.Client(base_url=base, timeout=15)
    start = browser.get("/login/sso?next=/home")
    assert start.status_code == 302, start.text
    authorize_url = _with_param(start.headers["location"], **(authorize or {}))
    params = parse_qs(urlsplit(authorize_url).query)
    assert params["code_challenge_method"] == ["S256"] and params["nonce"] and params["state"]
    consent = browser.post(authorize_url, data={"sub": subject})
    assert consent.status_code == 302, consent.text
    answer = browser.get(_with_param(consent.headers["location"], **(callback or {})))
    return browser, answer


def test_a_provider_user_lands_with_the_mapped_role_and_is_provisioned_once(
    app_server: tuple[str, Runtime],
) -> None:
    base, runtime = app_server
    login = httpx.get(base + "/login")
    assert "Sign in with Demoshire Identity" in login.text
    for _ in range(2):  # second time: the same linked account, no new one
        browser, answer = _sign_in(base, "alice")
        assert answer.status_code == 303 and answer.headers["location"] == "/home"
        home = browser.get("/home")
        assert home.status_code == 200 and "Alice Example" in home.text
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username="alice.sso")
        assert user is not None and user.role == "officer" and user.sso_subject == "alice"
        provisioned = ledger_service.search_entries(session, kind="auth.sso_provisioned")
    assert len(provisioned) == 1


def test_sign_out_ends_the_session_and_asks_the_provider_to_end_its_own(
    app_server: tuple[str, Runtime],
) -> None:
    base, _ = app_server
    browser, _ = _sign_in(base, "alice")
    page = browser.get("/home")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    out = browser.post("/logout", data={"csrf_token": token.group(1)})
    assert out.status_code == 303
    assert "/oauth2/end_session" in out.headers["location"]
    assert "post_logout_redirect_uri" in out.headers["location"]
    assert browser.get("/home").status_code in (302, 303, 401)


@pytest.mark.parametrize(
    ("subject", "tamper", "message"),
    [
        ("alice", {"callback": {"state": "forged-state"}}, "could not be completed"),
        ("alice", {"authorize": {"nonce": "someone-elses-nonce"}}, "could not be completed"),
        ("alice", {"authorize": {"client_id": "another-service"}}, "could not be completed"),
        ("bob", {}, "has no SafeShare role"),
        ("carol", {}, "has been deactivated"),
        ("gus", {}, "organisation is not registered"),
    ],
    ids=["tampered-state", "wrong-nonce", "code-for-another-audience", "unmapped-group",
         "deactivated-local-user", "unknown-organisation"],
)  # fmt: skip
def test_refusals(
    app_server: tuple[str, Runtime], subject: str, tamper: dict[str, dict[str, str]], message: str
) -> None:
    browser, answer = _sign_in(app_server[0], subject, **tamper)
    assert answer.status_code == 403, answer.text
    assert message in answer.text
    assert browser.get("/home").status_code != 200


def test_an_id_token_minted_for_another_client_is_refused(provider: str) -> None:
    """A genuine token signed by the provider, but for another audience (or another issuer
    name), fails SafeShare's ID-token check: signature from the JWKS is not enough."""
    other = httpx.Client(base_url=provider, timeout=15)
    code_url = other.post(
        "/oauth2/authorize?" + urlencode({
            "response_type": "code", "client_id": "another-service", "scope": "openid",
            "redirect_uri": "http://127.0.0.1/cb", "nonce": "n-1", "state": "s-1",
        }),
        data={"sub": "alice"},
    ).headers["location"]  # fmt: skip
    code = parse_qs(urlsplit(code_url).query)["code"][0]
    token = other.post(
        "/oauth2/token",
        data={"grant_type": "authorization_code", "code": code,
              "redirect_uri": "http://127.0.0.1/cb"},
        auth=("another-service", "x"),
    ).json()  # fmt: skip
    for config in (_config(provider), _config(provider.replace("127.0.0.1", "localhost"))):
        client = build_client(config)
        with pytest.raises(InvalidClaimError):
            parsed = client.parse_id_token(token, "n-1", claims_options=claims_options(config))
            run_in_own_loop(parsed)
    # The same token is accepted for the client it was made for: the check is not vacuous.
    right = _config(provider).model_copy(update={"client_id": "another-service"})
    claims = run_in_own_loop(
        build_client(right).parse_id_token(token, "n-1", claims_options=claims_options(right))
    )
    assert claims["sub"] == "alice"


def test_mfa_comes_from_the_provider_only_when_its_amr_says_so(
    app_server: tuple[str, Runtime],
) -> None:
    base, _ = app_server
    _, with_mfa = _sign_in(base, "dora")
    assert with_mfa.headers["location"] == "/home"
    _, without = _sign_in(base, "eve")
    assert without.status_code == 303 and without.headers["location"] == "/login/enrol"


def test_advocates_get_their_organisation_from_a_claim(app_server: tuple[str, Runtime]) -> None:
    base, runtime = app_server
    _, answer = _sign_in(base, "fay")
    assert answer.headers["location"] == "/home"
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username="fay")
        assert isinstance(user, User) and user.organisation is not None
        assert user.organisation.name == "Support Org A" and user.role == "advocate"


def test_sso_is_absent_unless_configured(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    settings = make_settings(tmp_path)
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    with TestClient(create_app(settings, runtime)) as client:
        assert "Sign in with" not in client.get("/login").text
        assert client.get("/login/sso", follow_redirects=False).status_code == 404
    runtime.engine.dispose()


def test_step_up_through_the_provider(app_server: tuple[str, Runtime]) -> None:
    """An SSO user confirms it is them at the provider again (`prompt=login`) before a
    sensitive action; someone else's confirmation does not count."""
    base, _ = app_server
    browser, _ = _sign_in(base, "alice")
    start = browser.get("/reauth/sso?next=/home")
    assert start.status_code == 302
    authorize = start.headers["location"]
    assert parse_qs(urlsplit(authorize).query)["prompt"] == ["login"]
    back = browser.get(browser.post(authorize, data={"sub": "alice"}).headers["location"])
    assert back.status_code == 303 and back.headers["location"] == "/home"
    other = browser.get("/reauth/sso?next=/home").headers["location"]
    refused = browser.get(browser.post(other, data={"sub": "fay"}).headers["location"])
    assert refused.status_code == 403 and "different person" in refused.text


def test_step_up_without_the_providers_second_factor_asks_for_the_safeshare_code(
    app_server: tuple[str, Runtime],
) -> None:
    """An SSO user in a role that needs MFA, whose provider does not confirm a second factor,
    has no SafeShare password: after confirming at the provider, the authenticator they
    enrolled with SafeShare completes the step-up."""
    base, runtime = app_server
    _sign_in(base, "hal")  # provisioned; enrols below rather than through the QR page
    with runtime.session() as session:
        hal = auth_service.get_user_by_username(session, username="hal")
        assert isinstance(hal, User)
        secret = mfa.begin_enrolment(session, user_id=hal.id)
        recovery = mfa.confirm_enrolment(session, user_id=hal.id, code=pyotp.TOTP(secret).now())
    browser, answer = _sign_in(base, "hal")
    assert answer.headers["location"] == "/login/code"
    signed_in = _post_code(browser, "/login/code", recovery[0])
    assert signed_in.headers["location"] == "/home"

    start = browser.get("/reauth/sso?next=/home").headers["location"]
    back = browser.get(browser.post(start, data={"sub": "hal"}).headers["location"])
    assert back.status_code == 303 and back.headers["location"] == "/reauth/code"
    wrong = _post_code(browser, "/reauth/code", "000000")
    assert wrong.status_code == 400 and "Enter the 6-digit code" in wrong.text
    done = _post_code(browser, "/reauth/code", recovery[1])
    assert done.status_code == 303 and done.headers["location"] == "/home"
    # The owed code is spent: the page now sends to the ordinary step-up.
    assert browser.get("/reauth/code").headers["location"] == "/reauth"


def _post_code(browser: httpx.Client, path: str, code: str) -> httpx.Response:
    page = browser.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return browser.post(path, data={"csrf_token": token.group(1), "code": code})
