"""`safeshare report assurance` writes the PDF the web download serves; bad input exits non-zero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare.config import get_settings
from safeshare.db import migrate
from safeshare.ledger import keys
from safeshare.oversight.cli import app
from safeshare.runtime import get_runtime
from tests.factories import oversight as rows
from tests.factories.oversight import at, pdf_text

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    get_runtime.cache_clear()
    migrate.upgrade(get_runtime().engine)
    keys.generate_key_file(tmp_path / "ledger.key", name=get_settings().ledger_origin)
    yield tmp_path
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()


def test_assurance_report_from_the_command_line(database: Path) -> None:
    with get_runtime().session() as session:
        for day in range(1, 25):
            rows.decision(session, requested_at=at(2024, 3, day), force="Demoshire Police")
    assert runner.invoke(app, ["seed-recommendations"]).exit_code == 0
    out = database / "reports" / "q1.pdf"
    result = runner.invoke(
        app, ["assurance", "--from", "2024-01-01", "--to", "2024-03-31", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data).split())
    assert "Assurance report" in text
    assert "1 January 2024 to 31 March 2024, All forces" in text
    assert "Checks passed" in text and "Tampering" not in text
    assert "Recommendations and responses" in text
    assert "Stop sharing where the only concern" in text


def test_assurance_report_without_a_ledger_key_says_not_configured(database: Path) -> None:
    (database / "ledger.key").unlink()
    (database / "ledger.key.pub").unlink()
    out = database / "no-key.pdf"
    result = runner.invoke(
        app, ["assurance", "--from", "2024-01-01", "--to", "2024-03-31", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "Not checked: the ledger key is not configured" in text
    assert "Tampering" not in text and "Checks passed" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13-01", "--to", "2024-03-31"], "not a date"),
        (["--from", "2024-04-01", "--to", "2024-03-31"], "end date"),
    ],
)
def test_bad_periods_are_refused(database: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["assurance", *args, "--out", str(database / "x.pdf")])
    assert result.exit_code != 0
    assert message in result.output
    assert not (database / "x.pdf").exists()
