"""C2SP signed notes: the reference example byte for byte, the spec example, and misuse."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from safeshare.ledger import note
from safeshare.ledger.errors import LedgerKeyError, NoteError


def test_reference_key_reproduces_the_published_signature(note_vectors: dict[str, Any]) -> None:
    ref = note_vectors["go_reference"]
    signer = note.Ed25519NoteSigner.from_skey(ref["signer_key"])
    verifier = note.NoteVerifier.from_vkey(ref["verifier_key"])
    assert signer.verifier == verifier
    assert verifier.to_vkey() == ref["verifier_key"]
    assert signer.to_skey() == ref["signer_key"]
    assert signer.key_id.hex() == "c74f20a3"
    assert note.sign_note(ref["text"], signer) == ref["note"]
    opened = note.open_note(ref["note"], [verifier])
    assert opened.text == ref["text"]
    assert [s.name for s in opened.verified] == ["PeterNeumann"]


def test_key_id_is_the_spec_hash(note_vectors: dict[str, Any]) -> None:
    ref = note_vectors["go_reference"]
    verifier = note.NoteVerifier.from_vkey(ref["verifier_key"])
    assert note.key_id("PeterNeumann", 0x01, verifier.public_key).hex() == "c74f20a3"


def test_unknown_cosignatures_are_ignored(note_vectors: dict[str, Any]) -> None:
    ref = note_vectors["go_reference"]
    opened = note.open_note(
        ref["co_signed_note"], [note.NoteVerifier.from_vkey(ref["verifier_key"])]
    )
    assert [s.name for s in opened.unverified] == ["EnochRoot"]


def test_spec_example_parses(note_vectors: dict[str, Any]) -> None:
    example = note_vectors["c2sp_signed_note_example"]
    text, signatures = note.parse_note(example["note"])
    assert text == example["text"]  # text may contain blank lines; split at the last one
    assert signatures[0].name == example["key_name"]
    assert signatures[0].key_id.hex() == example["key_id"]
    assert len(signatures[0].signature) == 64


def test_spec_example_is_rejected_without_its_key(note_vectors: dict[str, Any]) -> None:
    ref = note_vectors["go_reference"]
    with pytest.raises(NoteError, match="trusted"):
        note.open_note(
            note_vectors["c2sp_signed_note_example"]["note"],
            [note.NoteVerifier.from_vkey(ref["verifier_key"])],
        )


def test_altered_text_or_signature_is_rejected(note_vectors: dict[str, Any]) -> None:
    ref = note_vectors["go_reference"]
    verifiers = [note.NoteVerifier.from_vkey(ref["verifier_key"])]
    with pytest.raises(NoteError, match="does not verify"):
        note.open_note(ref["note"].replace("cryptography", "cryptographY"), verifiers)
    line = ref["note"].splitlines()[-1]
    blob = bytearray(base64.b64decode(line.split(" ")[-1]))
    blob[10] ^= 1
    forged = ref["note"].replace(line.split(" ")[-1], base64.b64encode(blob).decode())
    with pytest.raises(NoteError):
        note.open_note(forged, verifiers)


@pytest.mark.parametrize(
    "bad",
    [
        "no trailing newline\n\n— a AAAAAAA=",
        "text\n— a AAAAAAA=\n",
        "text\n\nnot a signature line\n",
        "text\n\n— a not*base64\n",
        "text\n\n— a AAAA\n",
        "te\x01xt\n\n— a AAAAAAA=\n",
    ],
)
def test_malformed_notes_are_rejected(bad: str) -> None:
    with pytest.raises(NoteError):
        note.parse_note(bad)


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_mangled_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(LedgerKeyError):
        note.NoteVerifier.from_vkey(vkey)


def test_generated_key_round_trips() -> None:
    signer = note.Ed25519NoteSigner.generate("safeshare.example/ledger")
    again = note.Ed25519NoteSigner.from_skey(signer.to_skey())
    assert again.verifier == signer.verifier
    signed = note.sign_note("hello\n", signer)
    assert note.open_note(signed, [signer.verifier]).text == "hello\n"
