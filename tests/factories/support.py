"""Factories for support inputs, and a small world of organisations, people and areas."""
# mypy: disable-error-code="attr-defined,no-untyped-call,misc,name-defined"
# (factory_boy ships no type information)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.models import Organisation, OrganisationKind, User
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.support import service
from safeshare.support.models import SupportService
from safeshare.support.schemas import AreaIn, ReferralCreate, ServiceCreate

# north - centre - south in a line; "island" borders nothing.
AREAS: tuple[AreaIn, ...] = (
    AreaIn(code="north", name="North", neighbours=["centre"]),
    AreaIn(code="centre", name="Centre", neighbours=["south"]),
    AreaIn(code="south", name="South"),
    AreaIn(code="island", name="Island"),
)


class ServiceCreateFactory(factory.Factory):
    class Meta:
        model = ServiceCreate

    organisation_id = 0  # the world fills it in
    name = factory.Sequence(lambda n: f"Service {n}")
    service_types = factory.LazyFunction(lambda: ["advocacy"])
    languages = factory.LazyFunction(lambda: ["English"])
    communities = factory.LazyFunction(lambda: ["Latin American women"])
    areas_covered = factory.LazyFunction(lambda: ["north"])
    referral_method = "secure_email"
    referral_contact = factory.Sequence(lambda n: f"referrals{n}@support.example")


class RefugeCreateFactory(ServiceCreateFactory):
    service_types = factory.LazyFunction(lambda: ["refuge"])
    has_nrpf_support = True
    units = 10
    bedspaces = 18
    nrpf_units = 4
    nrpf_bedspaces = 7


class ReferralCreateFactory(factory.Factory):
    class Meta:
        model = ReferralCreate

    report_id = factory.Sequence(lambda n: 1000 + n)
    service_id = 0
    needs = factory.LazyFunction(lambda: ["advocacy"])
    language = "Spanish"
    has_nrpf = True


def consent_given(_session: Session, _report_id: int) -> bool:
    return True


def consent_refused(_session: Session, _report_id: int) -> bool:
    return False


@dataclass
class SupportWorld:
    """Two support organisations, one advocate each, and police and PCC staff."""

    session: Session
    org_a: Organisation
    org_b: Organisation
    advocate_a: Actor
    advocate_b: Actor
    officer: Actor
    pcc: Actor

    def service(
        self, factory_class: type[factory.Factory] = ServiceCreateFactory, **fields: Any
    ) -> SupportService:
        """A service of organisation A (unless `organisation_id` says otherwise)."""
        fields.setdefault("organisation_id", self.org_a.id)
        return service.create_service(self.session, actor=self.pcc, data=factory_class(**fields))

    def user(
        self, role: Role, *, organisation: Organisation | None = None, team: str | None = None
    ) -> Actor:
        return make_user(self.session, role, organisation=organisation, team=team)


def make_user(
    session: Session,
    role: Role,
    *,
    organisation: Organisation | None = None,
    team: str | None = None,
) -> Actor:
    """A user inserted directly: password hashing is not what these tests are about."""
    number = session.scalar(select(func.count()).select_from(User))
    user = User(
        username=f"{role.value}-{number}",
        display_name=f"Test {role.value} {number}",
        role=role.value,
        organisation_id=None if organisation is None else organisation.id,
        team=team,
        password_hash="not-a-real-hash",
    )
    session.add(user)
    session.flush()
    return Actor.of(user)


def make_world(session: Session) -> SupportWorld:
    org_a, org_b, force = (
        Organisation(name="Support Org A", kind=OrganisationKind.support_org),
        Organisation(name="Support Org B", kind=OrganisationKind.support_org),
        Organisation(name="Test Force", kind=OrganisationKind.force),
    )
    session.add_all([org_a, org_b, force])
    session.flush()
    world = SupportWorld(
        session=session,
        org_a=org_a,
        org_b=org_b,
        advocate_a=make_user(session, Role.advocate, organisation=org_a),
        advocate_b=make_user(session, Role.advocate, organisation=org_b),
        officer=make_user(session, Role.officer, organisation=force, team="Response A"),
        pcc=make_user(session, Role.pcc_analyst),
    )
    service.replace_area_map(session, actor=world.pcc, areas=AREAS)
    return world
