"""Support data for web and browser tests, created through the services on a test app's database.

Organisations and users come from `tests.web.conftest.seed_users`: "advocate" works for
Support Org A, "advocate-b" for Support Org B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from safeshare.auth import service as auth_service
from safeshare.auth.permissions import Actor
from safeshare.auth.permissions import Actor as ReportingActor
from safeshare.db.base import utcnow
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ConsentGrant, PublicReportCreate
from safeshare.reporting.vocabulary import ConsentMethod, ConsentPurpose, CrimeType
from safeshare.runtime import Runtime
from safeshare.support import service as support
from safeshare.support.schemas import AreaIn, ServiceCreate, Vacancies
from safeshare.vault.keys import InMemoryKeyProvider
from tests.factories.reporting import officer, reporting_config

AREAS = (
    AreaIn(code="north", name="North Demoshire", neighbours=["centre"]),
    AreaIn(code="centre", name="Central Demoshire", neighbours=["south"]),
    AreaIn(code="south", name="South Demoshire"),
)
REPORTING = reporting_config()


@dataclass(frozen=True)
class SupportData:
    org_a: int
    org_b: int
    refuge_a: int  # Org A, Spanish, NRPF, fresh vacancies in North
    stale_refuge_a: int  # Org A, vacancies reported two days ago
    advocacy_b: int  # Org B, Punjabi, Central


def principal(runtime: Runtime, username: str) -> Actor:
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username=username)
        assert user is not None
        return Actor.of(user)


def seed_directory(runtime: Runtime) -> SupportData:
    """Areas, three services in two organisations, and vacancies (one set stale)."""
    advocate_a = principal(runtime, "advocate")
    with runtime.session() as session:
        org_a = auth_service.get_organisation_by_name(session, name="Support Org A")
        org_b = auth_service.get_organisation_by_name(session, name="Support Org B")
        assert org_a is not None and org_b is not None
        support.replace_area_map(session, actor=support.SYSTEM_ACTOR, areas=AREAS)

        def create(**fields: object) -> int:
            data = ServiceCreate.model_validate(
                {"referral_method": "secure_email", "opening_hours": "24 hours", **fields}
            )
            return support.create_service(session, actor=support.SYSTEM_ACTOR, data=data).id

        refuge_a = create(
            organisation_id=org_a.id,
            name="Casa Segura Refuge",
            service_types=["refuge"],
            languages=["Spanish", "Portuguese"],
            communities=["Latin American women"],
            has_nrpf_support=True,
            areas_covered=["north"],
            referral_contact="refer@casa.example",
            units=10,
            bedspaces=18,
            nrpf_units=4,
            nrpf_bedspaces=7,
        )
        stale_refuge_a = create(
            organisation_id=org_a.id,
            name="Old Town Refuge",
            service_types=["refuge"],
            languages=["English"],
            areas_covered=["south"],
            referral_contact="01632 960000",
            units=5,
            bedspaces=9,
        )
        advocacy_b = create(
            organisation_id=org_b.id,
            name="Sahara Advocacy",
            service_types=["advocacy"],
            languages=["Punjabi", "Urdu"],
            communities=["South Asian women"],
            areas_covered=["centre"],
            referral_contact="refer@sahara.example",
        )
        support.update_capacity(
            session,
            actor=advocate_a,
            service_id=refuge_a,
            vacancies=Vacancies(
                vacant_units=2, vacant_bedspaces=3, vacant_nrpf_units=1, vacant_nrpf_bedspaces=2
            ),
        )
        support.update_capacity(
            session,
            actor=advocate_a,
            service_id=stale_refuge_a,
            vacancies=Vacancies(vacant_units=1, vacant_bedspaces=1),
            now=utcnow() - timedelta(hours=48),
        )
        return SupportData(org_a.id, org_b.id, refuge_a, stale_refuge_a, advocacy_b)


def make_report(
    runtime: Runtime, *, consent: bool = True, withdrawn: bool = False
) -> tuple[int, str]:
    """A public report (id, reference), with `victim_support` consent if asked (then withdrawn)."""
    grants = [ConsentGrant(purpose=ConsentPurpose.victim_support)] if consent else []
    with runtime.session() as session:
        receipt = reporting.create_report(
            session,
            payload=PublicReportCreate(crime_type=CrimeType.domestic_abuse, consents=grants),
            actor=ReportingActor.public(),
            provider=InMemoryKeyProvider(),
            config=REPORTING,
        )
        if withdrawn:
            report = reporting.get_report_or_raise(
                session, report_id=receipt.report_id, actor=officer()
            )
            reporting.withdraw_consent(
                session,
                report_id=receipt.report_id,
                consent_id=report.consents[0].id,
                method=ConsentMethod.officer_phone,
                actor=officer(),
                config=REPORTING,
            )
        return receipt.report_id, receipt.reference
