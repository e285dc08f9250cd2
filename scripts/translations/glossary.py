"""Fixed terms: the one way each language says these words on the public pages.

`matches` are lower-case stems that any correct inflection contains (Welsh mutates,
Polish and Romanian decline, Arabic joins prefixes), so the test in
tests/web/test_locale_catalogues.py can check that a translation whose English source uses
the term uses the glossary's word for it. `fill.py` renders this as docs/glossary.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safeshare.web.i18n import DEFAULT_LANGUAGE, LANGUAGES


@dataclass(frozen=True)
class Term:
    """One fixed term: English, what it means, and each language's wording and stems."""

    english: str
    note: str
    wording: dict[str, str]
    matches: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Regular expression the English source must match for the check to apply (default:
    # the English term itself, case-insensitive).
    source: str = ""


# The translated languages, each named in itself (English is the source).
LANGUAGE_NAMES = {code: name for code, name in LANGUAGES.items() if code != DEFAULT_LANGUAGE}


GLOSSARY: tuple[Term, ...] = (
    Term(
        "immigration status",
        "Her right to be in the UK (visa, leave, asylum claim). Never required to report.",
        {
            "cy": "statws mewnfudo",
            "es": "situación migratoria",
            "ar": "وضع الهجرة",
            "pl": "status imigracyjny",
            "ro": "statutul de imigrare",
            "pt": "situação migratória",
        },
        {
            "cy": ("statws mewnfudo",),
            "es": ("situación migratoria",),
            "ar": ("وضع الهجرة",),
            "pl": ("status imigracyjn", "statusu imigracyjn", "statusie imigracyjn"),
            "ro": ("statutul de imigrare",),
            "pt": ("situação migratória",),
        },
    ),
    Term(
        "Exit this page",
        "The GOV.UK button that leaves the site at once; always quoted exactly.",
        {
            "cy": "Gadael y dudalen hon",
            "es": "Salir de esta página",
            "ar": "الخروج من هذه الصفحة",
            "pl": "Opuść tę stronę",
            "ro": "Ieșiți de pe această pagină",
            "pt": "Sair desta página",
        },
        {
            "cy": ("gadael y dudalen hon",),
            "es": ("salir de esta página",),
            "ar": ("الخروج من هذه الصفحة",),
            "pl": ("opuść tę stronę",),
            "ro": ("ieșiți de pe această pagină",),
            "pt": ("sair desta página",),
        },
    ),
    Term(
        "passphrase",
        "Several words she chooses to come back to an anonymous report (not a password).",
        {
            "cy": "cyfrinymadrodd",
            "es": "frase de acceso",
            "ar": "عبارة المرور",
            "pl": "fraza dostępu",
            "ro": "fraza de acces",
            "pt": "frase-passe",
        },
        {
            "cy": ("yfrinymadrodd",),  # cyf-, gyf-, chyf-, nghyf- (mutations)
            "es": ("frase de acceso", "frases de acceso"),
            "ar": ("عبارة المرور", "عبارتا المرور"),
            "pl": ("fraz", "dostępu"),
            "ro": ("fraza de acces", "frază de acces", "frazele de acces", "frazei de acces"),
            "pt": ("frase-passe", "frases-passe"),
        },
        source=r"passphrase",
    ),
    Term(
        "reference",
        "The report reference, for example SS-7K4MQ-2XD9B.",
        {
            "cy": "cyfeirnod",
            "es": "referencia",
            "ar": "الرقم المرجعي",
            "pl": "numer referencyjny",
            "ro": "numărul de referință",
            "pt": "referência",
        },
        {
            "cy": ("yfeirnod",),
            "es": ("referencia",),
            "ar": ("مرجعي",),
            "pl": ("numer referencyjn", "numeru referencyjn", "numerem referencyjn"),
            "ro": ("de referință",),
            "pt": ("referência",),
        },
        source=r"\breference\b",
    ),
    Term(
        "Home Office",
        "The UK government department responsible for immigration enforcement.",
        {
            "cy": "y Swyddfa Gartref",
            "es": "Ministerio del Interior (Home Office)",
            "ar": "وزارة الداخلية",
            "pl": "Ministerstwo Spraw Wewnętrznych (Home Office)",
            "ro": "Ministerul de Interne (Home Office)",
            "pt": "Ministério do Interior (Home Office)",
        },
        {
            "cy": ("swyddfa gartref",),
            "es": ("ministerio del interior",),
            "ar": ("وزارة الداخلية",),
            "pl": ("spraw wewnętrznych",),
            "ro": ("ministerul de interne", "ministerului de interne"),
            "pt": ("ministério do interior",),
        },
    ),
    Term(
        "police",
        "The police force; not the courts or the Home Office.",
        {
            "cy": "yr heddlu",
            "es": "la policía",
            "ar": "الشرطة",
            "pl": "policja",
            "ro": "poliția",
            "pt": "a polícia",
        },
        {
            "cy": ("heddlu",),
            "es": ("policía",),
            "ar": ("شرطة",),
            "pl": ("polic",),
            "ro": ("poliți",),
            "pt": ("polícia", "policial", "policiais"),
        },
        source=r"\bpolice\b",
    ),
    Term(
        "domestic abuse",
        "Abuse by a partner, ex-partner or family member, including coercive control.",
        {
            "cy": "cam-drin domestig",
            "es": "violencia doméstica",
            "ar": "العنف الأسري",
            "pl": "przemoc domowa",
            "ro": "violența domestică",
            "pt": "violência doméstica",
        },
        {
            "cy": ("cam-drin domestig",),
            "es": ("violencia doméstica",),
            "ar": ("العنف الأسري",),
            "pl": ("przemoc domow", "przemocy domow"),
            "ro": ("violența domestică", "violenței domestice", "violență domestică"),
            "pt": ("violência doméstica",),
        },
    ),
    Term(
        "support organisation",
        "An independent charity or service that helps victims; not part of the police.",
        {
            "cy": "sefydliad cymorth",
            "es": "organización de apoyo",
            "ar": "منظمة دعم",
            "pl": "organizacja pomocowa",
            "ro": "organizație de sprijin",
            "pt": "organização de apoio",
        },
        {
            "cy": ("sefydliad cymorth", "sefydliadau cymorth"),
            "es": ("organización de apoyo", "organizaciones de apoyo"),
            "ar": ("منظمة دعم", "منظمات الدعم", "منظمة الدعم"),
            "pl": ("organizacj", "pomocow"),
            "ro": ("organizați", "de sprijin"),
            "pt": ("organização de apoio", "organizações de apoio"),
        },
        source=r"support organisation",
    ),
    Term(
        "'by and for' organisation",
        "A specialist service run by people from the community it serves.",
        {
            "cy": "sefydliad sy'n cael ei redeg gan eich cymuned ac ar ei chyfer",
            "es": "organización dirigida por y para su comunidad",
            "ar": "منظمة يديرها أبناء مجتمعك لخدمته",
            "pl": "organizacja prowadzona przez Twoją społeczność i dla niej",
            "ro": "organizație condusă de comunitatea dvs., pentru comunitatea dvs.",
            "pt": "organização gerida pela sua comunidade e para ela",
        },
        {
            "cy": ("cymuned",),
            "es": ("comunidad",),
            "ar": ("مجتمعك",),
            "pl": ("społeczn",),
            "ro": ("comunitat",),
            "pt": ("comunidade",),
        },
        source=r"by and for",
    ),
    Term(
        "no recourse to public funds (NRPF)",
        "A visa condition: no access to most benefits or council housing.",
        {
            "cy": "dim hawl i arian cyhoeddus (NRPF)",
            "es": "sin acceso a fondos públicos (NRPF)",
            "ar": "لا حق في الأموال العامة (NRPF)",
            "pl": "brak prawa do świadczeń publicznych (NRPF)",
            "ro": "fără drept la fonduri publice (NRPF)",
            "pt": "sem acesso a fundos públicos (NRPF)",
        },
    ),
    Term(
        "Victims' Code",
        "The Code of Practice for Victims of Crime: what the police must do for her.",
        {
            "cy": "Cod y Dioddefwyr",
            "es": "Código de las Víctimas",
            "ar": "مدونة حقوق الضحايا",
            "pl": "Kodeks praw ofiar",
            "ro": "Codul Victimelor",
            "pt": "Código das Vítimas",
        },
    ),
    Term(
        "consent",
        "Her agreement to be contacted or referred; she can withdraw it at any time.",
        {
            "cy": "caniatâd",
            "es": "consentimiento",
            "ar": "الموافقة",
            "pl": "zgoda",
            "ro": "acordul",
            "pt": "consentimento",
        },
        {
            "cy": ("caniatâd", "ganiatâd"),
            "es": ("consentimiento",),
            "ar": ("موافقة",),
            "pl": ("zgod",),
            "ro": ("acord",),
            "pt": ("consentimento",),
        },
        source=r"\bconsent\b",
    ),
    Term(
        "anonymously",
        "Reporting without giving a name; she comes back with reference and passphrase.",
        {
            "cy": "yn ddienw",
            "es": "de forma anónima",
            "ar": "بدون اسم",
            "pl": "anonimowo",
            "ro": "anonim",
            "pt": "anonimamente",
        },
        {
            "cy": ("dienw",),
            "es": ("anónim",),
            "ar": ("بدون اسم",),
            "pl": ("anonim",),
            "ro": ("anonim",),
            "pt": ("anonim", "anónim", "anônim"),
        },
        source=r"\banonymous",
    ),
    Term(
        "Privacy notice",
        "The page saying what data is kept, why, and her rights.",
        {
            "cy": "Hysbysiad preifatrwydd",
            "es": "Aviso de privacidad",
            "ar": "إشعار الخصوصية",
            "pl": "Informacja o prywatności",
            "ro": "Notificare privind confidențialitatea",
            "pt": "Aviso de privacidade",
        },
    ),
    Term(
        "Cover your tracks",
        "Advice on hiding her visit (history, shared devices).",
        {
            "cy": "Cuddio eich ôl",
            "es": "Borre sus huellas",
            "ar": "إخفاء آثار زيارتك",
            "pl": "Zatrzyj ślady",
            "ro": "Ștergeți-vă urmele",
            "pt": "Apague os seus rastos",
        },
    ),
)


def render_markdown() -> str:
    """docs/glossary.md: the glossary as a table for translators and reviewers."""
    langs = list(LANGUAGE_NAMES)
    lines = [
        "# Glossary of fixed terms",
        "",
        "Generated from `scripts/translations/glossary.py` by `python -m "
        "scripts.translations.fill`; edit that file, not this one.",
        "Every public page uses these words for these terms, and "
        "`tests/web/test_locale_catalogues.py` checks that each catalogue does.",
        "Translations are plain language for a frightened reader with limited literacy: "
        "short sentences, everyday words, no legal jargon.",
        "",
        "| English | "
        + " | ".join(f"{LANGUAGE_NAMES[code]} ({code})" for code in langs)
        + " | Meaning |",
        "|" + "---|" * (len(langs) + 2),
    ]
    for term in GLOSSARY:
        cells = [term.english, *(term.wording[code] for code in langs), term.note]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
