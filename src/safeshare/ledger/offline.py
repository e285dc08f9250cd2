"""`safeshare-verify BUNDLE`: verify an exported ledger bundle with no database or web stack.

For inspectors: needs only Python, `cryptography` and these pure modules, and only public
keys: the log's (`--vkey`) and, to rely on more than the operator's word, witnesses'
(`--witness`, `--quorum`). Checkpoints kept outside the bundle (`--checkpoint`: copies of
the public cosigned checkpoint, or a witness's latest) reveal a bundle cut short or rolled
back. An inclusion bundle (some entries with proofs, `bundle.INCLUSION_FORMAT`, what a victim
downloads about her report) is checked entry by entry against its signed checkpoint.
Exit status 0 when the bundle verifies, 1 when it shows tampering (naming the first bad
entry) or lacks the witness quorum, 2 when it cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from safeshare.ledger import merkle
from safeshare.ledger.audit import AuditReport, CheckpointRecord, LogAuditor, Problem, Progress
from safeshare.ledger.bundle import Bundle
from safeshare.ledger.checkpoint import open_checkpoint
from safeshare.ledger.cosignature import CosignatureVerifier
from safeshare.ledger.entry import MalformedEntryError, decode_entry
from safeshare.ledger.errors import BundleError, InvalidProofError, LedgerKeyError, NoteError
from safeshare.ledger.note import NoteVerifier


@dataclass(frozen=True)
class InclusionReport:
    """What checking an inclusion bundle found: how many entries proved, and any problems."""

    tree_size: int
    verified: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.ok:
            return [
                f"Inclusion verified: {self.verified} entr{'y' if self.verified == 1 else 'ies'} "
                f"in the log of {self.tree_size} entries signed in the checkpoint."
            ]
        return ["Inclusion verification FAILED:", *(f"  {p}" for p in self.problems)]


def verify_inclusion_bundle(path: Path, *, trusted_vkey: str | None = None) -> InclusionReport:
    """Check each entry's leaf hash and audit path against the root of the bundle's signed
    checkpoint (RFC 9162 section 2.1.3.2), and the checkpoint's signature."""
    with Bundle(path) as bundle:
        if not bundle.is_inclusion:
            raise BundleError("not an inclusion bundle")
        verifier = NoteVerifier.from_vkey(trusted_vkey or bundle.verifier_key)
        origin = str(bundle.manifest.get("origin", verifier.name))
        try:
            signed = open_checkpoint(bundle.latest_checkpoint_note(), [verifier], origin=origin)
        except NoteError as exc:
            return InclusionReport(0, 0, (f"the checkpoint does not verify: {exc.message}",))
        problems: list[str] = []
        verified = 0
        for proof in bundle.proofs():
            where = f"entry {proof.leaf_index}"
            try:
                if decode_entry(proof.entry).seq != proof.leaf_index:
                    problems.append(f"{where}: its seq is not its leaf index")
                    continue
                merkle.verify_inclusion(
                    proof.leaf_index,
                    signed.tree_size,
                    merkle.leaf_hash(proof.entry),
                    proof.audit_path,
                    signed.root_hash,
                )
            except MalformedEntryError as exc:
                problems.append(f"{where}: {exc}")
            except InvalidProofError as exc:
                problems.append(f"{where}: {exc.message}")
            else:
                verified += 1
        expected = bundle.manifest.get("proofs")
        if expected != verified + len(problems):
            problems.append(f"the manifest lists {expected} proofs")
        return InclusionReport(signed.tree_size, verified, tuple(problems))


def verify_bundle(
    path: Path,
    *,
    trusted_vkey: str | None = None,
    show_progress: bool = False,
    witnesses: Sequence[CosignatureVerifier] = (),
    quorum: int = 0,
    outside: Sequence[str] = (),
) -> AuditReport:
    """Recompute the bundle's tree and check it against its signed checkpoints, the
    witnesses' cosignatures on them, and any checkpoints kept outside it."""
    with Bundle(path) as bundle:
        verifier = NoteVerifier.from_vkey(trusted_vkey or bundle.verifier_key)
        origin = str(bundle.manifest.get("origin", verifier.name))
        expected = int(bundle.manifest.get("tree_size", 0))
        auditor = LogAuditor()
        progress = _progress(expected) if show_progress else None
        auditor.feed(((None, entry, None) for entry in bundle.entries()), progress)
        if show_progress:
            print(file=sys.stderr)
        records = [CheckpointRecord(c.number, c.note) for c in bundle.checkpoints]
        covered = auditor.check_checkpoints(
            records, [verifier], origin=origin, witnesses=witnesses, quorum=quorum
        )
        auditor.check_witnessed_state(outside, [verifier], origin=origin, witnesses=witnesses)
        if auditor.size != expected:
            auditor.problems.append(
                Problem(
                    min(auditor.size, expected),
                    f"the manifest lists {expected} entries but the bundle holds {auditor.size}",
                )
            )
        elif auditor.tree.root().hex() != bundle.manifest.get("root_hash"):
            auditor.problems.append(Problem(None, "the manifest root hash does not match"))
        return auditor.report(checkpoints=len(records), covered_size=covered)


def _progress(total: int) -> Progress:
    def show(done: int) -> None:
        percent = 100 * done // total if total else 100
        print(f"\rverifying entries: {done}/{total} ({percent}%)", end="", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="safeshare-verify",
        description="Verify a SafeShare ledger export bundle offline.",
    )
    parser.add_argument("bundle", type=Path, help="bundle directory or .zip")
    parser.add_argument(
        "--vkey",
        help="the force's published verifier key (name+keyid+base64); "
        "without it the bundle's own key is used",
    )
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        help="a witness's cosigner key (name+keyid+base64, type 0x04); repeat for each",
    )
    parser.add_argument(
        "--quorum",
        type=int,
        default=None,
        help="cosignatures the newest checkpoint needs (default: all --witness keys)",
    )
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        type=Path,
        help="a signed checkpoint kept outside the bundle (e.g. saved from /log/checkpoint)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    try:
        witnesses = [CosignatureVerifier.from_vkey(v) for v in args.witness]
        quorum = len(witnesses) if args.quorum is None else args.quorum
        if not 0 <= quorum <= len(witnesses):
            raise LedgerKeyError("--quorum must be between 0 and the number of --witness keys")
        outside = [p.read_text() for p in args.checkpoint]
        with Bundle(args.bundle) as bundle:
            is_inclusion = bundle.is_inclusion
        if is_inclusion and (witnesses or outside):
            raise BundleError("--witness and --checkpoint apply to whole-log bundles only")
        report: AuditReport | InclusionReport
        if is_inclusion:
            report = verify_inclusion_bundle(args.bundle, trusted_vkey=args.vkey)
        else:
            report = verify_bundle(
                args.bundle,
                trusted_vkey=args.vkey,
                show_progress=not args.quiet,
                witnesses=witnesses,
                quorum=quorum,
                outside=outside,
            )
    except OSError as exc:
        print(f"safeshare-verify: cannot read a file ({type(exc).__name__})", file=sys.stderr)
        return 2
    except (BundleError, LedgerKeyError) as exc:
        print(f"safeshare-verify: {exc.message}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if report.ok and not args.vkey:
        print(
            "Note: checked against the key inside the bundle; pass --vkey with the force's "
            "published key to confirm who signed it."
        )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
