"""Who acts in the demo history: three fictional forces with their regimes, the extra staff
and advocates, and the small fixed lists of invented names and words the reports use.

Every name here is invented for the demo; none is meant to be a real person or force. The
home force is the deployment's own (`SAFESHARE_FORCE_NAME`, "Demoshire Police" by default):
reports are held for it, and the other two forces' officers ask about them as a regional
collaboration would.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeshare.auth.roles import Role
from safeshare.demo import DEMO_SUPPORT_ORGS
from safeshare.support.demo import ADVICE as ADVICE
from safeshare.support.demo import AMANI as AMANI
from safeshare.support.demo import LUMEN as LUMEN
from safeshare.support.demo import RAINBOW as RAINBOW
from safeshare.support.demo import SAHELI as SAHELI


@dataclass(frozen=True)
class Force:
    """A fictional force and the regimes it ran under: (months after the start, regime)."""

    key: str
    name: str | None  # None: the deployment's own force (settings.force_name)
    regimes: tuple[tuple[int, str], ...]
    share_weight: float  # its part of the share requests


# The home force ran the interim recommendation 1 rule until the Home Office's review, then
# the national guidance; the others each run one regime throughout, so the "Forces compared"
# page shows all four regimes and the inconsistency the super-complaint found.
FORCES: tuple[Force, ...] = (
    Force("home", None, ((0, "hmicfrs-rec1"), (8, "npcc-2020")), 0.5),
    Force("fenmarsh", "Fenmarsh Constabulary", ((0, "firewall"),), 0.25),
    Force("highcombe", "Highcombe Police", ((0, "iemvp"),), 0.25),
)


@dataclass(frozen=True)
class Person:
    """An extra demo account: username, display name, role, organisation, team."""

    username: str
    display_name: str
    role: Role
    organisation: str  # a force key from FORCES, or a support organisation's name
    team: str | None = None


# The demo's own users (safeshare.demo) act too: "officer" and "supervisor" for the home
# force, "disclosure" decides its reviews, "advocate" works for Lumen.
EXTRA_PEOPLE: tuple[Person, ...] = (
    Person("pc.vale", "PC Jordan Vale (demo)", Role.officer, "home", "Response team B"),
    Person("pc.hale", "PC Rowan Hale (demo)", Role.officer, "fenmarsh", "Fenmarsh response"),
    Person(
        "dso.quill", "Dana Quill (demo, information sharing)", Role.disclosure_officer, "fenmarsh"
    ),
    Person("pc.reed", "PC Morgan Reed (demo)", Role.officer, "highcombe", "Highcombe response"),
    Person(
        "dso.brandt", "Sol Brandt (demo, information sharing)", Role.disclosure_officer, "highcombe"
    ),
    Person("adv.saheli", "Noor Demo (advocate)", Role.advocate, SAHELI),
    Person("adv.amani", "Tendai Demo (advocate)", Role.advocate, AMANI),
    Person("adv.rainbow", "Kit Demo (advocate)", Role.advocate, RAINBOW),
    Person("adv.advice", "Ewa Demo (adviser)", Role.advocate, ADVICE),
)

# Who asks, and who reviews, for each force (usernames).
OFFICERS: dict[str, tuple[str, ...]] = {
    "home": ("officer", "pc.vale"),
    "fenmarsh": ("pc.hale",),
    "highcombe": ("pc.reed",),
}
DISCLOSURE_OFFICERS: dict[str, str] = {
    "home": "disclosure",
    "fenmarsh": "dso.quill",
    "highcombe": "dso.brandt",
}
# The advocate who acts for each organisation (third-party reports, referrals, capacity).
ADVOCATES: dict[str, str] = {
    LUMEN: "advocate",
    SAHELI: "adv.saheli",
    AMANI: "adv.amani",
    RAINBOW: "adv.rainbow",
    ADVICE: "adv.advice",
}
# 'By and for' organisations that report on victims' behalf (the demo's own three and Amani).
THIRD_PARTY_ORGS: tuple[str, ...] = (*DEMO_SUPPORT_ORGS, AMANI)

GIVEN_NAMES: tuple[str, ...] = (
    "Amara",
    "Lucila",
    "Noor",
    "Tendai",
    "Irina",
    "Meilin",
    "Sadia",
    "Ewelina",
    "Farah",
    "Leilani",
    "Rosalba",
    "Yetunde",
    "Pritika",
    "Oksana",
    "Camila",
    "Hanane",
)
FAMILY_NAMES: tuple[str, ...] = (
    "Quillon",
    "Marvelo",
    "Tessaro",
    "Brindlewood",
    "Okondu",
    "Varshney-Lowe",
    "Delmora",
    "Ashcombe",
    "Penhallow",
    "Ruskova",
    "Abernethy-Sol",
    "Moravine",
)
ACCOUNTS: dict[str, str] = {
    "domestic_abuse": "My partner controls my money and my documents and threatens me.",
    "sexual_offence": "I was assaulted by someone I knew after a night out.",
    "modern_slavery": "My employer keeps my passport and I work without pay.",
    "violence": "I was attacked in the street on my way home from work.",
    "stalking_harassment": "A former partner keeps following me and sending messages.",
    "hate_crime": "Neighbours shout abuse about where I come from.",
    "theft_fraud": "Someone took my wages by using my bank details.",
    "criminal_damage": "My door and windows were broken while I was out.",
    "other": "Something happened that I want the police to know about.",
}
LANGUAGES: tuple[str, ...] = ("Spanish", "Portuguese", "Urdu", "Punjabi", "Somali", "Arabic")
PASSPHRASE_WORDS: tuple[str, ...] = (
    "amber",
    "harbour",
    "lantern",
    "meadow",
    "orchid",
    "pebble",
    "quartz",
    "river",
    "saffron",
    "thistle",
    "willow",
    "zephyr",
)
