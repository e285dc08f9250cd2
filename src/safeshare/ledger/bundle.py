"""The export bundle an inspector verifies offline: a directory or a .zip of plain files.

- `entries.jsonl`: every entry's exact stored bytes, one per line (RFC 8785 output has no
  raw newlines), in sequence order;
- `checkpoints.jsonl`: every signed checkpoint as {"number", "created_at", "note"};
- `checkpoint`: the latest signed checkpoint note, as transparency-log tools read it;
- `log.vkey`: the verifier key (`name+keyid+base64`);
- `manifest.json`: format, origin, tree size and root hash.
Stdlib only, so `safeshare-verify` can read it.

A second, smaller format (`safeshare-inclusion-bundle/1`) carries only some entries, each
with its RFC 9162 inclusion proof to one signed checkpoint: what a victim downloads about
her own report, so an advocate can check it offline without being given the whole log
(which names other reports). Same `checkpoint`, `log.vkey`, `manifest.json` and README;
`proofs.jsonl` replaces the entries and checkpoints files.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from safeshare.ledger.errors import BundleError

FORMAT = "safeshare-ledger-bundle/1"
ENTRIES = "entries.jsonl"
CHECKPOINTS = "checkpoints.jsonl"
LATEST_CHECKPOINT = "checkpoint"
VERIFIER_KEY = "log.vkey"
MANIFEST = "manifest.json"
README = "README.txt"
INCLUSION_FORMAT = "safeshare-inclusion-bundle/1"
PROOFS = "proofs.jsonl"

_README = """SafeShare ledger export bundle ({format})

Verify it offline, without the SafeShare database or web application:

    safeshare-verify {name} --vkey '<the force's published ledger key>'

Without --vkey the key shipped in log.vkey is used, which proves only that the bundle is
internally consistent, not that the force signed it.

The checkpoints carry independent witnesses' cosignatures. To rely on more than the force's
own key, add each witness's key and how many must agree, and any cosigned checkpoint you kept
earlier (from the force's /log/checkpoint page or a witness): a bundle cut short or rolled
back then fails.

    safeshare-verify {name} --vkey '<log key>' --witness '<witness key>' --quorum 1 \\
        --checkpoint kept-checkpoint.txt
"""


_INCLUSION_README = """SafeShare inclusion proofs ({format})

Each line of proofs.jsonl is one ledger entry (its exact bytes, as text) with the RFC 9162
inclusion proof that it is in the log whose signed checkpoint is in the file `checkpoint`.
Verify offline, without the SafeShare database or web application:

    safeshare-verify {name} --vkey '<the force's published ledger key>'

Without --vkey the key shipped in log.vkey is used, which proves only that the file is
internally consistent, not that the force signed it.
"""


@dataclass(frozen=True)
class InclusionProof:
    """One entry's exact bytes and its audit path to the checkpoint's tree."""

    leaf_index: int
    entry: bytes
    audit_path: tuple[bytes, ...]


@dataclass(frozen=True)
class BundleCheckpoint:
    number: int
    created_at: str
    note: str


@contextmanager
def _writer(out: Path) -> Iterator[Any]:
    """Yield `open_member(name)` for a directory or, if `out` ends in .zip, a zip file."""
    if out.suffix == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            yield lambda name: zf.open(name, "w", force_zip64=True)
    else:
        if out.exists() and any(out.iterdir()):
            raise BundleError(f"{out} exists and is not empty")
        out.mkdir(parents=True, exist_ok=True)
        yield lambda name: (out / name).open("wb")


def write_bundle(
    out: Path,
    *,
    entries: Iterable[bytes],
    checkpoints: list[BundleCheckpoint],
    verifier_key: str,
    origin: str,
    tree_size: int,
    root_hash: bytes,
) -> int:
    """Write the bundle; return the number of entries written (must equal `tree_size`)."""
    count = 0
    with _writer(out) as open_member:
        with open_member(ENTRIES) as fh:
            for entry in entries:
                fh.write(entry + b"\n")
                count += 1
        if count != tree_size:
            raise BundleError(f"exported {count} entries, expected {tree_size}")
        with open_member(CHECKPOINTS) as fh:
            for cp in checkpoints:
                record = {"number": cp.number, "created_at": cp.created_at, "note": cp.note}
                fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        if checkpoints:
            with open_member(LATEST_CHECKPOINT) as fh:
                fh.write(checkpoints[-1].note.encode())
        with open_member(VERIFIER_KEY) as fh:
            fh.write(verifier_key.encode() + b"\n")
        manifest = {
            "format": FORMAT,
            "origin": origin,
            "tree_size": tree_size,
            "root_hash": root_hash.hex(),
            "checkpoints": len(checkpoints),
            "verifier_key": verifier_key,
        }
        with open_member(MANIFEST) as fh:
            fh.write(json.dumps(manifest, indent=2).encode() + b"\n")
        with open_member(README) as fh:
            fh.write(_README.format(format=FORMAT, name=out.name).encode())
    return count


def write_inclusion_bundle(
    out: Path,
    *,
    proofs: Iterable[InclusionProof],
    checkpoint_note: str,
    verifier_key: str,
    origin: str,
    tree_size: int,
) -> int:
    """Write an inclusion bundle (a directory, or a zip if `out` ends in .zip); return the
    number of proofs written."""
    count = 0
    with _writer(out) as open_member:
        with open_member(PROOFS) as fh:
            for proof in proofs:
                record = {
                    "leaf_index": proof.leaf_index,
                    "entry": proof.entry.decode(),
                    "audit_path": [h.hex() for h in proof.audit_path],
                }
                fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                count += 1
        with open_member(LATEST_CHECKPOINT) as fh:
            fh.write(checkpoint_note.encode())
        with open_member(VERIFIER_KEY) as fh:
            fh.write(verifier_key.encode() + b"\n")
        manifest = {
            "format": INCLUSION_FORMAT,
            "origin": origin,
            "tree_size": tree_size,
            "proofs": count,
            "verifier_key": verifier_key,
        }
        with open_member(MANIFEST) as fh:
            fh.write(json.dumps(manifest, indent=2).encode() + b"\n")
        with open_member(README) as fh:
            fh.write(_INCLUSION_README.format(format=INCLUSION_FORMAT, name=out.name).encode())
    return count


class Bundle:
    """Read access to a bundle directory or zip; entries are streamed, not loaded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = None if path.is_dir() else self._open_zip(path)
        try:
            self.manifest: dict[str, Any] = json.loads(self._read(MANIFEST))
        except json.JSONDecodeError as exc:
            raise BundleError("manifest.json is not JSON") from exc
        self.format = self.manifest.get("format")
        if self.format not in (FORMAT, INCLUSION_FORMAT):
            raise BundleError(f"neither a {FORMAT} nor a {INCLUSION_FORMAT} bundle")
        self.verifier_key = self._read(VERIFIER_KEY).decode().strip()
        self.checkpoints = (
            [self._checkpoint(line) for line in self._lines(CHECKPOINTS)]
            if self.format == FORMAT
            else []
        )

    @property
    def is_inclusion(self) -> bool:
        """Whether this holds some entries with proofs rather than the whole log."""
        return bool(self.format == INCLUSION_FORMAT)

    def latest_checkpoint_note(self) -> str:
        return self._read(LATEST_CHECKPOINT).decode()

    @staticmethod
    def _open_zip(path: Path) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise BundleError(f"{path} is neither a bundle directory nor a zip") from exc

    def _open(self, name: str) -> IO[bytes]:
        try:
            if self._zip is not None:
                return self._zip.open(name)
            return (self.path / name).open("rb")
        except (OSError, KeyError) as exc:
            raise BundleError(f"bundle has no {name}") from exc

    def _read(self, name: str) -> bytes:
        with self._open(name) as fh:
            return fh.read()

    def _lines(self, name: str) -> Iterator[bytes]:
        with self._open(name) as fh:
            for line in fh:
                yield line.rstrip(b"\n")

    @staticmethod
    def _checkpoint(line: bytes) -> BundleCheckpoint:
        try:
            obj = json.loads(line)
            return BundleCheckpoint(int(obj["number"]), str(obj["created_at"]), str(obj["note"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise BundleError("checkpoints.jsonl has a malformed line") from exc

    def entries(self) -> Iterator[bytes]:
        """Each entry's bytes, in file order."""
        return self._lines(ENTRIES)

    def proofs(self) -> Iterator[InclusionProof]:
        """An inclusion bundle's entries with their proofs, in file order."""
        for line in self._lines(PROOFS):
            try:
                obj = json.loads(line)
                yield InclusionProof(
                    int(obj["leaf_index"]),
                    str(obj["entry"]).encode(),
                    tuple(bytes.fromhex(h) for h in obj["audit_path"]),
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise BundleError("proofs.jsonl has a malformed line") from exc

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
