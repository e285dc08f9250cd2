"""Witnessing on the ledger page, in the assurance PDF, and the public cosigned checkpoint."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.ledger import service, witnessing
from safeshare.ledger.config import WitnessSetting
from safeshare.ledger.cosignature import CosignatureSigner, verify_cosignatures
from safeshare.ledger.startup import ensure_signer, ledger_verifier
from safeshare.ledger.witness import Witness, WitnessStore
from safeshare.ledger.witness_server import make_server
from safeshare.runtime import Runtime
from safeshare.web.app import create_app
from tests.factories.oversight import pdf_text
from tests.web.conftest import seeded_runtime

WITNESS = CosignatureSigner.generate("pcc.example/witness")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def web_runtime(tmp_path_factory: pytest.TempPathFactory, port: int) -> Iterator[Runtime]:
    runtime = seeded_runtime(
        tmp_path_factory.mktemp("web-witness"),
        ledger_witnesses=[
            WitnessSetting(url=f"http://127.0.0.1:{port}", vkey=WITNESS.verifier.to_vkey())
        ],
        ledger_witness_quorum=1,
    )
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def app(web_runtime: Runtime) -> FastAPI:
    return create_app(web_runtime.settings, web_runtime)


def _checkpoint(runtime: Runtime) -> None:
    with runtime.session() as session:
        for n in range(3):
            service.append_entry(session, kind="policy.decision", actor="o", data={"n": n})
    with runtime.session() as session:
        service.create_checkpoint(
            session, signer=ensure_signer(runtime.settings), origin=runtime.settings.ledger_origin
        )


def _pdf(client: TestClient) -> str:
    go = client.get("/oversight/assurance-report?download=1&from=2024-01-01&to=2024-12-31")
    response = client.get(go.headers["location"])
    assert response.status_code == 200
    return " ".join(pdf_text(response.content).split())


def test_unwitnessed_then_witnessed(
    web_runtime: Runtime,
    client_for: Callable[[Role], TestClient],
    anon: TestClient,
    port: int,
    tmp_path: Path,
) -> None:
    _checkpoint(web_runtime)
    inspector = client_for(Role.inspector)
    page = inspector.get("/ledger")
    assert page.status_code == 200
    assert "Not witnessed" in page.text and "0 of the 1 required" in page.text
    assert "Not witnessed: 0 of 1 required cosignatures" in _pdf(client_for(Role.pcc_analyst))

    witness = Witness(
        signer=WITNESS,
        logs=[ledger_verifier(web_runtime.settings)],
        store=WitnessStore(tmp_path / "witness.db"),
    )
    server = make_server(witness, host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with web_runtime.session() as session:
            outcomes = witnessing.witness_checkpoint(
                session,
                witnesses=[
                    witnessing.WitnessEndpoint(f"http://127.0.0.1:{port}", WITNESS.verifier)
                ],
                transport=witnessing.HttpTransport(),
            )
        assert [o.ok for o in outcomes] == [True]
    finally:
        server.shutdown()
        server.server_close()
    page = inspector.get("/ledger")
    assert "Witnessed" in page.text and "1 of the 1 required" in page.text
    assert "Not witnessed" not in page.text
    assert "Witnessed: 1 of 1 required cosignatures, by pcc.example/witness" in _pdf(
        client_for(Role.pcc_analyst)
    )

    public = anon.get("/log/checkpoint")  # no sign-in: published for anyone to keep
    assert public.status_code == 200
    assert public.headers["content-type"].startswith("text/plain")
    assert [c.witness for c in verify_cosignatures(public.text, [WITNESS.verifier])] == [
        "pcc.example/witness"
    ]
    assert public.text.startswith(web_runtime.settings.ledger_origin + "\n")
