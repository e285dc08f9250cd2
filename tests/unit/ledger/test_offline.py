"""`safeshare-verify`: bundles verify offline, tampering exits 1, no database stack needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from safeshare.ledger import merkle, offline
from safeshare.ledger.bundle import ENTRIES, BundleCheckpoint, write_bundle
from safeshare.ledger.note import Ed25519NoteSigner

from .logs import ORIGIN, checkpoints, make_log


def _write(out: Path, entries: list[bytes], signer: Ed25519NoteSigner) -> None:
    records = checkpoints(entries, [len(entries) // 2, len(entries)], signer)
    write_bundle(
        out,
        entries=entries,
        checkpoints=[
            BundleCheckpoint(r.number, "2025-01-01T00:00:00+00:00", r.note) for r in records
        ],
        verifier_key=signer.verifier.to_vkey(),
        origin=ORIGIN,
        tree_size=len(entries),
        root_hash=merkle.root_hash([merkle.leaf_hash(e) for e in entries]),
    )


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_exported_bundle_verifies(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    signer = Ed25519NoteSigner.generate(ORIGIN)
    _write(tmp_path / name, make_log(50), signer)
    vkey = signer.verifier.to_vkey()
    assert offline.main([str(tmp_path / name), "--vkey", vkey, "--quiet"]) == 0
    assert "Ledger verified: 50 entries" in capsys.readouterr().out


def test_tampered_bundle_exits_1_naming_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signer = Ed25519NoteSigner.generate(ORIGIN)
    _write(tmp_path / "b", make_log(30), signer)
    path = tmp_path / "b" / ENTRIES
    path.write_bytes(path.read_bytes().replace(b'"C-12"', b'"C-99"'))
    assert offline.main([str(tmp_path / "b"), "--quiet"]) == 1
    assert "first bad entry: 12" in capsys.readouterr().out


def test_bundle_signed_by_another_key_fails(tmp_path: Path) -> None:
    signer = Ed25519NoteSigner.generate(ORIGIN)
    _write(tmp_path / "b", make_log(10), signer)
    trusted = Ed25519NoteSigner.generate(ORIGIN).verifier.to_vkey()
    assert offline.main([str(tmp_path / "b"), "--vkey", trusted, "--quiet"]) == 1


def test_unreadable_bundle_exits_2(tmp_path: Path) -> None:
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert offline.main([str(tmp_path / "junk.zip"), "--quiet"]) == 2
    assert offline.main([str(tmp_path), "--quiet"]) == 2


def test_offline_verifier_imports_no_database_or_web_stack() -> None:
    code = (
        "import sys, safeshare.ledger.offline\n"
        "banned = ('sqlalchemy', 'fastapi', 'starlette', 'jinja2', 'pydantic', 'rfc8785',"
        " 'typer', 'rich', 'psycopg')\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(banned))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
