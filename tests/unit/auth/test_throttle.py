"""Progressive delays: the guessing client waits longer and longer; nobody else is locked out."""

from __future__ import annotations

from safeshare.auth.throttle import AttemptThrottle, ThrottlePolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: Clock) -> AttemptThrottle:
    return AttemptThrottle(ThrottlePolicy(cap_seconds=60, subject_pause_cap_seconds=2), clock=clock)


def test_delays_double_for_the_failing_client_up_to_the_cap() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    waits = []
    for _ in range(12):
        verdict = throttle.check(subject="admin", client="attacker")
        waits.append(verdict.wait)
        throttle.failed(subject="admin", client="attacker")
    assert waits[:3] == [None, None, None]
    assert waits[3:7] == [1.0, 2.0, 4.0, 8.0]
    assert max(w for w in waits if w) == 60
    clock.now += 61
    assert throttle.check(subject="admin", client="attacker").wait is None


def test_the_owner_on_another_client_is_only_briefly_paused() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(50):
        throttle.failed(subject="admin", client="attacker")
    verdict = throttle.check(subject="admin", client="owner")
    assert verdict.wait is None and 0 < verdict.pause <= 2
    throttle.succeeded(subject="admin", client="owner")
    assert throttle.check(subject="admin", client="owner").pause == 0


def test_spraying_many_names_from_one_client_is_held_back() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for n in range(25):
        throttle.failed(subject=f"user{n}", client="sprayer")
    assert throttle.check(subject="fresh-name", client="sprayer").wait is not None
    assert throttle.check(subject="fresh-name", client="someone-else").wait is None


def test_unknown_and_known_names_are_counted_alike_and_admin_unlock_clears() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(6):
        throttle.failed(subject="exists", client="c")
        throttle.failed(subject="does-not-exist", client="c2")
    assert throttle.check(subject="exists", client="c") == throttle.check(
        subject="does-not-exist", client="c2"
    )
    assert throttle.unlock("exists") == 2
    assert throttle.check(subject="exists", client="c").wait is None


def test_failures_are_forgotten_after_a_quiet_hour() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(5):
        throttle.failed(subject="a", client="c")
    clock.now += 3601
    assert throttle.check(subject="a", client="c").wait is None
