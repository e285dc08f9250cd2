"""Event wiring happens in one place, and the web app and the CLI both go through it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from safeshare import cli, events, subscriptions
from safeshare.ledger import service as ledger_service


@pytest.fixture
def quiet_bus() -> Iterator[None]:
    before = list(events._subscribers)
    events._subscribers.clear()
    yield
    events._subscribers[:] = before


def test_subscribe_all_registers_every_handler_once(quiet_bus: None) -> None:
    subscriptions.subscribe_all()
    subscriptions.subscribe_all()
    assert events._subscribers == list(subscriptions.HANDLERS)
    assert ledger_service.record_event in events._subscribers
    subscriptions.unsubscribe_all()
    assert events._subscribers == []


def test_cli_wires_through_subscribe_all(quiet_bus: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "app", lambda: None)  # start up, run no command
    cli.main()
    assert events._subscribers == list(subscriptions.HANDLERS)


def test_the_web_app_wires_through_subscribe_all(quiet_bus: None, tmp_path: Path) -> None:
    from safeshare.web.app import create_app
    from tests.web.conftest import make_settings

    create_app(make_settings(tmp_path))
    assert events._subscribers == list(subscriptions.HANDLERS)
