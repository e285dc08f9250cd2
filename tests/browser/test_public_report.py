"""The public form in a real browser with JavaScript off, in English and in Spanish.

Every page of each journey, error pages included, is checked with axe (WCAG 2.2 AA).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from safeshare.config import Settings
from safeshare.vault.keys import FileKeyProvider
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
REFERENCE = re.compile(r"SS-[0-9A-Z]{5}-[0-9A-Z]{5}")
PASSPHRASE = "río lámpara morado nube"


@pytest.fixture(scope="module", autouse=True)
def vault_key(browser_settings: Settings) -> None:
    """The live server seals answers with the file key provider: give it a key file."""
    assert browser_settings.vault_key_file is not None
    if not browser_settings.vault_key_file.exists():
        FileKeyProvider.create(browser_settings.vault_key_file)


def _heading(page: Any) -> str:
    return " ".join(page.locator("h1").inner_text().split())


def _press(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _choose(page: Any, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def _check_page(page: Any, heading: str) -> None:
    assert _heading(page) == heading, _heading(page)
    assert page.locator(".govuk-exit-this-page").count() == 1
    assert_accessible(page)


def test_public_form_in_english_without_javascript(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory(javascript=False, locale="en-GB")
    page.goto(f"{live_server}/report")
    assert page.locator("html").get_attribute("lang") == "en"
    _check_page(page, "Report a crime")
    page.get_by_role("button", name="Start now").click()

    _check_page(page, "What happened?")
    _press(page, "Continue")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.title().startswith("Error: ")
    _check_page(page, "What happened?")
    _choose(page, "Domestic abuse")
    _press(page, "Continue")

    _check_page(page, "Did this happen to you?")
    _choose(page, "Yes, it happened to me")
    _press(page, "Continue")

    _check_page(page, "When did it happen?")
    page.fill("#occurred_from-day", "31")
    page.fill("#occurred_from-month", "2")
    page.fill("#occurred_from-year", "2024")
    _press(page, "Continue")
    assert "The date it happened must be a real date" in page.inner_text(".govuk-error-summary")
    _check_page(page, "When did it happen?")
    page.fill("#occurred_from-day", "9")
    page.fill("#occurred_from-month", "5")
    _press(page, "Continue")

    _check_page(page, "Where did it happen?")
    page.fill("#area", "Leeds")
    _press(page, "Continue")
    _check_page(page, "Tell us what happened")
    page.fill("#account", "My husband hit me and took my phone.")
    _press(page, "Continue")
    _check_page(page, "Do you need an interpreter?")
    _press(page, "Continue")
    _check_page(page, "Do you want to give your name and contact details?")
    _choose(page, "Yes, I want to give my name and contact details")
    _press(page, "Continue")
    _check_page(page, "Your name and how to contact you")
    page.fill("#name", "Maria")
    page.fill("#contact_details", "07700 900123")
    page.fill("#safe_contact", "Weekday mornings")
    _press(page, "Continue")
    _check_page(page, "Do you want us to refer you to a support organisation?")
    _choose(page, "Yes")
    _press(page, "Continue")
    _check_page(page, "Can the police contact you about your report?")
    _choose(page, "Yes")
    _press(page, "Continue")
    _check_page(page, "Do you want to answer some questions about yourself?")
    _choose(page, "Yes, answer the questions")
    _press(page, "Continue")
    for heading, label in (
        ("What is your sex?", "Female"),
        ("How old are you?", "25 to 34"),
        ("What is your ethnic group?", "Prefer not to say"),
        ("What is your nationality?", "Another country"),
        ("Do you have a disability?", "Prefer not to say"),
        ("What is your religion?", "No religion"),
        ("Which of these best describes your sexual orientation?", "Prefer not to say"),
        ("Which language would you prefer to use with the police?", "Portuguese"),
        ("What is your immigration status?", "I do not know"),
    ):
        _check_page(page, heading)
        _choose(page, label)
        _press(page, "Continue")

    _check_page(page, "Check your answers before sending your report")
    assert "9 May 2024" in page.inner_text(".govuk-summary-list")
    page.get_by_role("link", name="Change Where it happened").click()
    _check_page(page, "Where did it happen?")
    page.fill("#area", "Bradford")
    _press(page, "Continue")
    _check_page(page, "Check your answers before sending your report")
    assert "Bradford" in page.inner_text(".govuk-summary-list")
    _press(page, "Send report")

    assert _heading(page) == "Report sent"
    assert REFERENCE.search(page.inner_text(".govuk-panel"))
    assert_accessible(page)


def test_anonymous_report_and_return_visit_in_spanish_without_javascript(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory(javascript=False, locale="es-ES")  # Accept-Language chooses Spanish
    page.goto(f"{live_server}/report")
    assert page.locator("html").get_attribute("lang") == "es"
    _check_page(page, "Denunciar un delito")
    assert page.get_by_role("link", name="English").count() == 1
    page.get_by_role("button", name="Empezar ahora").click()

    _check_page(page, "¿Qué pasó?")
    _choose(page, "Acecho o acoso")
    _press(page, "Continuar")
    _check_page(page, "¿Le pasó a usted?")
    _choose(page, "Sí, me pasó a mí")
    _press(page, "Continuar")
    _check_page(page, "¿Cuándo pasó?")
    _press(page, "Continuar")
    _check_page(page, "¿Dónde pasó?")
    _press(page, "Continuar")
    _check_page(page, "Cuéntenos lo que pasó")
    _press(page, "Continuar")
    assert page.locator(".govuk-error-summary__title").inner_text().strip() == "Hay un problema"
    assert "Escriba lo que pasó" in page.inner_text(".govuk-error-summary")
    _check_page(page, "Cuéntenos lo que pasó")
    page.fill("#account", "Mi expareja me sigue al trabajo todos los días.")
    _press(page, "Continuar")
    _check_page(page, "¿Necesita un intérprete?")
    page.fill("#language_needs", "Español")
    _press(page, "Continuar")
    _check_page(page, "¿Quiere darnos su nombre y sus datos de contacto?")
    _choose(page, "No, quiero denunciar de forma anónima")
    _press(page, "Continuar")
    _check_page(page, "¿Quiere responder algunas preguntas sobre usted?")
    _choose(page, "No, saltar estas preguntas")
    _press(page, "Continuar")

    _check_page(page, "Revise sus respuestas antes de enviar su denuncia")
    page.get_by_role("button", name="Continuar").click()
    _check_page(page, "Elija una frase de acceso")
    page.fill("#passphrase", PASSPHRASE)
    page.fill("#confirm_passphrase", "otra cosa distinta")
    _press(page, "Enviar la denuncia")
    assert "Las frases de acceso no coinciden" in page.inner_text(".govuk-error-summary")
    _check_page(page, "Elija una frase de acceso")
    page.fill("#passphrase", PASSPHRASE)
    page.fill("#confirm_passphrase", PASSPHRASE)
    _press(page, "Enviar la denuncia")

    assert _heading(page) == "Denuncia enviada"
    match = REFERENCE.search(page.inner_text(".govuk-panel"))
    assert match
    assert_accessible(page)

    page.get_by_role("link", name="Volver a una denuncia anónima").first.click()
    _check_page(page, "Volver a una denuncia anónima")
    page.fill("#reference", match.group(0))
    page.fill("#passphrase", "no es la frase")
    page.fill("#information", "Ayer volvió a esperarme en la puerta.")
    _press(page, "Enviar")
    assert "La referencia o la frase de acceso no son correctas" in page.inner_text(
        ".govuk-error-summary"
    )
    assert page.input_value("#information") == "Ayer volvió a esperarme en la puerta."
    _check_page(page, "Volver a una denuncia anónima")
    page.fill("#passphrase", PASSPHRASE)
    _choose(page, "La policía puede ponerse en contacto conmigo")
    page.fill("#contact_details", "07700 900456")
    page.fill("#safe_contact", "Por las mañanas")
    _press(page, "Enviar")
    assert _heading(page) == "Lo hemos añadido a su denuncia"
    assert_accessible(page)


@pytest.mark.parametrize(
    ("locale", "destination"),
    [("en-GB", "https://www.bbc.co.uk/weather"), ("es-ES", "https://www.bbc.com/mundo")],
)
def test_exit_this_page_leaves_the_site(
    live_server: str, page_factory: Callable[..., Any], locale: str, destination: str
) -> None:
    page = page_factory(javascript=False, locale=locale)
    # The sandbox has no internet: answer for the destination so the navigation completes.
    page.context.route(
        destination + "**",
        lambda route: route.fulfill(body="<title>Elsewhere</title>", content_type="text/html"),
    )
    page.goto(f"{live_server}/report/what-happened")
    page.locator(".govuk-exit-this-page a").click()
    page.wait_for_url(destination + "**")
    assert not page.url.startswith(live_server)
