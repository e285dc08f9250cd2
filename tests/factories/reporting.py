"""Factories for reporting payloads, actors and a fast test configuration."""
# mypy: disable-error-code="attr-defined,no-untyped-call,misc,name-defined"

from __future__ import annotations

from datetime import date
from typing import Any

import factory
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from safeshare.auth.models import Organisation
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.reporting import sealed_access, service
from safeshare.reporting.config import Argon2Parameters, ReportingConfig
from safeshare.reporting.schemas import (
    AnonymousReportCreate,
    OfficerReportCreate,
    PublicReportCreate,
    ReportReceipt,
    SealedDetails,
    ThirdPartyReportCreate,
)
from safeshare.reporting.vocabulary import CrimeType
from safeshare.vault.keys import KeyProvider

# Argon2 at its minimum cost: the tests share two cores, and hashing strength is not under test.
FAST_ARGON2 = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)
PASSPHRASE = "correct horse battery staple"


def reporting_config(**overrides: Any) -> ReportingConfig:
    """Default policy with test-friendly argon2 costs."""
    return ReportingConfig(argon2=FAST_ARGON2, **overrides)


def officer(username: str = "pc.jones") -> Actor:
    return Actor(username=username, role=Role.officer)


def staff(role: Role, username: str | None = None) -> Actor:
    return Actor(username=username or f"{role.value}.user", role=role)


def assign_to(
    session: Session, report_id: int, username: str = "pc.jones", team: str | None = None
) -> None:
    """A supervisor assigns the report (officers read sealed fields of their own reports only)."""
    sealed_access.assign_report(
        session,
        report_id=report_id,
        assigned_to=username,
        team=team,
        actor=staff(Role.supervisor, "sgt.assigner"),
        config=reporting_config(),
    )


def advocate(organisation_id: int, username: str = "adv.garcia") -> Actor:
    return Actor(username=username, role=Role.advocate, organisation_id=organisation_id)


def make_organisation(session: Session, name: str = "Latin American Women's Aid") -> int:
    org = Organisation(name=name, kind="support_org")
    session.add(org)
    session.flush()
    return org.id


class SealedDetailsFactory(factory.Factory):
    class Meta:
        model = SealedDetails

    name = factory.Sequence(lambda n: f"Maria Example {n}")
    date_of_birth = date(1990, 5, 17)
    address = "1 Safe Street, Demoshire"
    contact_details = "07700 900123"
    language_needs = "Spanish interpreter"
    account = "He took my passport and said police would deport me."


class _ReportFactory(factory.Factory):
    crime_type = CrimeType.violence
    occurred_from = date(2024, 3, 1)
    area = "North Demoshire"


class PublicReportFactory(_ReportFactory):
    class Meta:
        model = PublicReportCreate

    details = factory.SubFactory(SealedDetailsFactory)


class OfficerReportFactory(_ReportFactory):
    class Meta:
        model = OfficerReportCreate

    details = factory.SubFactory(SealedDetailsFactory)


class ThirdPartyReportFactory(_ReportFactory):
    class Meta:
        model = ThirdPartyReportCreate

    with_identity = True
    details = factory.SubFactory(SealedDetailsFactory)


class AnonymousReportFactory(_ReportFactory):
    class Meta:
        model = AnonymousReportCreate

    passphrase = PASSPHRASE
    details = factory.LazyFunction(lambda: SealedDetails(account="It happened at work."))


def create_public_report(
    session: Session, *, provider: KeyProvider, config: ReportingConfig, **fields: Any
) -> ReportReceipt:
    """A report on the public pathway, in one call."""
    return service.create_report(
        session,
        payload=PublicReportFactory(**fields),
        actor=Actor.public(),
        provider=provider,
        config=config,
    )


def tables_mentioning(session: Session, needle: str) -> list[str]:
    """Tables with a row holding `needle` as text or UTF-8 bytes: a database dump, searched."""
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    hits = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)):
            blob = b"\x00".join(
                bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
            )
            if needle.encode() in blob:
                hits.append(table.name)
    return hits
