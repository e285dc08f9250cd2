"""C2SP tlog-cosignature v1, and an interoperability check against an independent verifier.

No signed-note library for Python exists on PyPI (searched: sigsum, tlog, signed-note, sumdb
give only empty placeholders), and the cosignature spec publishes no key with its example.
So the interoperability check is `independent_verify` below: written from the C2SP
signed-note and tlog-cosignature texts using only the stdlib and `cryptography`, sharing no
code with `safeshare.ledger`, and itself anchored to the one published vector with a key
(the signed-note spec's `example.com/foo` vkey and note).
"""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from safeshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from safeshare.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    add_signature_lines,
    verify_cosignatures,
)
from safeshare.ledger.errors import LedgerKeyError, NoteError
from safeshare.ledger.note import Ed25519NoteSigner, NoteVerifier

SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def independent_verify(note: str, vkeys: list[str]) -> dict[str, int | None]:
    """From the specs alone: which vkeys signed `note`. Type 0x01 keys sign the note text;
    type 0x04 keys cosign `cosignature/v1\\ntime <t>\\n` + text; value: the timestamp."""
    body, sep, sigs = note.rpartition("\n\n")
    assert sep, "a signed note has a blank line before its signatures"
    text = body + "\n"
    found: dict[str, int | None] = {}
    for vkey in vkeys:
        name, hex_id, b64 = vkey.split("+", 2)  # base64 may itself contain "+"
        material = base64.b64decode(b64)
        alg, public = material[0], material[1:]
        expected_id = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]
        assert expected_id.hex() == hex_id
        key = Ed25519PublicKey.from_public_bytes(public)
        for line in sigs.splitlines():
            dash, line_name, blob64 = line.split(" ")
            blob = base64.b64decode(blob64)
            if dash != "\u2014" or line_name != name or blob[:4] != expected_id:
                continue
            if alg == 0x01:
                message, signature, stamp = text.encode(), blob[4:], None
            elif alg == 0x04:
                (stamp,) = struct.unpack(">Q", blob[4:12])
                message = f"cosignature/v1\ntime {stamp}\n{text}".encode()
                signature = blob[12:]
            else:
                continue
            try:
                key.verify(signature, message)
            except InvalidSignature:
                continue
            found[vkey] = stamp
    return found


def test_the_independent_verifier_accepts_the_spec_vector() -> None:
    assert independent_verify(SPEC_NOTE, [SPEC_VKEY]) == {SPEC_VKEY: None}
    assert independent_verify(SPEC_NOTE.replace("an example", "a forged"), [SPEC_VKEY]) == {}


def test_a_cosigned_checkpoint_verifies_with_the_independent_verifier() -> None:
    log = Ed25519NoteSigner.generate("police.example/ledger")
    witness = CosignatureSigner.generate("pcc.example/witness")
    checkpoint = Checkpoint("police.example/ledger", 42, hashlib.sha256(b"root").digest())
    note = sign_checkpoint(checkpoint, log)
    cosigned = add_signature_lines(note, [witness.cosign(checkpoint.to_text(), 1_700_000_000)])
    log_vkey, witness_vkey = log.verifier.to_vkey(), witness.verifier.to_vkey()
    assert independent_verify(cosigned, [log_vkey, witness_vkey]) == {
        log_vkey: None,
        witness_vkey: 1_700_000_000,
    }
    # A cosignature over another checkpoint does not transfer.
    other = Checkpoint("police.example/ledger", 43, checkpoint.root_hash).to_text()
    moved = add_signature_lines(note, [witness.cosign(other, 1_700_000_000)])
    assert witness_vkey not in independent_verify(moved, [witness_vkey])


def test_cosignature_key_ids_use_type_0x04_so_log_keys_do_not_collide() -> None:
    witness = CosignatureSigner.generate("w.example/1")
    material = base64.b64decode(witness.verifier.to_vkey().split("+", 2)[2])
    assert material[0] == 0x04 and len(material) == 33
    same_key_as_log = NoteVerifier(name="w.example/1", public_key=witness.verifier.public_key)
    assert same_key_as_log.key_id != witness.verifier.key_id
    with pytest.raises(LedgerKeyError):
        CosignatureVerifier.from_vkey(same_key_as_log.to_vkey())
    with pytest.raises(LedgerKeyError):
        NoteVerifier.from_vkey(witness.verifier.to_vkey())


def test_keys_round_trip_and_bad_cosignatures_are_rejected() -> None:
    witness = CosignatureSigner.generate("w.example/1")
    again = CosignatureSigner.from_skey(witness.to_skey())
    assert again.verifier == witness.verifier
    assert CosignatureVerifier.from_vkey(witness.verifier.to_vkey()) == witness.verifier
    log = Ed25519NoteSigner.generate("log.example")
    checkpoint = Checkpoint("log.example", 1, hashlib.sha256(b"x").digest())
    note = sign_checkpoint(checkpoint, log)
    line = witness.cosign(checkpoint.to_text(), 5)
    good = add_signature_lines(note, [line])
    assert [c.timestamp for c in verify_cosignatures(good, [witness.verifier])] == [5]
    # Unknown witnesses are ignored, a bad signature from a known one is an error.
    assert verify_cosignatures(good, [CosignatureSigner.generate("w.example/2").verifier]) == ()
    blob = bytearray(base64.b64decode(line.split(" ")[2]))
    blob[-1] ^= 1
    bad = add_signature_lines(note, [f"\u2014 w.example/1 {base64.b64encode(blob).decode()}"])
    with pytest.raises(NoteError, match="does not verify"):
        verify_cosignatures(bad, [witness.verifier])
    with pytest.raises(NoteError):
        witness.cosign(checkpoint.to_text(), 0)  # a timestamp of zero is not allowed
