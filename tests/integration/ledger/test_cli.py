"""`safeshare ledger ...` end to end: keygen, checkpoint, prove, consistency, verify, export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare.config import get_settings
from safeshare.ledger import merkle, offline, service
from safeshare.ledger.cli import app
from safeshare.runtime import get_runtime

from . import tamper
from .conftest import ORIGIN

runner = CliRunner()


@pytest.fixture
def configured(fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", fresh_url)
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_LEDGER_ORIGIN", ORIGIN)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield tmp_path
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()


def _append(count: int) -> None:
    with get_runtime().session() as session:
        for i in range(count):
            service.append_entry(session, kind="test.cli", actor="admin", data={"i": i})


def test_ledger_commands(configured: Path) -> None:
    keygen = runner.invoke(app, ["keygen"])
    assert keygen.exit_code == 0, keygen.output
    vkey = keygen.output.strip().splitlines()[-1]
    assert vkey.startswith(ORIGIN + "+")
    assert runner.invoke(app, ["keygen"]).exit_code == 1  # never silently replaced
    _append(12)
    signed = runner.invoke(app, ["checkpoint"])
    assert signed.exit_code == 0 and signed.output.startswith(f"{ORIGIN}\n12\n")

    proof = json.loads(runner.invoke(app, ["prove", "--index", "5"]).output)
    assert set(proof) == {"leaf_index", "tree_size", "leaf_hash", "root_hash", "audit_path"}
    merkle.verify_inclusion(
        5,
        12,
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(p) for p in proof["audit_path"]],
        bytes.fromhex(proof["root_hash"]),
    )
    c = json.loads(runner.invoke(app, ["consistency", "--from", "3", "--to", "12"]).output)
    assert set(c) == {"first", "second", "first_root", "second_root", "proof"}
    assert c["second_root"] == proof["root_hash"]
    assert runner.invoke(app, ["prove", "--index", "12"]).exit_code == 1

    verified = runner.invoke(app, ["verify"])
    assert verified.exit_code == 0, verified.output
    assert "Ledger verified: 12 entries" in verified.output

    _append(3)
    out = configured / "bundle"
    exported = runner.invoke(app, ["export", str(out)])
    assert exported.exit_code == 0, exported.output
    report = offline.verify_bundle(out, trusted_vkey=vkey)
    assert report.ok and report.tree_size == 15 and report.covered_size == 15


def test_verify_exits_1_naming_the_entry(configured: Path) -> None:
    assert runner.invoke(app, ["keygen"]).exit_code == 0
    _append(10)
    assert runner.invoke(app, ["checkpoint"]).exit_code == 0
    with get_runtime().session() as session:
        tamper.disable_append_only(session)
        tamper.delete_entry(session, 4)
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert "first bad entry: 4" in result.output
    as_json = json.loads(runner.invoke(app, ["verify", "--json"]).output)
    assert as_json["first_bad_entry"] == 4


def test_verify_needs_only_the_public_key(
    configured: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vkey = runner.invoke(app, ["keygen"]).output.strip().splitlines()[-1]
    _append(5)
    assert runner.invoke(app, ["checkpoint"]).exit_code == 0
    (configured / "ledger.key").unlink()  # the signing key is elsewhere (an HSM, another host)
    (configured / "ledger.key.pub").unlink()
    missing = runner.invoke(app, ["verify", "--json"])
    assert missing.exit_code == 2
    assert json.loads(missing.output)["status"] == "not_configured"
    assert runner.invoke(app, ["verify", "--vkey", vkey]).exit_code == 0
    monkeypatch.setenv("SAFESHARE_LEDGER_VKEY", vkey)
    get_settings.cache_clear()
    assert runner.invoke(app, ["verify"]).exit_code == 0


def test_witnessed_checkpoints_bundles_and_a_kept_checkpoint_catch_rollback(
    configured: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from safeshare.ledger.cosignature import CosignatureSigner
    from safeshare.ledger.note import NoteVerifier
    from safeshare.ledger.witness import Witness, WitnessStore
    from safeshare.ledger.witness_server import make_server

    vkey = runner.invoke(app, ["keygen"]).output.strip().splitlines()[-1]
    cosigner = CosignatureSigner.generate("inspectorate.example/witness")
    witness = Witness(
        signer=cosigner,
        logs=[NoteVerifier.from_vkey(vkey)],
        store=WitnessStore(configured / "witness-state.db"),
    )
    server = make_server(witness, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    wkey = cosigner.verifier.to_vkey()
    monkeypatch.setenv("SAFESHARE_LEDGER_WITNESSES", json.dumps([{"url": url, "vkey": wkey}]))
    monkeypatch.setenv("SAFESHARE_LEDGER_WITNESS_QUORUM", "1")
    get_settings.cache_clear()
    try:
        _append(6)
        assert runner.invoke(app, ["checkpoint"]).exit_code == 0
        _append(6)
        signed = runner.invoke(app, ["checkpoint"])
        assert signed.exit_code == 0
        assert signed.output.count("\n\u2014 ") == 2  # the log's signature and the cosignature
        kept = configured / "kept-checkpoint.txt"
        kept.write_text(signed.output)
        assert runner.invoke(app, ["verify", "--vkey", vkey]).exit_code == 0

        bundle = configured / "bundle.zip"
        assert runner.invoke(app, ["export", str(bundle), "--no-checkpoint"]).exit_code == 0
        honest = ["--vkey", vkey, "--witness", wkey, "--quiet"]
        assert offline.main([str(bundle), *honest]) == 0

        with get_runtime().session() as session:
            tamper.disable_append_only(session)
            tamper.roll_back(session, 6)
        rolled = configured / "rolled.zip"
        assert runner.invoke(app, ["export", str(rolled), "--no-checkpoint"]).exit_code == 0
        assert offline.main([str(rolled), *honest]) == 0  # the bundle alone looks fine
        assert offline.main([str(rolled), *honest, "--checkpoint", str(kept)]) == 1
        caught = runner.invoke(app, ["verify", "--vkey", vkey])
        assert caught.exit_code == 1
        assert "rollback or truncation" in caught.output
        unasked = runner.invoke(app, ["verify", "--vkey", vkey, "--no-ask-witnesses"])
        assert unasked.exit_code == 0
        assert runner.invoke(app, ["verify", "--checkpoint", str(kept)]).exit_code == 1
    finally:
        server.shutdown()
        server.server_close()
