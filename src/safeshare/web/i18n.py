"""Languages of the public pages: gettext catalogues loaded with Babel, chosen per request.

The languages offered are a setting (SAFESHARE_LANGUAGES, checked at startup against the
catalogues shipped). The language is `?lang=` (remembered in the session), else the session's
earlier choice, else the best match for the browser's Accept-Language, else English; a
language the deployment does not offer is never chosen. Templates get newstyle
`gettext`/`ngettext`/`_` in their context (overriding the environment's null translations)
plus the layout's own texts: `html_lang`, `html_dir` (rtl for Arabic), skip link, error
summary title, "Exit this page" and the footer.

Translation workflow (from the repository root; babel.cfg says which files hold strings):

    pybabel extract -F babel.cfg --no-location --sort-output \
        -o src/safeshare/locale/messages.pot .
    pybabel update -i src/safeshare/locale/messages.pot -d src/safeshare/locale \
        --no-fuzzy-matching
    # add the new strings to scripts/translations/<lang>.py for every language, then
    python -m scripts.translations.fill      # fills every .po and compiles every .mo

tests/web/test_locale_catalogues.py fails when a string is missing from a catalogue,
untranslated or fuzzy, when placeholders or plural forms are wrong, when a glossary term is
not used, or when a compiled .mo is stale.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable, Collection
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import Request
from markupsafe import Markup

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
# Every language with a catalogue, each named in itself (the switcher shows these names).
# Which of them a deployment offers is the `languages` setting.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "cy": "Cymraeg",
    "es": "Español",
    "ar": "العربية",
    "pl": "Polski",
    "ro": "Română",
    "pt": "Português",
}
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"
SESSION_KEY = "lang"
QUERY_PARAM = "lang"
# Where "Exit this page" goes: an ordinary, busy site in the page's language.
EXIT_URLS = {
    "en": "https://www.bbc.co.uk/weather",
    "cy": "https://www.bbc.co.uk/cymrufyw",
    "es": "https://www.bbc.com/mundo",
    "ar": "https://www.bbc.com/arabic",
    "pl": "https://pl.wikipedia.org/",
    "ro": "https://ro.wikipedia.org/",
    "pt": "https://www.bbc.com/portuguese",
}
# Ends the session and deletes any draft, then redirects to EXIT_URLS.
EXIT_PATH = "/report/exit"
# Babel locales used to format dates and numbers in each language (Arabic with the Latin
# digits used everywhere else on the page, such as 999 and the reference).
DATE_LOCALES = {
    "en": "en_GB",
    "cy": "cy",
    "es": "es",
    "ar": "ar",
    "pl": "pl",
    "ro": "ro",
    "pt": "pt_PT",
}

# Numbers that between them fall in every CLDR plural category of every language above
# (Arabic's 3-10 and 11-99, Welsh's 6, the millions Spanish and Portuguese set apart).
PLURAL_SAMPLES = (*range(0, 112), 1_000_000)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated at use)."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext_module.NullTranslations:
    """The compiled catalogue for `lang`; English is the source language, so it has none."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return gettext_module.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], DOMAIN)


def negotiate(accept_language: str, offered: Collection[str] = tuple(LANGUAGES)) -> str | None:
    """The offered language the browser prefers most (RFC 9110 weights), or None."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in offered and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else None


def offered_languages(request: Request) -> tuple[str, ...]:
    """The languages this deployment offers (the `languages` setting), in switcher order."""
    configured: tuple[str, ...] = request.app.state.settings.languages
    return tuple(code for code in configured if code in LANGUAGES)


def request_language(request: Request) -> str:
    """This request's language; a `?lang=` choice is remembered in the session."""
    offered = offered_languages(request)
    chosen = request.query_params.get(QUERY_PARAM)
    if chosen in offered:
        request.session[SESSION_KEY] = chosen
        return chosen
    remembered = request.session.get(SESSION_KEY)
    if isinstance(remembered, str) and remembered in offered:
        return remembered
    return negotiate(request.headers.get("accept-language", ""), offered) or DEFAULT_LANGUAGE


class Translator:
    """Translations for one language, for Python code (error messages) and templates."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._translations = translations(self.lang)

    def __call__(self, message: str, **variables: Any) -> str:
        """`message` translated, then %-formatted with `variables` if any are given."""
        text = self._translations.gettext(message)
        return text % variables if variables else text

    def number(self, value: int) -> str:
        """`value` written the way this language groups digits (10,000 or 10.000)."""
        return format_decimal(value, locale=DATE_LOCALES[self.lang])

    def plural_texts(self, text: Callable[[int], str]) -> dict[str, str]:
        """`text(n)` for each CLDR plural category of this language ("one", "few", ...).

        GOV.UK Frontend's scripts pick the category with the browser's Intl.PluralRules; a
        category with no text falls back to "other", which is wrong in Polish (5 znaków, not
        5 znaki), Welsh and Arabic, so each one gets the catalogue's matching plural form.
        """
        # The page's own `lang`, as the browser's Intl.PluralRules sees it ("pt", not pt_PT).
        rule = Locale.parse(self.lang).plural_form
        texts: dict[str, str] = {}
        for n in PLURAL_SAMPLES:
            texts.setdefault(rule(n), text(n))
        # GOV.UK Frontend falls back to "other"; in Polish only fractions are "other".
        texts.setdefault("other", text(PLURAL_SAMPLES[-1]))
        return texts

    def character_count_texts(self) -> dict[str, dict[str, str]]:
        """The character count's pluralised messages, as govukCharacterCount takes them."""
        ngettext = self._translations.ngettext

        # `%%{count}` as in the templates, where %-formatting turns it into GOV.UK's %{count}.
        def remaining(n: int) -> str:
            return ngettext(
                "You have %%{count} character remaining",
                "You have %%{count} characters remaining",
                n,
            ).replace("%%", "%")

        def too_many(n: int) -> str:
            return ngettext(
                "You have %%{count} character too many",
                "You have %%{count} characters too many",
                n,
            ).replace("%%", "%")

        return {"under": self.plural_texts(remaining), "over": self.plural_texts(too_many)}

    def template_gettext(self) -> Callable[..., Markup]:
        """Jinja's newstyle gettext: the translation is markup, variables are escaped."""

        # Catalogue texts are ours and trusted (as Jinja's own newstyle gettext treats them).
        def gettext(message: str, /, **variables: Any) -> Markup:
            return (
                Markup(  # noqa: S704
                    self._translations.gettext(message)
                )
                % variables
            )

        return gettext

    def template_ngettext(self) -> Callable[..., Markup]:
        def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
            variables.setdefault("num", num)
            return Markup(self._translations.ngettext(singular, plural, num)) % variables  # noqa: S704

        return ngettext


def translator(request: Request) -> Translator:
    """The translator for this request's language."""
    return Translator(request_language(request))


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != QUERY_PARAM]
    return f"{request.url.path}?{urlencode([*params, (QUERY_PARAM, lang)])}"


def template_context(request: Request, tr: Translator) -> dict[str, Any]:
    """What every public page's template needs for its language: gettext and layout texts."""
    _ = tr  # the name pybabel extracts
    gettext = tr.template_gettext()
    return {
        "gettext": gettext,
        "_": gettext,
        "ngettext": tr.template_ngettext(),
        "lang": tr.lang,
        "html_lang": tr.lang,
        "html_dir": "rtl" if tr.lang in RIGHT_TO_LEFT else "ltr",
        "character_count": tr.character_count_texts(),
        "force_name": request.app.state.settings.force_name,
        "skip_link_text": _("Skip to main content"),
        "error_summary_title": _("There is a problem"),
        "error_prefix": _("Error"),
        "footer_links_heading": _("Support links"),  # read once layout.html uses it
        "footer_text": _(
            "SafeShare keeps what victims and witnesses tell the police safe. "
            "Your immigration status is never required to report a crime."
        ),
        "exit_this_page": {
            "html": Markup('<span class="govuk-visually-hidden">{}</span> {}').format(
                _("Emergency"), _("Exit this page")
            ),
            # Through our own exit route, which ends the session before leaving the site.
            "redirectUrl": f"{EXIT_PATH}?{QUERY_PARAM}={tr.lang}",
            "activatedText": _("Loading."),
            "timedOutText": _("Exit this page expired."),
            "pressTwoMoreTimesText": _("Shift, press 2 more times to exit."),
            "pressOneMoreTimeText": _("Shift, press 1 more time to exit."),
        },
        "language_links": [
            {
                "code": code,
                "name": LANGUAGES[code],
                "href": _switch_url(request, code),
                "current": code == tr.lang,
            }
            for code in offered_languages(request)
        ],
    }
