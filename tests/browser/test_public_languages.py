"""Every public page in every language on a 375 px phone and a 1280 px desktop: right `lang`
and `dir`, no axe violation (WCAG 2.2 AA), and a whole report sent in each language (phone).

One server for the module and one browser context per language keep it quick; JavaScript is
on (the character count and "Exit this page" scripts run), and a short pass with it off
covers Arabic, the right-to-left language.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from babel import Locale
from fastapi import Depends
from playwright.sync_api import expect

from safeshare.auth.permissions import Actor
from safeshare.db import migrate
from safeshare.runtime import Runtime
from safeshare.vault.keys import FileKeyProvider
from safeshare.web import public_form
from safeshare.web.access import PUBLIC
from safeshare.web.app import create_app
from safeshare.web.i18n import EXIT_URLS, LANGUAGES, RIGHT_TO_LEFT, Translator
from tests.browser.conftest import assert_accessible, serve
from tests.web.conftest import make_settings

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
STATIC_PAGES = (
    "/report",
    "/report/privacy",
    "/report/what-we-share",
    "/report/view",
    "/report/cover-your-tracks",
    "/report/return",
    "/report/no-such-page",
)
FAILING_PAGE = "/report/test-failure"


def _fail(_principal: Annotated[Actor | None, Depends(PUBLIC)]) -> None:
    raise RuntimeError("a fault the public error page must not show")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, plus one public page that always fails (for the 500 page)."""
    var_dir: Path = tmp_path_factory.mktemp("languages")
    runtime = Runtime(make_settings(var_dir))
    migrate.upgrade(runtime.engine)
    assert runtime.settings.vault_key_file is not None
    FileKeyProvider.create(runtime.settings.vault_key_file)
    app = create_app(runtime.settings, runtime)
    app.add_api_route(FAILING_PAGE, _fail)
    app.router.routes.insert(0, app.router.routes.pop())  # before /report/{slug}
    with serve(app) as base_url:
        yield base_url
    runtime.engine.dispose()


def _expect(page: Any, lang: str, path: str) -> None:
    """The page is in `lang`, runs in its direction and passes axe."""
    html = page.locator("html")
    assert html.get_attribute("lang") == lang, path
    assert html.get_attribute("dir") == ("rtl" if lang in RIGHT_TO_LEFT else "ltr"), path
    assert page.locator(".govuk-exit-this-page").count() == 1, path
    assert_accessible(page)


def _submit(page: Any) -> None:
    page.locator("main form button.govuk-button").first.click()
    page.wait_for_load_state()


def _answer_first_option(page: Any) -> None:
    page.locator("main input[type=radio]").first.check()
    _submit(page)


def _visit(page: Any, base: str, lang: str, path: str) -> None:
    page.goto(f"{base}{path}")
    _expect(page, lang, path)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_public_page_in_every_language_on_a_phone(
    server: str, browser: Any, lang: str
) -> None:
    tr = Translator(lang)
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _visit(page, server, lang, f"/?lang={lang}")  # the choice is kept from here on
        for path in (*STATIC_PAGES, FAILING_PAGE):
            _visit(page, server, lang, path)
        assert tr("Sorry, there is a problem with the service") in page.inner_text("h1")

        _visit(page, server, lang, "/report/what-happened")
        _submit(page)  # nothing chosen: the error summary, in this language
        assert tr("Select what happened") in page.inner_text(".govuk-error-summary")
        _expect(page, lang, "what-happened (error)")
        _answer_first_option(page)
        _expect(page, lang, "victim-or-witness")
        _answer_first_option(page)  # it happened to me
        _expect(page, lang, "when")
        page.fill("#occurred_from-day", "9")
        page.fill("#occurred_from-month", "5")
        page.fill("#occurred_from-year", "2024")
        _submit(page)
        _expect(page, lang, "where")
        page.fill("#area", "Leeds")
        _submit(page)
        _expect(page, lang, "your-account")
        # The character count's script runs and uses this language's plural form for 9,993
        # ("few" in Polish, "many" in Arabic, "other" with "de" in Romanian).
        page.fill("#account", "Test 42")
        wording = tr.character_count_texts()["under"][Locale.parse(lang).plural_form(9993)]
        for part in wording.split("%{count}"):
            expect(page.locator(".govuk-character-count__status")).to_contain_text(part.strip())
        page.fill("#account", "A fictional account written for a test.")
        _submit(page)
        _expect(page, lang, "interpreter")
        _submit(page)
        _expect(page, lang, "your-details")
        _answer_first_option(page)  # yes: name and contact details
        _expect(page, lang, "contact")
        page.fill("#name", "Test Person")
        page.fill("#contact_details", "07700 900123")
        page.fill("#safe_contact", "Weekday mornings")
        _submit(page)
        monitoring = [step.slug for step in public_form.MONITORING_STEPS]
        for step in ("support", "police-contact", "about-you", *monitoring):
            _expect(page, lang, step)
            _answer_first_option(page)
        _expect(page, lang, "check")
        assert tr("Check your answers before sending your report") in page.inner_text("h1")
        _submit(page)
        _expect(page, lang, "confirmation")
        assert tr("Report sent") in page.inner_text("h1")

        # "Exit this page" leaves for an ordinary site in the same language.
        destination = EXIT_URLS[lang]
        page.context.route(
            destination + "**",
            lambda route: route.fulfill(body="<title>Elsewhere</title>", content_type="text/html"),
        )
        page.locator(".govuk-exit-this-page a").click()
        page.wait_for_url(destination + "**")
    finally:
        context.close()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_public_page_in_every_language_on_a_desktop(
    server: str, browser: Any, lang: str
) -> None:
    """The same pages at 1280 px (the journey's question pages share their layout)."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _visit(page, server, lang, f"/?lang={lang}")
        for path in (*STATIC_PAGES, "/report/what-happened", FAILING_PAGE):
            _visit(page, server, lang, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= DESKTOP["width"], (path, width)
    finally:
        context.close()


def test_arabic_without_javascript(server: str, page_factory: Any) -> None:
    page = page_factory(javascript=False, locale="ar-SA")
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/report")  # Accept-Language chooses Arabic
    _expect(page, "ar", "/report")
    page.goto(f"{server}/report/what-happened")
    _submit(page)
    _expect(page, "ar", "what-happened (error)")
    _answer_first_option(page)
    _expect(page, "ar", "victim-or-witness")
    _answer_first_option(page)
    _expect(page, "ar", "when")
    _submit(page)
    _submit(page)
    _expect(page, "ar", "your-account")
    # Without JavaScript the limit is stated instead of counted, in Arabic.
    limit = Translator("ar")("You can enter up to %%{count} characters")
    assert limit.replace("%%{count}", "10000") in page.inner_text("main")
    _visit(page, server, "ar", "/report/cover-your-tracks")
