"""CSV import is all or nothing, with every bad row named; export re-imports unchanged."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.models import Organisation
from safeshare.auth.permissions import Actor
from safeshare.support import service
from safeshare.support.errors import CsvImportError, SupportPermissionError
from safeshare.support.models import SupportService
from safeshare.support.schemas import ImportSummary
from tests.factories.support import make_world

HEADER = (
    "organisation,name,service_types,oisc_level,languages,areas_covered,is_area_wide,"
    "referral_method,referral_contact,units,bedspaces,nrpf_units,nrpf_bedspaces,has_nrpf_support"
)
GOOD = [
    "Support Org A,Casa refuge,refuge,,Spanish;Portuguese,north,no,phone,01632 960,12,22,6,11,yes",
    "New Org,Advice clinic,immigration_advice,3,Arabic,,yes,secure_email,new@x.example,,,,,yes",
]


def counts(session: Session) -> tuple[int | None, int | None]:
    return (
        session.scalar(select(func.count()).select_from(SupportService)),
        session.scalar(select(func.count()).select_from(Organisation)),
    )


def run_import(session: Session, actor: Actor, lines: list[str]) -> ImportSummary:
    source = io.StringIO("\n".join([HEADER, *lines]) + "\n")
    return service.import_directory_csv(session, actor=actor, source=source)


def test_bad_rows_are_all_reported_and_nothing_is_imported(db_session: Session) -> None:
    world = make_world(db_session)
    before = counts(db_session)
    bad = [
        *GOOD,
        "Support Org A,Advice,immigration_advice,,English,north,no,phone,x,,,,,no",  # row 4
        "Test Force,Police refuge,refuge,,English,north,no,phone,x,1,1,,,no",  # row 5
        "Support Org A,Helpline,helpline,,English,atlantis,no,fax,x,,,,,no",  # row 6
        "Support Org A,Refuge 2,refuge,,English,north,no,phone,x,4,2,,,no",  # row 7
    ]
    with pytest.raises(CsvImportError) as caught:
        run_import(db_session, world.pcc, bad)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (4, "oisc_level"),
        (5, "organisation"),
        (6, "referral_method"),
        (7, "bedspaces"),
    ]
    assert "nothing was imported" in caught.value.message
    assert counts(db_session) == before  # not even "New Org" from a good row


def test_unknown_areas_are_reported_once_the_rows_are_valid(db_session: Session) -> None:
    world = make_world(db_session)
    line = "Support Org A,Helpline,helpline,,English,atlantis;north,no,phone,x,,,,,no"
    with pytest.raises(CsvImportError) as caught:
        run_import(db_session, world.pcc, [line])
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (2, "areas_covered", "unknown area(s): atlantis")
    ]


def test_import_creates_then_updates(db_session: Session) -> None:
    world = make_world(db_session)
    summary = run_import(db_session, world.pcc, GOOD)
    assert summary.model_dump() == {"created": 2, "updated": 0, "organisations_created": 1}
    refuge = db_session.scalar(select(SupportService).where(SupportService.name == "Casa refuge"))
    assert refuge is not None and refuge.nrpf_units == 6

    changed = [GOOD[0].replace("Casa refuge", "casa REFUGE").replace(",6,11,", ",8,11,")]
    summary = run_import(db_session, world.pcc, changed)
    assert summary.model_dump() == {"created": 0, "updated": 1, "organisations_created": 0}
    assert refuge.nrpf_units == 8 and refuge.name == "casa REFUGE"


def test_only_the_pcc_office_imports(db_session: Session) -> None:
    world = make_world(db_session)
    with pytest.raises(SupportPermissionError):
        run_import(db_session, world.advocate_a, GOOD)


def test_an_empty_file_is_refused(db_session: Session) -> None:
    world = make_world(db_session)
    with pytest.raises(CsvImportError):
        run_import(db_session, world.pcc, [])


def test_export_then_import_changes_nothing(db_session: Session) -> None:
    world = make_world(db_session)
    run_import(db_session, world.pcc, GOOD)
    first = io.StringIO()
    assert service.export_directory_csv(db_session, target=first) == 2
    first.seek(0)
    summary = service.import_directory_csv(db_session, actor=world.pcc, source=first)
    assert (summary.created, summary.updated) == (0, 2)
    second = io.StringIO()
    service.export_directory_csv(db_session, target=second)
    assert second.getvalue() == first.getvalue()
