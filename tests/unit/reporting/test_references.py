"""References are unguessable, and typed back in loosely they still match."""

from __future__ import annotations

import re

import pytest

from safeshare.reporting.references import new_reference, normalise_reference, reference_prefix


def test_new_references_look_right_and_differ() -> None:
    refs = {new_reference() for _ in range(200)}
    assert len(refs) == 200
    assert all(re.fullmatch(r"SS-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", r) for r in refs)


@pytest.mark.parametrize(
    "typed",
    ["SS-7K4MQ-2XD9B", "ss 7k4mq 2xd9b", "7K4MQ2XD9B", "SS-7K4MQ-2XD9B ", "SS7K4MQ2XD9B"],
)
def test_typed_forms_normalise(typed: str) -> None:
    assert normalise_reference(typed) == "SS-7K4MQ-2XD9B"


def test_lookalike_letters_are_read_as_digits() -> None:
    assert normalise_reference("SS-OI1L0-AAAAA") == "SS-01110-AAAAA"
    assert reference_prefix("ss-o") == "SS-0"


def test_reference_starting_with_ss_without_prefix() -> None:
    assert normalise_reference("SSABCDEFGH") == "SS-SSABC-DEFGH"


@pytest.mark.parametrize("typed", ["", "SS-123", "SS-7K4MQ-2XD9BZ", "SS-7K4MQ-2XD9U", "hello"])
def test_non_references_are_none(typed: str) -> None:
    assert normalise_reference(typed) is None
