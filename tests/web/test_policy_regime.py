"""The active-regime page: admins see the regime, the alternatives, change it with a note,
and every change is kept in the history and published."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.policy.regimes import get_regime
from tests.unit.policy.builders import request_data
from tests.web.conftest import csrf_from

Clients = Callable[[Role], TestClient]


def _change(client: TestClient, **data: Any) -> Any:
    return client.post(
        "/policy/regime", data={**data, "csrf_token": csrf_from(client, "/policy/regime")}
    )


def test_the_page_shows_the_default_regime_and_every_alternative(client_for: Clients) -> None:
    page = client_for(Role.admin).get("/policy/regime")
    assert page.status_code == 200
    assert "Full firewall" in page.text
    assert get_regime("firewall").policy_hash in page.text
    assert "Never set" in page.text and "The regime has never been changed" in page.text
    for name in ("firewall", "hmicfrs-rec1", "npcc-2020", "iemvp"):
        regime = get_regime(name)
        assert f'value="{name}"' in page.text
        assert regime.title in page.text
    assert "Police still decide case by case" in page.text


def test_a_change_needs_a_note_and_a_different_regime(client_for: Clients) -> None:
    client = client_for(Role.admin)
    no_note = _change(client, regime="iemvp", note="  ")
    assert no_note.status_code == 400
    assert 'href="#note"' in no_note.text and "Enter why the regime is changing" in no_note.text
    same = _change(client, regime="firewall", note="No change really")
    assert same.status_code == 400
    assert 'href="#regime"' in same.text and "already the active regime" in same.text
    unknown = _change(client, regime="open-door", note="Try it")
    assert unknown.status_code == 400 and 'href="#regime"' in unknown.text
    assert "The regime has never been changed" in client.get("/policy/regime").text


def test_a_change_is_kept_in_the_history_published_and_used_for_decisions(
    client_for: Clients, api_tokens: dict[Role, str], anon: TestClient, published: list[DomainEvent]
) -> None:
    client = client_for(Role.admin)
    response = _change(client, regime="hmicfrs-rec1", note="Board decision of 3 March")
    assert response.status_code == 303
    assert response.headers["location"] == "/policy/regime?changed=true"
    page = client.get(response.headers["location"]).text
    assert "The active regime has been changed" in page
    assert "HMICFRS recommendation 1 (interim) (<code>hmicfrs-rec1</code>)" in page
    assert "Board decision of 3 March" in page and "By admin on" in page

    assert _change(client, regime="npcc-2020", note="Second thoughts").status_code == 303
    page = client.get("/policy/regime").text
    history = page.split("History of changes")[1]
    assert history.index("Second thoughts") < history.index("Board decision of 3 March")
    kinds = [e.kind for e in published]
    assert kinds.count("policy.regime_changed") == 2
    assert published[-1].data["regime"] == "npcc-2020"
    assert published[-1].data["previous_regime"] == "hmicfrs-rec1"

    headers = {"Authorization": f"Bearer {api_tokens[Role.officer]}"}
    regimes = anon.get("/api/v1/regimes", headers=headers).json()
    assert regimes["active"] == "npcc-2020"
    general = {
        "report_ref": None,
        "requester": request_data()["requester"],
        "categories": ["identity"],
        "status_doubt_only": False,
    }
    decision = anon.post("/api/v1/decisions", json=general, headers=headers).json()
    assert decision["regime"] == "npcc-2020"
    assert decision["policy_hash"] == get_regime("npcc-2020").policy_hash


@pytest.mark.parametrize("role", [Role.officer, Role.disclosure_officer, Role.inspector])
def test_only_admins_see_or_change_the_regime(client_for: Clients, role: Role) -> None:
    client = client_for(role)
    assert client.get("/policy/regime").status_code == 403
    token = csrf_from(client, "/home")
    response = client.post(
        "/policy/regime", data={"regime": "iemvp", "note": "x", "csrf_token": token}
    )
    assert response.status_code == 403
