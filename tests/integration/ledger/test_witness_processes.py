"""Two real witness processes on free ports: quorum rules when one is stopped, and a witness
restarted from its state file refuses a checkpoint inconsistent with what it cosigned."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safeshare.config import Settings
from safeshare.db.session import make_engine
from safeshare.ledger import merkle, service, witnessing
from safeshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from safeshare.ledger.config import WitnessSetting
from safeshare.ledger.cosignature import CosignatureVerifier, verify_cosignatures
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.ledger.verification import verify_ledger
from safeshare.ledger.witness import AddCheckpointRequest, origin_hash
from safeshare.ledger.witnessing import HttpTransport, WitnessEndpoint

from .conftest import ORIGIN
from .witnesses import WitnessProcess, witness_keygen


@pytest.fixture
def processes(
    tmp_path: Path, signer: Ed25519NoteSigner
) -> Iterator[tuple[WitnessProcess, WitnessProcess]]:
    made = []
    for name, command in (("pcc.example/witness", True), ("hmicfrs.example/witness", False)):
        key, _ = witness_keygen(tmp_path, name, via_safeshare=command)
        state = tmp_path / f"{name.split('.')[0]}-state.db"
        made.append(WitnessProcess(key, state, signer.verifier.to_vkey()).start())
    try:
        yield made[0], made[1]
    finally:
        for process in made:
            process.stop()


def _vkey(process: WitnessProcess) -> str:
    from safeshare.ledger.cosignature import CosignatureSigner

    return CosignatureSigner.from_skey(process.key.read_text()).verifier.to_vkey()


def _settings(signer: Ed25519NoteSigner, tmp: Path, *procs: WitnessProcess) -> Settings:
    return Settings(
        var_dir=tmp,
        ledger_origin=ORIGIN,
        ledger_vkey=signer.verifier.to_vkey(),
        ledger_witnesses=[WitnessSetting(url=p.url, vkey=_vkey(p)) for p in procs],
        ledger_witness_quorum=len(procs),
    )


def _endpoints(settings: Settings) -> list[WitnessEndpoint]:
    return [WitnessEndpoint(w.url, w.verifier) for w in settings.ledger_witnesses]


def _grow(session: Session, signer: Ed25519NoteSigner, upto: int) -> None:
    while service.tree_size(session) < upto:
        service.append_entry(session, kind="k", actor="a", data={"n": service.tree_size(session)})
    service.create_checkpoint(session, signer=signer, origin=ORIGIN)
    session.commit()


def test_two_witness_processes_quorum_and_restart(
    fresh_url: str,
    signer: Ed25519NoteSigner,
    tmp_path: Path,
    processes: tuple[WitnessProcess, WitnessProcess],
) -> None:
    a, b = processes
    transport = HttpTransport(timeout=5)
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as session:
            settings = _settings(signer, tmp_path, a, b)
            _grow(session, signer, 8)
            outcomes = witnessing.witness_checkpoint(
                session, witnesses=_endpoints(settings), transport=transport
            )
            session.commit()
            assert [o.ok for o in outcomes] == [True, True]
            assert verify_ledger(session, settings=settings, transport=transport).ok

            # B stops: checkpoint #2 gets one cosignature; quorum 2 says "not witnessed".
            b.stop()
            _grow(session, signer, 13)
            outcomes = witnessing.witness_checkpoint(
                session, witnesses=_endpoints(settings), transport=transport
            )
            session.commit()
            assert [o.ok for o in outcomes] == [True, False]
            assert "unreachable" in outcomes[1].detail
            result = verify_ledger(session, settings=settings, transport=transport)
            assert result.status == "unwitnessed"
            assert any("hmicfrs.example/witness unreachable" in w for w in result.lines())
            one = settings.model_copy(update={"ledger_witness_quorum": 1})
            assert verify_ledger(session, settings=one, transport=transport).ok

            # B restarts from its state file (new port): it still holds size 8.
            b.start()
            settings = _settings(signer, tmp_path, a, b)
            transport = HttpTransport(timeout=5)
            _, body, _ = transport.get(f"{b.url}/{origin_hash(ORIGIN)}/checkpoint")
            assert body.split("\n")[1] == "8"
            # A checkpoint that does not extend what B cosigned is refused.
            fake_root = merkle.leaf_hash(b"forged history")
            forged = sign_checkpoint(Checkpoint(ORIGIN, 13, fake_root), signer)
            status, body, content_type = transport.post(
                f"{b.url}/add-checkpoint", AddCheckpointRequest(0, (), forged).to_body()
            )
            assert (status, body, content_type) == (409, "8\n", "text/x.tlog.size")
            proof = service.consistency_proof(session, first=8, second=13)["proof"]
            status, _, _ = transport.post(
                f"{b.url}/add-checkpoint",
                AddCheckpointRequest(8, tuple(bytes.fromhex(h) for h in proof), forged).to_body(),
            )
            assert status == 422
            # The genuine checkpoint #2 extends it: B cosigns, and the quorum is met again.
            outcomes = witnessing.witness_checkpoint(
                session, witnesses=_endpoints(settings), transport=transport
            )
            session.commit()
            assert [(o.witness, o.ok) for o in outcomes] == [("hmicfrs.example/witness", True)]
            result = verify_ledger(session, settings=settings, transport=transport)
            assert result.ok, result.lines()
            latest = service.latest_checkpoint(session)
            assert latest is not None
            note = service.cosigned_note(session, latest)
            verifiers = [CosignatureVerifier.from_vkey(_vkey(p)) for p in (a, b)]
            assert len(verify_cosignatures(note, verifiers)) == 2
            assert base64.b64decode(note.split("\n")[2]) == latest.root_hash
    finally:
        engine.dispose()
