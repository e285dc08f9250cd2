"""All seven languages on every public page, and the language list as a setting."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel import Locale
from fastapi.testclient import TestClient
from markupsafe import escape

from safeshare.runtime import Runtime
from safeshare.web.app import create_app
from safeshare.web.i18n import EXIT_URLS, LANGUAGES, Translator, negotiate

# Public pages a victim can reach without a draft, plus a public 404.
PAGES = [
    "/",
    "/report",
    "/report/what-happened",
    "/report/return",
    "/report/privacy",
    "/report/what-we-share",
    "/report/cover-your-tracks",
    "/report/no-such-page",
]


def _html_tag(page: str) -> str:
    match = re.search(r"<html [^>]*>", page)
    assert match
    return match.group(0)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_public_page_in_every_language(anon: TestClient, lang: str) -> None:
    tr = Translator(lang)
    direction = "rtl" if lang == "ar" else "ltr"
    for path in PAGES:
        response = anon.get(f"{path}?lang={lang}")
        assert response.status_code == (404 if "no-such" in path else 200), path
        page = response.text
        assert _html_tag(page) == f'<html lang="{lang}" dir="{direction}" class="govuk-template">'
        for text in ("Exit this page", "Skip to main content"):
            assert str(escape(tr(text))) in page, (path, text)
        if lang != "en":
            assert "Exit this page" not in page and "Skip to main content" not in page, path
    anon.get("/report?lang=en")


def test_switcher_names_each_language_in_itself(anon: TestClient) -> None:
    page = anon.get("/report?lang=cy").text
    for code, name in LANGUAGES.items():
        if code == "cy":
            assert (
                f'<span class="govuk-!-font-weight-bold" lang="cy" aria-current="true">{name}'
                in (page)
            )
        else:
            assert f'href="/report?lang={code}" lang="{code}" hreflang="{code}">{name}</a>' in page
    assert "العربية" in page and "Română" in page and "Português" in page


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("cy-GB,cy;q=0.9,en;q=0.8", "cy"),
        ("ar-SA,ar;q=0.9", "ar"),
        ("pl-PL", "pl"),
        ("ro-RO,ro;q=0.9,en;q=0.5", "ro"),
        ("pt-BR,pt;q=0.9", "pt"),
        ("fr-FR,pt-PT;q=0.4,es;q=0.5", "es"),
    ],
)
def test_browser_languages_are_honoured(header: str, expected: str) -> None:
    assert negotiate(header) == expected


def test_exit_goes_to_a_site_in_the_page_language(anon: TestClient) -> None:
    for lang in ("cy", "ar", "pl", "ro", "pt"):
        anon.get(f"/report?lang={lang}")
        response = anon.get(f"/report/exit?lang={lang}")
        assert response.status_code == 303
        assert response.headers["location"] == EXIT_URLS[lang]


@pytest.fixture
def welsh_only(web_runtime: Runtime) -> Iterator[TestClient]:
    """A force in Wales that offers English and Welsh only."""
    settings = web_runtime.settings.model_copy(update={"languages": ("en", "cy")})
    with TestClient(create_app(settings, web_runtime), follow_redirects=False) as client:
        yield client


def test_only_configured_languages_are_offered(welsh_only: TestClient) -> None:
    page = welsh_only.get("/report").text
    assert 'hreflang="cy">Cymraeg</a>' in page
    assert not any(f'hreflang="{code}"' in page for code in ("es", "ar", "pl", "ro", "pt"))


def test_unconfigured_languages_fall_back_to_english(welsh_only: TestClient) -> None:
    assert 'lang="en"' in _html_tag(welsh_only.get("/report?lang=ar").text)
    arabic_browser = welsh_only.get("/report", headers={"Accept-Language": "ar,pl;q=0.9"})
    assert 'lang="en"' in _html_tag(arabic_browser.text)
    welsh_browser = welsh_only.get("/report", headers={"Accept-Language": "pl,cy;q=0.5"})
    assert 'lang="cy"' in _html_tag(welsh_browser.text)
    assert welsh_only.get("/report/exit?lang=ar").headers["location"] == EXIT_URLS["en"]


def test_character_count_has_every_plural_form_of_the_language() -> None:
    """GOV.UK Frontend picks the form with Intl.PluralRules; each one must have its text."""
    polish = Translator("pl").character_count_texts()
    assert polish["under"]["one"] == "Został Ci %{count} znak"
    assert polish["under"]["few"] == "Zostały Ci %{count} znaki"  # 2-4, 22-24...
    assert polish["over"]["many"] == "Masz %{count} znaków za dużo"  # 5-21, 25-31...
    arabic = Translator("ar").character_count_texts()["under"]
    assert set(arabic) == {"zero", "one", "two", "few", "many", "other"}
    assert "أحرف" in arabic["few"] and "حرفًا" in arabic["many"]
    for lang in LANGUAGES:
        texts = Translator(lang).character_count_texts()
        rule = Locale.parse(lang).plural_form
        integer_forms = {rule(n) for n in range(0, 1_000)} | {rule(1_000_000), "other"}
        for kind in ("under", "over"):
            assert set(texts[kind]) == integer_forms, (lang, kind)
            assert all("%{count}" in text for text in texts[kind].values()), (lang, kind)
