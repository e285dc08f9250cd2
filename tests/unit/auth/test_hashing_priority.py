"""Password hashing runs on lower-priority threads, so a guessing flood cannot starve others."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from safeshare.auth.passwords import (
    HASHING_NICENESS,
    hash_password,
    run_hashing,
    verify_password,
)


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is Linux's")
def test_hashing_threads_run_niced_below_the_service() -> None:
    own = _niceness()
    assert run_hashing(_niceness) == min(19, own + HASHING_NICENESS)
    assert _niceness() == own  # the caller's thread is left as it was


def test_hashing_on_those_threads_still_verifies() -> None:
    stored = hash_password("a long enough passphrase")
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "another passphrase entirely")
    assert not verify_password(None, "a long enough passphrase")


def test_an_error_in_the_hashing_thread_reaches_the_caller() -> None:
    def fail() -> None:
        raise ValueError("from the hashing thread")

    with pytest.raises(ValueError, match="from the hashing thread"):
        run_hashing(fail)
