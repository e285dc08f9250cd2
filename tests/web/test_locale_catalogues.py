"""Every shipped catalogue is complete, hand-written, uses the glossary and is compiled.

A victim reading Welsh or Arabic must never meet an English sentence, a broken placeholder,
a plural with no wording, or two words for "immigration status" on two pages.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from safeshare.config import shipped_languages
from safeshare.web.i18n import DATE_LOCALES, EXIT_URLS, LANGUAGES, LOCALE_DIR
from scripts.translations import fill
from scripts.translations.glossary import GLOSSARY, LANGUAGE_NAMES, render_markdown

POT = LOCALE_DIR / "messages.pot"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
# Placeholders a translation must keep exactly: Python's %(name)s, GOV.UK's %%{count}
# (written so inside _()), str.format's {name}, and markup such as <br> and <strong>.
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%\{\w+\}|(?<!%)\{\w+\}|</?[a-z]+>")
# Short words that may rightly be spelt the same in another language.
# Words some languages write as English does (a religion's name, "Bisexual" in Spanish).
SAME_IN_TRANSLATION = {
    "Error",
    "No",
    "Staff",
    "Important",
    "Interpreter",
    "Sex",
    "or",
    "Sikh",
    "Hindu",
    "Bisexual",
}
# Numbers the plural check runs through: every CLDR category of every language shows up here.
PLURAL_SAMPLES = [*range(0, 220), 1_000, 1_000_000, 2_000_000]


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def _po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _english(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _messages(lang: str) -> list[Message]:
    return [message for message in _read(_po(lang), lang) if message.id]


def test_every_language_is_shipped_named_and_has_an_exit_site() -> None:
    assert set(shipped_languages()) == set(LANGUAGES)
    assert set(fill.SHIPPED) == set(TRANSLATED) == set(LANGUAGE_NAMES)
    assert set(EXIT_URLS) == set(DATE_LOCALES) == set(LANGUAGES)
    assert {LANGUAGES[code] for code in LANGUAGE_NAMES} == set(LANGUAGE_NAMES.values())


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_has_every_string_of_the_template(lang: str) -> None:
    expected = {_english(m) for m in _read(POT) if m.id}
    assert {_english(m) for m in _messages(lang)} == expected, (
        "run python -m scripts.translations.fill (see safeshare.web.i18n)"
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_string_is_untranslated_fuzzy_or_copied(lang: str) -> None:
    catalog = _read(_po(lang), lang)
    assert not catalog.fuzzy, f"{lang}: the catalogue header is fuzzy"
    for message in _messages(lang):
        assert not message.fuzzy, f"{lang}: fuzzy: {message.id!r}"
        forms = _forms(message)
        assert all(form.strip() for form in forms), f"{lang}: untranslated: {message.id!r}"
        if _english(message)[0] not in SAME_IN_TRANSLATION:
            assert forms[0] != _english(message)[0], f"{lang}: copied: {message.id!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_and_markup_are_kept_exactly(lang: str) -> None:
    for message in _messages(lang):
        expected = sorted(PLACEHOLDER.findall(_english(message)[-1]))
        for form in _forms(message):
            assert sorted(PLACEHOLDER.findall(form)) == expected, f"{lang}: {form!r}"
    problems = [(m.id, errors) for m, errors in _read(_po(lang), lang).check() if errors]
    assert problems == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_plural_form_is_written_and_reachable(lang: str) -> None:
    catalog = _read(_po(lang), lang)
    plural = gettext.c2py(catalog.plural_expr)
    used = {plural(n) for n in PLURAL_SAMPLES}
    # The formula never picks a form the catalogue lacks, and every form is used.
    assert used == set(range(catalog.num_plurals)), f"{lang}: {catalog.plural_forms}"
    plurals = [m for m in _messages(lang) if m.pluralizable]
    assert plurals, "the template has plural messages"
    for message in plurals:
        assert len(_forms(message)) == catalog.num_plurals, f"{lang}: {message.id!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_what_the_translation_module_says(lang: str) -> None:
    """The .po is written by scripts/translations/fill.py, never edited by hand."""
    written = fill.messages_for(lang)
    for message in _messages(lang):
        expected = written[_english(message)[0]]
        forms = expected if isinstance(expected, tuple) else (expected,)
        assert _forms(message) == forms, f"{lang}: {message.id!r}: run the fill command"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _read(_po(lang), lang))
    fresh = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
    with _po(lang).with_suffix(".mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    catalogue = {k: v for k, v in fresh._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert {k: v for k, v in shipped._catalog.items() if k != ""} == catalogue  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_glossary_terms_are_used_wherever_the_english_uses_them(lang: str) -> None:
    misses: list[str] = []
    for term in GLOSSARY:
        stems = term.matches.get(lang)
        if not stems:
            continue  # a term no public string uses yet; the glossary still fixes its wording
        source = re.compile(term.source or re.escape(term.english), re.IGNORECASE)
        for message in _messages(lang):
            if not source.search(_english(message)[0]):
                continue
            for form in _forms(message):
                if not any(stem in form.lower() for stem in stems):
                    misses.append(f"{term.english}: {form}")
    assert misses == [], "\n".join(misses)


def test_glossary_covers_every_language_and_its_document_is_current() -> None:
    for term in GLOSSARY:
        assert set(term.wording) == set(LANGUAGE_NAMES), term.english
        for lang, stems in term.matches.items():
            assert any(stem in term.wording[lang].lower() for stem in stems), (term, lang)
    assert fill.GLOSSARY_DOC.read_text(encoding="utf-8") == render_markdown(), (
        "run python -m scripts.translations.fill to render docs/glossary.md"
    )
