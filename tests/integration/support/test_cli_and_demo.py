"""`safeshare support import/export/areas`, and the fictional demo directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeshare.config import get_settings
from safeshare.db import migrate
from safeshare.runtime import get_runtime
from safeshare.support import service
from safeshare.support.cli import app
from safeshare.support.demo import load_demo_directory
from safeshare.support.models import SupportService
from safeshare.support.schemas import SupportSearch

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A migrated SQLite database that `get_runtime()` points at, for this test only."""
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    get_runtime.cache_clear()
    migrate.upgrade(get_runtime().engine)
    yield tmp_path
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()


def test_areas_import_export(database: Path) -> None:
    areas = database / "areas.csv"
    areas.write_text("code,name,neighbours\nnorth,North,south\nsouth,South,\n", encoding="utf-8")
    result = runner.invoke(app, ["areas", str(areas)])
    assert result.exit_code == 0, result.output

    services = database / "services.csv"
    services.write_text(
        "\ufefforganisation,name,service_types,areas_covered,referral_method,referral_contact\n"
        "Org Ñ,Ayuda,advocacy,north,phone,01632 960000\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(services)])
    assert result.exit_code == 0, result.output
    assert "1 service(s) created" in result.output

    exported = database / "export.csv"
    result = runner.invoke(app, ["export", str(exported)])
    assert result.exit_code == 0, result.output
    assert "Org Ñ,Ayuda,advocacy" in exported.read_text(encoding="utf-8-sig")


def test_a_bad_file_is_refused_with_its_rows_listed(database: Path) -> None:
    services = database / "services.csv"
    services.write_text(
        "organisation,name,service_types,areas_covered,referral_method,referral_contact\n"
        "Org,Ayuda,advocacy,nowhere,phone,0163\n"
        "Org,Otra,shelter,,phone,0163\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(services)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "nowhere" in result.output and "service_types" in result.output
    with get_runtime().session() as session:
        assert session.scalar(select(func.count()).select_from(SupportService)) == 0


def test_demo_directory_is_fictional_and_loads_once(db_session: Session) -> None:
    assert load_demo_directory(db_session) == 8
    assert load_demo_directory(db_session) == 0
    refuges = [s for s in service.list_services(db_session) if "refuge" in s.service_types]
    assert sum(s.units for s in refuges) == 50
    assert sum(s.bedspaces for s in refuges) == 92
    assert sum(s.nrpf_units for s in refuges) == 24
    assert all("(fictional)" in s.organisation.name for s in service.list_services(db_session))
    page = service.search_services(
        db_session, query=SupportSearch(need="refuge", has_nrpf=True, vacancy_now=True)
    )
    assert {r.service.name for r in page.results} == {"Casa Lumen refuge", "Saheli refuge"}
    assert service.current_release(db_session) is not None
