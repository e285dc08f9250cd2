"""Write the hand-written translations into the gettext catalogues and compile them.

Run from the repository root after `pybabel extract` (see safeshare.web.i18n):

    python -m scripts.translations.fill            # every language in SHIPPED
    python -m scripts.translations.fill cy ar      # only these

For each language it brings the catalogue up to date with messages.pot (creating it if
needed), sets every msgstr from scripts/translations/<lang>.py, and writes the .po and .mo.
It stops with a list of the msgids that have no translation yet, so none ship half done, and
it also renders docs/glossary.md from glossary.py.
"""

from __future__ import annotations

import importlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from scripts.translations.glossary import render_markdown

REPO = Path(__file__).resolve().parents[2]
LOCALE_DIR = REPO / "src" / "safeshare" / "locale"
POT = LOCALE_DIR / "messages.pot"
GLOSSARY_DOC = REPO / "docs" / "glossary.md"
# Languages with a module here (English is the source language and has no catalogue).
SHIPPED = ("cy", "es", "ar", "pl", "ro", "pt")
LANGUAGE_TEAMS = {
    "cy": "Welsh",
    "es": "Spanish",
    "ar": "Arabic",
    "pl": "Polish",
    "ro": "Romanian",
    "pt": "Portuguese",
}

Translation = str | tuple[str, ...]


def messages_for(lang: str) -> dict[str, Translation]:
    """The dict of translations written for `lang`."""
    module = importlib.import_module(f"scripts.translations.{lang}")
    messages: dict[str, Translation] = module.MESSAGES
    return messages


def po_path(lang: str) -> Path:
    """Where `lang`'s catalogue lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def _load(lang: str, template: Catalog) -> Catalog:
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
    else:
        catalog = Catalog(
            locale=lang,
            project="SafeShare",
            version="0.1.0",
            copyright_holder="SafeShare contributors",
            last_translator="SafeShare team",
            language_team=f"{LANGUAGE_TEAMS[lang]} <{lang}@li.org>",
        )
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()  # removed strings go; the dict keeps their wording if needed
    return catalog


def fill(lang: str, template: Catalog) -> list[str]:
    """Fill and write `lang`'s catalogue; the msgids still missing a translation."""
    catalog = _load(lang, template)
    written = messages_for(lang)
    before = {message.id: message.string for message in catalog if message.id}
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        translation = written.get(key)
        if translation is None:
            missing.append(key)
            continue
        if message.pluralizable:
            forms = translation if isinstance(translation, tuple) else (translation,)
            if len(forms) != catalog.num_plurals:
                raise SystemExit(
                    f"{lang}: {key!r} needs {catalog.num_plurals} plural forms, got {len(forms)}"
                )
            message.string = forms
        else:
            if not isinstance(translation, str):
                raise SystemExit(f"{lang}: {key!r} is not a plural message")
            message.string = translation
        message.flags.discard("fuzzy")
    catalog.fuzzy = False
    if before != {message.id: message.string for message in catalog if message.id}:
        catalog.revision_date = datetime.now(UTC)  # only when a translation changed
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76, omit_header=False, no_location=True)
    with path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)
    return missing


def main(argv: list[str]) -> int:
    """Fill the named languages (all by default); non-zero if any msgid is untranslated."""
    with POT.open("rb") as handle:
        template = read_po(handle)
    failed = False
    for lang in argv or SHIPPED:
        missing = fill(lang, template)
        for msgid in missing:
            print(f"{lang}: untranslated: {msgid!r}")
        failed = failed or bool(missing)
        print(f"{lang}: {len(template) - len(missing)}/{len(template)} translated")
    GLOSSARY_DOC.write_text(render_markdown(), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
