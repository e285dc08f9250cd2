"""The public pages in English and Spanish: choosing a language, translated pages and errors,
and a template that holds every string in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from safeshare.web import i18n
from safeshare.web.i18n import LOCALE_DIR, Translator, negotiate
from tests.web.conftest import csrf_from

REPO = Path(__file__).resolve().parents[2]
POT = LOCALE_DIR / "messages.pot"
PUBLIC_PAGES = ["/report", "/report/what-happened", "/report/return"]


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match
    return " ".join(match.group(1).split())


# --- choosing the language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("es-419", "es"),
        ("en-GB,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR, en;q=0.1, es;q=0.9", "es"),
        ("fr, de", None),
        ("es;q=0", None),
        ("", None),
        ("es;q=abc, en", "en"),
    ],
)
def test_accept_language_negotiation(header: str, expected: str | None) -> None:
    assert negotiate(header) == expected


def test_query_choice_is_remembered_in_the_session(anon: TestClient) -> None:
    page = anon.get("/report?lang=es")
    assert '<html lang="es"' in page.text
    assert "Denunciar un delito" in page.text
    follow_on = anon.get("/report/what-happened")
    assert '<html lang="es"' in follow_on.text and "¿Qué pasó?" in follow_on.text
    back = anon.get("/report/what-happened?lang=en")
    assert '<html lang="en"' in back.text and "What happened?" in back.text
    assert '<html lang="en"' in anon.get("/report").text


def test_accept_language_sets_the_default(anon: TestClient) -> None:
    page = anon.get("/report", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es"' in page.text
    assert "Empezar ahora" in page.text
    english = anon.get("/report", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en"' in english.text


def test_unknown_language_choice_is_ignored(anon: TestClient) -> None:
    page = anon.get("/report?lang=xx", headers={"Accept-Language": "en"})
    assert '<html lang="en"' in page.text


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_language_switcher(anon: TestClient, path: str) -> None:
    english = anon.get(f"{path}?lang=en").text
    assert 'href="' + path + '?lang=es" lang="es" hreflang="es">Español</a>' in english
    spanish = anon.get(f"{path}?lang=es").text
    assert 'href="' + path + '?lang=en" lang="en" hreflang="en">English</a>' in spanish


def test_switcher_keeps_other_query_parameters(anon: TestClient) -> None:
    page = anon.get("/report/what-happened?change=1&lang=es").text
    assert 'href="/report/what-happened?change=1&amp;lang=en"' in page


# --- Spanish pages ---------------------------------------------------------------------------


def test_spanish_start_page_and_govuk_component_texts(anon: TestClient) -> None:
    page = anon.get("/report?lang=es").text
    assert title_of(page) == "Denunciar un delito – SafeShare"
    assert "Saltar al contenido principal" in page  # skip link
    assert '<span class="govuk-visually-hidden">Emergencia</span> Salir de esta página' in page
    assert 'href="/report/exit?lang=es"' in page  # ends the session, then to bbc.com/mundo
    assert 'data-i18n.press-two-more-times="Pulse Mayús 2 veces más para salir."' in page
    assert "Advertencia" in page  # the warning icon's fallback text
    assert "No tiene que decirnos cuál es su situación migratoria" in page
    assert "Skip to main content" not in page and "Exit this page" not in page


def test_spanish_question_with_errors(anon: TestClient) -> None:
    anon.get("/report?lang=es")
    token = csrf_from(anon, "/report/what-happened")
    page = anon.post("/report/what-happened", data={"csrf_token": token})
    assert page.status_code == 400
    assert '<html lang="es"' in page.text
    assert title_of(page.text) == "Error: ¿Qué pasó? – SafeShare"
    assert "Hay un problema" in page.text
    assert '<a href="#crime_type">Seleccione lo que pasó</a>' in page.text
    assert "Atrás" in page.text  # back link
    assert "Violencia doméstica" in page.text


def test_spanish_dates_and_numbers_in_errors(anon: TestClient) -> None:
    anon.get("/report?lang=es")
    token = csrf_from(anon, "/report/what-happened")
    anon.post("/report/what-happened", data={"crime_type": "other", "csrf_token": token})
    when = anon.get("/report/when").text
    assert all(label in when for label in ("Día", "Mes", "Año"))
    anon.post("/report/when", data={"csrf_token": token})
    anon.post("/report/where", data={"csrf_token": token})
    too_long = anon.post(
        "/report/your-account", data={"account": "x" * 10_001, "csrf_token": token}
    )
    assert "Lo que pasó debe tener 10.000 caracteres o menos" in too_long.text


def test_english_is_the_default(anon: TestClient) -> None:
    page = anon.get("/report").text
    assert '<html lang="en"' in page
    assert title_of(page) == "Report a crime – SafeShare"
    assert 'href="/report/exit?lang=en"' in page


def test_translator_formats_and_falls_back_to_english() -> None:
    spanish = Translator("es")
    assert spanish("There is a problem") == "Hay un problema"
    assert spanish("Your name must be %(count)s characters or fewer", count="200") == (
        "Su nombre debe tener 200 caracteres o menos"
    )
    assert spanish.number(10_000) == "10.000"
    assert Translator("xx")("There is a problem") == "There is a problem"
    markup = spanish.template_gettext()(
        "Your reference is<br><strong>%(reference)s</strong>", reference="<b>"
    )
    assert str(markup) == "Su referencia es<br><strong>&lt;b&gt;</strong>"


# --- the catalogue ---------------------------------------------------------------------------


def _extracted() -> set[str | tuple[str, ...]]:
    with (REPO / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_every_string_in_the_code_is_in_the_template() -> None:
    """The template is current; tests/web/test_locale_catalogues.py checks each catalogue."""
    extracted = _extracted()
    assert len(extracted) > 150
    assert _ids(_catalogue(POT)) == extracted, "run pybabel extract (see safeshare.web.i18n)"


def test_translations_load_from_the_package() -> None:
    i18n.translations.cache_clear()
    assert i18n.translations("es").gettext("Back") == "Atrás"
    assert i18n.translations("en").gettext("Back") == "Back"
