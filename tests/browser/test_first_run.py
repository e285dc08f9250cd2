"""First run as a new user has it: the README's `safeshare serve --demo` on a fresh directory.

The real process is started with no SAFESHARE_* settings and no keys, exactly as the README's
first command leaves it, and a victim sends a report through Chromium in English and in
Spanish. This is the journey that failed when `serve` started without a vault key.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAFESHARE = Path(sys.executable).with_name("safeshare")
REFERENCE = re.compile(r"SS-[0-9A-Z]{5}-[0-9A-Z]{5}")
START_TIMEOUT_SECONDS = 300  # the demo history loads before the service listens
DEMO_SCALE = "0.3"
# The demo's table: username │ role │ password │ TOTP key (empty for roles without MFA).
PASSWORD_ROW = re.compile(
    r"│\s*([a-z][a-z0-9._-]*)\s*│\s*([a-z_]+)\s*│\s*(\S+)\s*│\s*([A-Z2-7]*)\s*│"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`safeshare serve --demo` in an empty directory; yields its base URL."""
    workdir = tmp_path_factory.mktemp("first-run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFESHARE_")}
    port = _free_port()
    log = (workdir / "serve.log").open("w")
    process = subprocess.Popen(
        # A smaller history than the default keeps the suite quick; the default's figures are
        # checked by tests/integration/test_demo_history.py and bench/demo_history.py.
        [str(SAFESHARE), "serve", "--demo", "--scale", DEMO_SCALE, "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail("serve --demo exited:\n" + (workdir / "serve.log").read_text())
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve --demo did not answer:\n" + (workdir / "serve.log").read_text())
            time.sleep(0.5)
        for name in ("vault.key", "ledger.key", "secret_key"):
            key = workdir / "var" / name
            assert key.exists(), f"{name} was not created before serving"
            assert key.stat().st_mode & 0o077 == 0, f"{name} is readable by others"
        rows = {
            m.group(1): (m.group(3), m.group(4))
            for m in PASSWORD_ROW.finditer((workdir / "serve.log").read_text())
        }
        assert {"analyst", "advocate", "disclosure", "inspector"} <= set(rows)
        _PASSWORDS.update(rows)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


_PASSWORDS: dict[str, tuple[str, str]] = {}  # username -> (password, TOTP key)


def _csrf(client: httpx.Client, path: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert token, path
    return token[1]


def _signed_in(base: str, username: str) -> httpx.Client:
    """Signed in as the demo prints it: the password, then a code from the printed TOTP key."""
    client = httpx.Client(base_url=base, timeout=60)
    password, totp_key = _PASSWORDS[username]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf(client, "/login")},
    )
    assert response.status_code == 303, response.text[:500]
    if response.headers["location"] == "/login/code":
        code = pyotp.TOTP(totp_key).now()
        response = client.post(
            "/login/code", data={"code": code, "csrf_token": _csrf(client, "/login/code")}
        )
        assert response.status_code == 303, response.text[:500]
    return client


def _cells(html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*numeric[^>]*>(.*?)</td>", html, re.S)
    ]


def test_the_demo_has_a_history_staff_can_see(demo_service: str) -> None:
    analyst = _signed_in(demo_service, "analyst")
    statistics = analyst.get("/oversight/statistics")
    assert statistics.status_code == 200
    cells = _cells(statistics.text)
    assert cells, "no statistics table"
    shown = [c for c in cells if c not in ("[c]", "[x]", "[z]", "0", "")]
    assert len(shown) >= 0.7 * len(cells), f"{len(shown)} of {len(cells)} cells shown"
    pdf = analyst.get("/oversight/assurance-report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    inbox = _signed_in(demo_service, "advocate").get("/support/referrals")
    assert inbox.status_code == 200 and "/support/referrals/" in inbox.text

    reviews = _signed_in(demo_service, "disclosure").get("/policy/reviews")
    assert reviews.status_code == 200 and "/policy/reviews/" in reviews.text

    ledger = _signed_in(demo_service, "inspector").get("/ledger")
    assert ledger.status_code == 200
    assert "Checks passed" in ledger.text and "No checkpoint has been signed yet" not in ledger.text


def _continue(page: Any, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def _heading(page: Any) -> str:
    return " ".join(page.locator("h1").inner_text().split())


def test_a_victim_sends_a_report_in_english(
    demo_service: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory(locale="en-GB")
    page.goto(f"{demo_service}/report")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Domestic abuse", exact=True).check()
    _continue(page, "Continue")
    page.get_by_label("Yes, it happened to me", exact=True).check()
    _continue(page, "Continue")
    _continue(page, "Continue")  # when: optional
    _continue(page, "Continue")  # where: optional
    page.fill("#account", "My partner says he will have me deported if I call anyone.")
    _continue(page, "Continue")
    _continue(page, "Continue")  # interpreter: optional
    page.get_by_label("Yes, I want to give my name and contact details", exact=True).check()
    _continue(page, "Continue")
    page.fill("#name", "Ana Example")
    page.fill("#contact_details", "07700 900999")
    page.fill("#safe_contact", "Weekday mornings")
    _continue(page, "Continue")
    page.get_by_label("Yes", exact=True).check()
    _continue(page, "Continue")
    page.get_by_label("Yes", exact=True).check()
    _continue(page, "Continue")
    page.get_by_label("No, skip these questions", exact=True).check()
    _continue(page, "Continue")
    assert _heading(page) == "Check your answers before sending your report"
    _continue(page, "Send report")
    assert _heading(page) == "Report sent", page.content()
    assert REFERENCE.search(page.inner_text(".govuk-panel"))


def test_a_victim_sends_an_anonymous_report_in_spanish(
    demo_service: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory(locale="es-ES")
    page.goto(f"{demo_service}/report")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("button", name="Empezar ahora").click()
    page.get_by_label("Acecho o acoso", exact=True).check()
    _continue(page, "Continuar")
    page.get_by_label("Sí, me pasó a mí", exact=True).check()
    _continue(page, "Continuar")
    _continue(page, "Continuar")
    _continue(page, "Continuar")
    page.fill("#account", "Mi expareja me espera a la salida del trabajo.")
    _continue(page, "Continuar")
    _continue(page, "Continuar")
    page.get_by_label("No, quiero denunciar de forma anónima", exact=True).check()
    _continue(page, "Continuar")
    page.get_by_label("No, saltar estas preguntas", exact=True).check()
    _continue(page, "Continuar")
    assert _heading(page) == "Revise sus respuestas antes de enviar su denuncia"
    _continue(page, "Continuar")
    page.fill("#passphrase", "río lámpara morado nube")
    page.fill("#confirm_passphrase", "río lámpara morado nube")
    _continue(page, "Enviar la denuncia")
    assert _heading(page) == "Denuncia enviada", page.content()
    assert REFERENCE.search(page.inner_text(".govuk-panel"))
