"""Issue 14: 16 concurrent decision requests stopped the whole service for 30 s.

The sign-in check queried the database on the event loop; with the pool's 15 connections
held by requests whose commit needed the loop, the 16th waited there for a connection until
the pool timed out. These tests drive the real server process well past that point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.serving import decide, served, statuses
from tests.integration.load.conftest import assert_consistent, stored

pytestmark = pytest.mark.slow


def test_64_concurrent_decisions_all_succeed(database_url: str, tmp_path: Path) -> None:
    with served(tmp_path / "var", database_url, workers=1) as service:
        token = service.officer_token()
        report_ref = service.create_report(token)
        outcomes = decide(service.base_url, token, report_ref, connections=64, requests=128)
        report = service.verify_ledger()
    assert statuses(outcomes) == {201: 128}
    assert max(o.seconds for o in outcomes) < 20  # the stall answered 500 after 30 s
    acknowledged = {o.decision_id for o in outcomes if o.decision_id is not None}
    assert len(acknowledged) == 128
    assert_consistent(stored(database_url), acknowledged)
    assert report.ok, report.lines()
