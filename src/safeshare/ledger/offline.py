"""`safeshare-verify BUNDLE`: verify an exported ledger bundle with no database or web stack.

For inspectors: needs only Python, `cryptography` and these pure modules. Exit status 0 when
the bundle verifies, 1 when it shows tampering (naming the first bad entry), 2 when it cannot
be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from safeshare.ledger.audit import AuditReport, CheckpointRecord, LogAuditor, Problem, Progress
from safeshare.ledger.bundle import Bundle
from safeshare.ledger.errors import BundleError, LedgerKeyError
from safeshare.ledger.note import NoteVerifier


def verify_bundle(
    path: Path, *, trusted_vkey: str | None = None, show_progress: bool = False
) -> AuditReport:
    """Recompute the bundle's tree and check it against its signed checkpoints."""
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
        covered = auditor.check_checkpoints(records, [verifier], origin=origin)
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
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    try:
        report = verify_bundle(args.bundle, trusted_vkey=args.vkey, show_progress=not args.quiet)
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
