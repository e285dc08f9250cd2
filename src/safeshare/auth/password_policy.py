"""Password rules per NIST SP 800-63B 5.1.1.2: length, a list of common and breached values,
repetition and sequences, and words from the context; no composition rules, no expiry.

The shipped list (`common_passwords.txt`) has full passwords of 12+ characters under
`[exact]`, and base words under `[base]` that are refused with only digits or symbols added
("Password1234!", "summer2024!!"). An unknown password of 12+ characters is accepted.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from importlib.resources import files

MIN_LENGTH = 12
MAX_LENGTH = 256  # long passphrases welcome (SP 800-63B asks for at least 64)
_DECORATION = re.compile(r"^[\d\W_]*(?P<core>.*?)[\d\W_]*$")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_CONTEXT = ("safeshare", "safe share")


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    exact: set[str] = set()
    base: set[str] = set()
    target = exact
    text = files("safeshare.auth").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip().lower()
        if not line or line.startswith("#"):
            continue
        if line in ("[exact]", "[base]"):
            target = exact if line == "[exact]" else base
            continue
        target.add(line)
    return frozenset(exact), frozenset(base)


def _is_run(text: str) -> bool:
    """One character repeated, or a run up or down an alphabet ("abcdef...", "9876...")."""
    if len(set(text)) <= 2:
        return True
    for alphabet in (string.digits, string.ascii_lowercase, "qwertyuiopasdfghjklzxcvbnm"):
        for sequence in (alphabet * 3, alphabet[::-1] * 3):
            if text in sequence:
                return True
    return False


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why `password` is not allowed (a message for the form), or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = " ".join(password.lower().split())
    exact, base = _lists()
    match = _DECORATION.match(lowered)
    core = match.group("core") if match else lowered
    if lowered in exact or lowered.replace(" ", "") in exact:
        return "That password is too common. Choose a less common one, such as three random words"
    if core in base or core.translate(_LEET) in base:
        return "That password is a common word with numbers or symbols added. Choose another"
    if _is_run(lowered.replace(" ", "")):
        return "That password repeats or follows a sequence. Choose another"
    for word in (*_CONTEXT, *context):
        word = word.strip().lower()
        if len(word) >= 4 and word in lowered and len(lowered) - len(word) < 8:
            return "That password is too close to your username, name or this service's name"
    return None
