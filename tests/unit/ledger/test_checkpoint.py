"""C2SP tlog-checkpoint text, signing and strict parsing."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from safeshare.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from safeshare.ledger.errors import NoteError
from safeshare.ledger.merkle import EMPTY_ROOT
from safeshare.ledger.note import Ed25519NoteSigner, parse_note


def test_spec_example_parses(note_vectors: dict[str, Any]) -> None:
    example = note_vectors["c2sp_checkpoint_example"]
    text, signatures = parse_note(example["note"])
    cp = Checkpoint.parse(text)
    assert cp.origin == example["origin"]
    assert cp.tree_size == example["tree_size"]
    assert base64.b64encode(cp.root_hash).decode() == example["root_hash_base64"]
    assert cp.to_text() == text
    assert signatures[0].name == cp.origin  # the key name matches the origin


def test_signed_checkpoint_round_trips() -> None:
    signer = Ed25519NoteSigner.generate("safeshare.example/ledger")
    cp = Checkpoint("safeshare.example/ledger", 0, EMPTY_ROOT)
    signed = sign_checkpoint(cp, signer)
    assert signed.startswith(
        "safeshare.example/ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— "
    )
    assert open_checkpoint(signed, [signer.verifier], origin=cp.origin) == cp
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(signed, [signer.verifier], origin="other.example/log")


@pytest.mark.parametrize(
    "text",
    [
        "origin\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "origin\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "origin\n1\nAAAA\n",
        "origin\n1\n",
        "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "origin\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "origin\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)
