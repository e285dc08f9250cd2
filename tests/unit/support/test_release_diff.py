"""What changed between two directory releases, service by service."""

from __future__ import annotations

from safeshare.support.releases import ServiceChange, diff_snapshots


def test_added_removed_and_changed_fields() -> None:
    old = {
        "1": {"name": "Kept", "languages": ["English"]},
        "2": {"name": "Gone", "languages": []},
        "3": {"name": "Same", "languages": []},
    }
    new = {
        "1": {"name": "Kept", "languages": ["English", "Spanish"]},
        "3": {"name": "Same", "languages": []},
        "4": {"name": "New", "languages": []},
    }
    diff = diff_snapshots(old, new)
    assert diff.added == (ServiceChange(4, "New"),)
    assert diff.removed == (ServiceChange(2, "Gone"),)
    assert diff.changed == (ServiceChange(1, "Kept", ("languages",)),)
    assert not diff.is_empty
    assert diff_snapshots(new, new).is_empty
