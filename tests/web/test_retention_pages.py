"""The legal holds page: administrators and disclosure officers set and lift holds, with
errors linked to their fields; every other role is refused."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.holds import service as holds
from safeshare.runtime import Runtime
from tests.factories.policy import bare_report
from tests.web.conftest import csrf_from

Clients = Callable[[Role], TestClient]
PAGE = "/retention/holds"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def _post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_from(client, PAGE)})


def test_a_hold_is_set_and_lifted_with_reasons(client_for: Clients, web_runtime: Runtime) -> None:
    with web_runtime.session() as session:
        reference = bare_report(session).reference
    client = client_for(Role.disclosure_officer)
    assert client.get(PAGE).status_code == 200

    missing = _post(client, PAGE, {"report_ref": "", "reason": ""})
    assert missing.status_code == 400
    for field in ("report_ref", "kind", "reason"):
        assert f'href="#{field}"' in missing.text
    unknown = _post(
        client, PAGE, {"report_ref": "SS-NOTAREF", "kind": "legal_hold", "reason": "Civil claim"}
    )
    assert unknown.status_code == 400
    assert "There is no report with that reference" in _text(unknown)

    done = _post(
        client,
        PAGE,
        {"report_ref": reference, "kind": "restriction", "reason": "Accuracy contested"},
    )
    assert done.status_code == 303 and done.headers["location"] == PAGE
    page = _text(client.get(done.headers["location"]))
    assert "The hold has been set" in page and reference in page
    assert "Restriction of processing" in page
    with web_runtime.session() as session:
        (hold,) = [h for h in holds.list_holds(session) if h.report_ref == reference]
        hold_id = hold.id
        assert holds.is_restricted(session, report_ref=reference)

    blank = _post(client_for(Role.admin), f"{PAGE}/{hold_id}/lift", {"lift_reason": " "})
    assert blank.status_code == 400
    assert f'href="#lift_reason_{hold_id}"' in blank.text
    lifted = _post(client_for(Role.admin), f"{PAGE}/{hold_id}/lift", {"lift_reason": "Settled"})
    assert lifted.status_code == 303
    with web_runtime.session() as session:
        assert reference not in {h.report_ref for h in holds.list_holds(session)}
    again = _post(client_for(Role.admin), f"{PAGE}/{hold_id}/lift", {"lift_reason": "Again"})
    assert again.status_code == 409


def test_other_roles_are_refused(client_for: Clients) -> None:
    for role in (Role.officer, Role.supervisor, Role.inspector, Role.pcc_analyst, Role.advocate):
        client = client_for(role)
        assert client.get(PAGE).status_code == 403, role
        token = csrf_from(client, "/home")
        response = client.post(PAGE, data={"report_ref": "x", "reason": "y", "csrf_token": token})
        assert response.status_code == 403, role
