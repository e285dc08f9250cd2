"""Officers' list and search: filters, pagination, advocate isolation, never a sealed field."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.reporting import service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ReportingPermissionError
from safeshare.reporting.schemas import ReportQuery, SealedDetails
from safeshare.reporting.vocabulary import CrimeType, Pathway
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import (
    PublicReportFactory,
    ThirdPartyReportFactory,
    advocate,
    make_organisation,
    officer,
)

START = datetime(2024, 5, 1, 9, tzinfo=UTC)


@pytest.fixture
def area() -> str:
    """A unique area per test, so searches see only this test's reports."""
    return f"Area {uuid.uuid4().hex[:8]}"


def _seed(
    session: Session, provider: KeyProvider, config: ReportingConfig, area: str, count: int
) -> list[str]:
    refs = []
    for i in range(count):
        receipt = service.create_report(
            session,
            payload=PublicReportFactory(
                area=area,
                crime_type=CrimeType.domestic_abuse if i % 2 else CrimeType.theft_fraud,
                details=SealedDetails(name=f"Secret Name {i}", immigration_status="Overstayer"),
            ),
            actor=Actor.public(),
            provider=provider,
            config=config,
            now=START + timedelta(days=i),
        )
        refs.append(receipt.reference)
    return refs


def test_pages_newest_first(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, area: str
) -> None:
    refs = _seed(db_session, provider, config, area, 7)
    pages = [
        service.search_reports(
            db_session,
            query=ReportQuery(area=area.upper(), page=n, page_size=3),
            actor=officer(),
            config=config,
        )
        for n in (1, 2, 3)
    ]
    assert [p.total for p in pages] == [7, 7, 7]
    assert pages[0].pages == 3
    assert [len(p.items) for p in pages] == [3, 3, 1]
    listed = [item.reference for p in pages for item in p.items]
    assert listed == list(reversed(refs))


def test_filters(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, area: str
) -> None:
    refs = _seed(db_session, provider, config, area, 6)

    def search(**filters: object) -> list[str]:
        query = ReportQuery.model_validate({"area": area, **filters})
        page = service.search_reports(db_session, query=query, actor=officer(), config=config)
        return [i.reference for i in page.items]

    assert len(search(crime_type=CrimeType.domestic_abuse)) == 3
    assert search(pathway=Pathway.officer) == []
    assert refs[2] in search(reference=refs[2][:8].lower())  # prefix, typed loosely
    assert search(reference=refs[4]) == [refs[4]]
    # Dates are London calendar days: 1 May 2024 10:00 BST to 3 May inclusive.
    assert search(reported_from=date(2024, 5, 2), reported_to=date(2024, 5, 3)) == [
        refs[2],
        refs[1],
    ]


def test_results_never_carry_sealed_fields(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, area: str
) -> None:
    _seed(db_session, provider, config, area, 2)
    page = service.search_reports(
        db_session, query=ReportQuery(area=area), actor=officer(), config=config
    )
    dumped = page.model_dump_json()
    assert "Secret Name" not in dumped and "Overstayer" not in dumped
    assert set(page.items[0].model_dump()) == {
        "id",
        "reference",
        "pathway",
        "crime_type",
        "status",
        "reported_at",
        "occurred_from",
        "occurred_to",
        "area",
        "has_enhanced_rights",
    }


def test_advocates_see_only_their_organisations_reports(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, area: str
) -> None:
    _seed(db_session, provider, config, area, 2)
    ours, theirs = make_organisation(db_session, "Org A"), make_organisation(db_session, "Org B")
    mine = service.create_report(
        db_session,
        payload=ThirdPartyReportFactory(area=area),
        actor=advocate(ours),
        provider=provider,
        config=config,
    )
    seen = service.search_reports(
        db_session, query=ReportQuery(area=area), actor=advocate(ours), config=config
    )
    assert [i.reference for i in seen.items] == [mine.reference]
    other = service.search_reports(
        db_session, query=ReportQuery(area=area), actor=advocate(theirs), config=config
    )
    assert other.total == 0
    assert service.get_report(db_session, report_id=mine.report_id, actor=advocate(theirs)) is None
    assert service.get_report(db_session, report_id=mine.report_id, actor=advocate(ours))


def test_the_public_cannot_list(db_session: Session, config: ReportingConfig) -> None:
    with pytest.raises(ReportingPermissionError):
        service.search_reports(db_session, query=ReportQuery(), actor=Actor.public(), config=config)


def test_report_page_shows_unsealed_facts_only(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, area: str
) -> None:
    ref = _seed(db_session, provider, config, area, 1)[0]
    report_id = service.find_report_id(db_session, reference=ref)
    assert report_id is not None
    page = service.get_report_or_raise(db_session, report_id=report_id, actor=officer())
    assert page.reference == ref and len(page.rights) == 12
    assert "Secret Name" not in page.model_dump_json()
    assert service.find_report_id(db_session, reference="SS-00000-00000") is None
    assert service.find_report_id(db_session, reference="nonsense") is None


def test_an_advocate_without_an_organisation_sees_nothing(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, area: str
) -> None:
    _seed(db_session, provider, config, area, 1)
    orphan = Actor(username="adv.orphan", role=Role.advocate, organisation_id=None)
    with pytest.raises(ReportingPermissionError):
        service.search_reports(
            db_session, query=ReportQuery(area=area), actor=orphan, config=config
        )
