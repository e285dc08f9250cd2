"""The inspectors' ledger pages: checkpoint, verification, entry search and entry detail."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.ledger import service
from safeshare.ledger.audit import AuditReport, Problem
from safeshare.ledger.startup import ensure_signer
from safeshare.runtime import Runtime
from safeshare.web.routes import ledger as ledger_routes
from tests.web.conftest import PASSWORD, csrf_from, make_settings, seed_users, sign_in
from tests.web.test_ledger_api import hx, open_signed_checkpoint, rfc_leaf, root_from_inclusion

LEDGER_ROLES = (Role.inspector, Role.disclosure_officer, Role.admin)
OTHER_ROLES = tuple(role for role in Role if role not in LEDGER_ROLES)
MARKER = "page-test-marker"
OLD_DAY = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
NEXT_DAY = datetime(2024, 1, 16, 23, 59, tzinfo=UTC)
SEQ_LINK = re.compile(r'href="/ledger/entries/(\d+)"')


def _sign_checkpoint(runtime: Runtime) -> None:
    with runtime.session() as session:
        service.create_checkpoint(
            session,
            signer=ensure_signer(runtime.settings),
            origin=runtime.settings.ledger_origin,
        )


@pytest.fixture(scope="module")
def seeded(web_runtime: Runtime) -> dict[str, int]:
    """120 entries: 70 on 15 January 2024, 50 on 16 January, then a checkpoint and one more."""
    with web_runtime.session() as session:
        records = [
            service.EntryInput(
                "policy.decision" if i % 2 else "vault.read",
                "analyst-x" if i % 10 == 0 else "officer-y",
                {"case": f"{MARKER}-{i}", "categories": ["crime"], "nested": {"n": i}},
                OLD_DAY if i < 70 else NEXT_DAY,
            )
            for i in range(120)
        ]
        appended = service.append_entries(session, records=records)
    _sign_checkpoint(web_runtime)
    with web_runtime.session() as session:
        late = service.append_entry(
            session, kind="policy.review", actor="supervisor", data={"decision_id": 7}
        ).seq
    return {"first": appended[0].seq, "last": appended[-1].seq, "late": late}


@pytest.fixture
def inspector(client_for: Callable[[Role], TestClient], seeded: dict[str, int]) -> TestClient:
    return client_for(Role.inspector)


def _seqs(text: str) -> list[int]:
    return [int(s) for s in SEQ_LINK.findall(text)]


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", LEDGER_ROLES)
def test_ledger_roles_see_the_pages_and_the_nav_item(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], role: Role
) -> None:
    client = client_for(role)
    home = client.get("/home")
    assert 'href="/ledger"' in home.text
    for path in ("/ledger", "/ledger/entries", f"/ledger/entries/{seeded['first']}"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_read_entries(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], role: Role
) -> None:
    """Officers, supervisors, advocates and PCC analysts: no nav item, no entries, no proofs."""
    client = client_for(role)
    assert 'href="/ledger"' not in client.get("/home").text
    first = seeded["first"]
    for path in (
        "/ledger",
        "/ledger/entries",
        "/ledger/entries?kind=policy&actor=officer-y",
        f"/ledger/entries/{first}",
        f"/ledger/entries/{first}/proof.json",
        "/ledger/checkpoint.txt",
    ):
        response = client.get(path)
        assert response.status_code == 403, (role, path)
        assert MARKER not in response.text and "officer-y" not in response.text
    token = csrf_from(client, "/home")
    assert client.post("/ledger/verify", data={"csrf_token": token}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(anon: TestClient) -> None:
    response = anon.get("/ledger/entries/0")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# --- the ledger page -----------------------------------------------------------------------


def test_ledger_page_shows_the_signed_checkpoint_and_status(
    inspector: TestClient, web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        latest = service.latest_checkpoint(session)
    assert latest is not None
    page = inspector.get("/ledger")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<h1 class="govuk-heading-l">Ledger</h1>' in text
    assert f"#{latest.number}" in text
    assert f"{latest.tree_size:,}" in text
    assert f'id="checkpoint-root-hash">{latest.root_hash.hex()}</code>' in page.text
    assert f'<pre class="app-ledger-pre" id="signed-note">{latest.note}</pre>' in text
    assert "Checks passed" in text and "Tampering or damage found" not in text
    assert "not yet covered by a signed checkpoint" in text
    assert 'action="/ledger/verify"' in text and 'name="csrf_token"' in text
    key = inspector.get("/api/v1/ledger/public-key").json()
    assert key["verifier_key"] in text
    assert "<script>" not in text and "style=" not in text


def test_checkpoint_download_is_the_signed_note(inspector: TestClient) -> None:
    response = inspector.get("/ledger/checkpoint.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "attachment" in response.headers["content-disposition"]
    key = inspector.get("/api/v1/ledger/public-key").json()
    open_signed_checkpoint(response.text, base64.b64decode(key["public_key"]))


def test_full_verification_runs_on_post_and_shows_once(inspector: TestClient) -> None:
    token = csrf_from(inspector, "/ledger")
    response = inspector.post("/ledger/verify", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/ledger#full-verification"
    page = inspector.get("/ledger").text
    assert "Full verification passed" in page
    assert "Ledger verified:" in page
    assert "Full verification passed" not in inspector.get("/ledger").text


def test_full_verification_needs_the_csrf_token(inspector: TestClient) -> None:
    assert inspector.post("/ledger/verify", data={}).status_code == 403


def test_full_verification_failure_names_the_first_bad_entry(
    inspector: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = AuditReport(
        tree_size=10,
        root_hash=bytes(32),
        checkpoints=1,
        covered_size=0,
        problems=(Problem(4, "entry 4 was altered: its bytes no longer match"),),
    )
    monkeypatch.setattr(service, "verify_log", lambda *a, **k: report)
    token = csrf_from(inspector, "/ledger")
    inspector.post("/ledger/verify", data={"csrf_token": token})
    page = inspector.get("/ledger").text
    assert "Full verification found a problem" in page
    assert 'href="/ledger/entries/4">entry 4</a>' in page
    assert "entry 4 was altered" in page


def test_full_verification_is_limited_on_large_logs(
    inspector: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_routes, "FULL_VERIFY_MAX_ENTRIES", 5)
    page = inspector.get("/ledger").text
    assert 'action="/ledger/verify"' not in page
    assert "safeshare ledger verify" in page
    token = csrf_from(inspector, "/home")
    inspector.post("/ledger/verify", data={"csrf_token": token})
    assert "Full verification was not run" in inspector.get("/ledger").text


def test_only_one_full_verification_runs_at_a_time(
    inspector: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ledger_routes._full_verify_lock.acquire()
    try:
        token = csrf_from(inspector, "/ledger")
        inspector.post("/ledger/verify", data={"csrf_token": token})
        assert "Another full verification is running" in inspector.get("/ledger").text
    finally:
        ledger_routes._full_verify_lock.release()


def test_ledger_page_before_any_checkpoint(tmp_path: Any) -> None:
    from safeshare.db import migrate
    from safeshare.web.app import create_app

    runtime = Runtime(make_settings(tmp_path))
    migrate.upgrade(runtime.engine)
    app = create_app(runtime.settings, runtime)
    seed_users(runtime)
    try:
        # No `with`: the app's lifespan (and its checkpoint timer) does not start.
        client = TestClient(app, follow_redirects=False)
        sign_in(client, "inspector", PASSWORD)
        page = client.get("/ledger")
        assert page.status_code == 200
        assert "No checkpoint has been signed yet" in page.text
        assert client.get("/ledger/checkpoint.txt").status_code == 404
        entry = client.get("/ledger/entries/0")
        assert entry.status_code == 200 and "Not yet checkpointed" in entry.text
    finally:
        runtime.engine.dispose()


# --- searching entries ---------------------------------------------------------------------


def test_entries_are_newest_first_and_paginate_both_ways(
    inspector: TestClient, seeded: dict[str, int]
) -> None:
    query = (
        "/ledger/entries?from-day=15&from-month=1&from-year=2024&to-day=16&to-month=1&to-year=2024"
    )
    first_page = inspector.get(query)
    assert first_page.status_code == 200
    seqs = _seqs(first_page.text)
    assert seqs == list(range(seeded["last"], seeded["last"] - 50, -1))
    assert "Newer entries" not in first_page.text
    older = re.search(r'href="([^"]+)" rel="next"', first_page.text)
    assert older
    seen = list(seqs)
    page = first_page
    while older:
        page = inspector.get(html.unescape(older.group(1)))
        seen += _seqs(page.text)
        older = re.search(r'href="([^"]+)" rel="next"', page.text)
    assert seen == list(range(seeded["last"], seeded["first"] - 1, -1))
    newer = re.search(r'href="([^"]+)" rel="prev"', page.text)
    assert newer and "from-year=2024" in html.unescape(newer.group(1))
    back = inspector.get(html.unescape(newer.group(1)))
    assert _seqs(back.text) == seen[50:100]


def test_entries_show_time_actor_kind_and_data(
    inspector: TestClient, seeded: dict[str, int]
) -> None:
    page = inspector.get("/ledger/entries?actor=analyst-x&kind=vault")
    assert page.status_code == 200
    rows = _seqs(page.text)
    assert rows == [seeded["first"] + i for i in range(110, -1, -10) if i % 2 == 0]
    text = html.unescape(page.text)
    assert "15 January 2024, 09:30:00 UTC" in text
    assert "vault.read" in text and "analyst-x" in text
    assert f'case: {MARKER}-0; categories: ["crime"]; nested: {{"n": 0}}' in text


def test_entry_filters(inspector: TestClient, seeded: dict[str, int]) -> None:
    first = seeded["first"]

    def seqs(query: str) -> list[int]:
        response = inspector.get("/ledger/entries?" + query)
        assert response.status_code == 200, response.text
        return _seqs(response.text)

    assert seqs("kind=policy.review") == [seeded["late"]]
    assert seqs("kind=policy.decision&actor=analyst-x") == []
    only_16th = seqs(
        "kind=vault&from-day=16&from-month=1&from-year=2024&to-day=16&to-month=01&to-year=2024"
    )
    assert only_16th == [first + i for i in range(118, 69, -2)]
    assert len(seqs("actor=analyst-x&to-day=15&to-month=1&to-year=2024")) == 7
    assert seqs("kind=no-such-kind") == []
    assert "No entries match these filters" in inspector.get("/ledger/entries?kind=zzz").text


@pytest.mark.parametrize(
    ("query", "anchor", "message"),
    [
        ("kind=" + "k" * 101, "kind", "Kind must be 100 characters or fewer"),
        ("actor=" + "a" * 201, "actor", "Actor must be 200 characters or fewer"),
        ("from-day=15&from-year=2024", "from-month", "From date must include a month"),
        ("to-day=31&to-month=2&to-year=2024", "to-day", "To date must be a real date"),
        ("from-day=1&from-month=1&from-year=24", "from-day", "From date must be a real date"),
        ("from-day=x&from-month=1&from-year=2024", "from-day", "From date must be a real date"),
        (
            "from-day=2&from-month=1&from-year=2024&to-day=1&to-month=1&to-year=2024",
            "to-day",
            "To date must be the same as or after the from date",
        ),
    ],
)
def test_bad_filters_show_the_error_summary(
    inspector: TestClient, query: str, anchor: str, message: str
) -> None:
    response = inspector.get("/ledger/entries?" + query)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert f'href="#{anchor}"' in response.text
    assert message in response.text
    assert 'id="ledger-entries"' not in response.text
    assert "<title>Error:" in response.text


def test_bad_page_cursor_is_a_400_page(inspector: TestClient) -> None:
    assert inspector.get("/ledger/entries?before=-1").status_code == 400
    assert inspector.get("/ledger/entries?after=x").status_code == 400


# --- entry detail --------------------------------------------------------------------------


def test_entry_detail_offers_a_proof_to_the_signed_checkpoint(
    inspector: TestClient, seeded: dict[str, int], web_runtime: Runtime
) -> None:
    seq = seeded["first"] + 7
    with web_runtime.session() as session:
        latest = service.latest_checkpoint(session)
        entry = service.get_entry_or_raise(session, seq=seq, with_bytes=True)
    assert latest is not None
    page = inspector.get(f"/ledger/entries/{seq}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f"Entry {seq}</h1>" in text
    assert "15 January 2024, 09:30:00 UTC" in text
    assert "policy.decision" in text and "officer-y" in text
    assert f"{MARKER}-7" in text and '{"n": 7}' in text
    assert entry["leaf_hash"] in text and entry["canonical"] in text
    assert "Included" in text and f"checkpoint #{latest.number}" in text
    assert f'id="proof-root-hash">{latest.root_hash.hex()}</code>' in page.text
    assert f'<code class="app-ledger-hash">{entry["leaf_hash"]}</code>' in page.text
    proof = service_proof(web_runtime, seq, latest.tree_size)
    for h in proof["audit_path"]:
        assert h in text
    assert f'href="/ledger/entries/{seq}/proof.json"' in text


def service_proof(runtime: Runtime, seq: int, size: int) -> dict[str, Any]:
    with runtime.session() as session:
        return service.inclusion_proof(session, leaf_index=seq, size=size)


def test_entry_after_the_checkpoint_is_proved_against_the_current_tree(
    inspector: TestClient, seeded: dict[str, int]
) -> None:
    page = inspector.get(f"/ledger/entries/{seeded['late']}")
    assert page.status_code == 200
    assert "Not yet checkpointed" in page.text
    assert "policy.review" in page.text


def test_proof_download_verifies_independently(
    inspector: TestClient, seeded: dict[str, int]
) -> None:
    seq = seeded["first"] + 3
    response = inspector.get(f"/ledger/entries/{seq}/proof.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    evidence = response.json()
    entry, proof, checkpoint = (
        evidence["entry"],
        evidence["inclusion_proof"],
        evidence["checkpoint"],
    )
    assert evidence["server_checks"] == {"ok": True, "problems": []}
    leaf = rfc_leaf(entry["canonical"].encode())
    assert leaf.hex() == entry["leaf_hash"] == proof["leaf_hash"]
    root = root_from_inclusion(seq, proof["tree_size"], leaf, hx(proof["audit_path"]))
    public_key = base64.b64decode(evidence["public_key"]["public_key"])
    _, size, signed_root = open_signed_checkpoint(checkpoint["note"], public_key)
    assert size == proof["tree_size"] and root == signed_root


def test_missing_entry_is_a_404_page(inspector: TestClient) -> None:
    response = inspector.get("/ledger/entries/987654")
    assert response.status_code == 404
    assert "govuk-heading-l" in response.text
    assert inspector.get("/ledger/entries/-3").status_code == 400
