"""NIST SP 800-63B password rules: length and a blocklist, never composition rules."""

from __future__ import annotations

import pytest

from safeshare.auth.password_policy import password_problem


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # the finding: accepted for an admin before
        "Password1234!",
        "P@ssw0rd2024!",
        "Summer2024!!!",
        "123456789012",
        "aaaaaaaaaaaa",
        "qwertyuiop12",
        "abcdefghijklmn",
        "iloveyou1234",
        "correct horse battery staple",
        "safeshare2024",
        "short",
    ],
)
def test_common_short_and_patterned_passwords_are_refused(password: str) -> None:
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password",
    [
        "violet kettle orbit lantern",
        "correct-horse-battery",
        "zq8#Lp2!vR0m",
        "lowercaseonlywordsok",
    ],
)
def test_long_uncommon_passwords_need_no_composition(password: str) -> None:
    assert password_problem(password) is None


def test_the_username_is_refused_as_a_password() -> None:
    assert password_problem("jane.officer99", context=("jane.officer",)) is not None
