"""The witness's add-checkpoint rules (c2sp.org/tlog-witness), status code by status code."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from safeshare.ledger import merkle
from safeshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from safeshare.ledger.cosignature import CosignatureSigner, verify_cosignatures
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.ledger.witness import AddCheckpointRequest, Witness, WitnessStore, origin_hash

ORIGIN = "police.example/ledger"
LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(20)]


@pytest.fixture
def log() -> Ed25519NoteSigner:
    return Ed25519NoteSigner.generate(ORIGIN)


@pytest.fixture
def witness(tmp_path: Path, log: Ed25519NoteSigner) -> Witness:
    signer = CosignatureSigner.generate("pcc.example/witness")
    return Witness(
        signer=signer, logs=[log.verifier], store=WitnessStore(tmp_path / "w.db"), clock=lambda: 1e9
    )


def note(log: Ed25519NoteSigner, size: int, leaves: list[bytes] = LEAVES) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, merkle.root_hash(leaves[:size])), log)


def add(
    witness: Witness, old: int, checkpoint: str, leaves: list[bytes] = LEAVES
) -> tuple[int, str]:
    size = int(checkpoint.split("\n")[1])
    proof = tuple(merkle.consistency_proof(old, leaves[:size])) if 0 < old < size else ()
    response = witness.add_checkpoint(AddCheckpointRequest(old, proof, checkpoint).to_body())
    return response.status, response.body


def test_cosigns_a_first_checkpoint_then_only_consistent_extensions(
    witness: Witness, log: Ed25519NoteSigner
) -> None:
    status, line = add(witness, 0, note(log, 8))
    assert status == 200
    cosigned = note(log, 8) + line
    assert [c.timestamp for c in verify_cosignatures(cosigned, [witness.signer.verifier])] == [
        10**9
    ]
    assert add(witness, 8, note(log, 13))[0] == 200
    assert add(witness, 13, note(log, 13))[0] == 200  # same size, same root: cosigned again
    held = witness.latest(origin_hash(ORIGIN))
    assert held.status == 200 and held.body.split("\n")[1] == "13"
    assert len(verify_cosignatures(held.body, [witness.signer.verifier])) == 1


def test_conflicts_and_inconsistencies_are_refused(
    witness: Witness, log: Ed25519NoteSigner
) -> None:
    assert add(witness, 0, note(log, 8))[0] == 200
    stale = witness.add_checkpoint(AddCheckpointRequest(0, (), note(log, 13)).to_body())
    assert (stale.status, stale.body, stale.content_type) == (409, "8\n", "text/x.tlog.size")
    rewritten = [merkle.leaf_hash(b"forged"), *LEAVES[1:]]
    assert add(witness, 8, note(log, 13, rewritten), rewritten)[0] == 422
    bad_same_size = sign_checkpoint(Checkpoint(ORIGIN, 8, merkle.leaf_hash(b"x")), log)
    assert add(witness, 8, bad_same_size)[0] == 422
    # Rolling back is a conflict: the witness holds 8, never goes back to 5.
    assert add(witness, 5, note(log, 5))[0] == 409
    assert witness.store.get(ORIGIN) is not None and witness.store.get(ORIGIN).tree_size == 8  # type: ignore[union-attr]


def test_request_errors_have_the_spec_status_codes(
    witness: Witness, log: Ed25519NoteSigner
) -> None:
    assert witness.add_checkpoint(b"not a request").status == 400
    assert add(witness, 9, note(log, 8))[0] == 400  # old size larger than the checkpoint
    stranger = Ed25519NoteSigner.generate("other.example/log")
    other = sign_checkpoint(Checkpoint("other.example/log", 1, LEAVES[0]), stranger)
    assert add(witness, 0, other)[0] == 404
    impostor = Ed25519NoteSigner.generate(ORIGIN)
    assert add(witness, 0, note(impostor, 8))[0] == 403
    empty_wrong = sign_checkpoint(Checkpoint(ORIGIN, 0, LEAVES[0]), log)
    assert add(witness, 0, empty_wrong)[0] == 422
    with_proof = AddCheckpointRequest(0, (LEAVES[0],), note(log, 8)).to_body()
    assert witness.add_checkpoint(with_proof).status == 422
    assert witness.latest(origin_hash("other.example/log")).status == 404


def test_state_survives_a_new_witness_object_on_the_same_file(
    tmp_path: Path, log: Ed25519NoteSigner
) -> None:
    signer = CosignatureSigner.generate("w.example")
    first = Witness(signer=signer, logs=[log.verifier], store=WitnessStore(tmp_path / "s.db"))
    assert add(first, 0, note(log, 8))[0] == 200
    again = Witness(signer=signer, logs=[log.verifier], store=WitnessStore(tmp_path / "s.db"))
    assert add(again, 0, note(log, 13))[0] == 409


def test_concurrent_submissions_never_roll_the_state_back(
    witness: Witness, log: Ed25519NoteSigner
) -> None:
    """The spec's race: check-and-update is atomic, so the largest cosigned size wins."""
    assert add(witness, 0, note(log, 4))[0] == 200
    results: list[int] = []

    def submit(size: int) -> None:
        results.append(add(witness, 4, note(log, size))[0])

    threads = [threading.Thread(target=submit, args=(size,)) for size in range(5, 15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(200) == 1 and results.count(409) == 9
    held = witness.store.get(ORIGIN)
    assert held is not None and held.tree_size >= 5
