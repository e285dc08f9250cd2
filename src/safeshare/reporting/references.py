"""Report references: short, unguessable, easy to read aloud and to type back in.

Crockford base32 (no I, L, O, U) so "0"/"O" and "1"/"I"/"L" typed either way still match.
Ten symbols give 50 random bits: with the passphrase and throttling, guessing is hopeless.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "SS"
_GROUP = 5
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_FORMAT = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{{_GROUP}}}-[{ALPHABET}]{{{_GROUP}}}$")


def new_reference() -> str:
    """A fresh random reference such as `SS-7K4MQ-2XD9B`."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(2 * _GROUP))
    return f"{PREFIX}-{symbols[:_GROUP]}-{symbols[_GROUP:]}"


def normalise_reference(text: str) -> str | None:
    """The canonical form of what someone typed, or None if it cannot be a reference."""
    compact = re.sub(r"[\s\-]", "", text.upper()).translate(_LOOKALIKES)
    if len(compact) == len(PREFIX) + 2 * _GROUP and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != 2 * _GROUP:
        return None
    candidate = f"{PREFIX}-{compact[:_GROUP]}-{compact[_GROUP:]}"
    return candidate if _FORMAT.fullmatch(candidate) else None


def reference_prefix(text: str) -> str:
    """What someone typed, upper-cased with look-alikes fixed, for prefix search by officers."""
    return text.strip().upper().translate(_LOOKALIKES)
