"""Directory CRUD, capacity by the organisation's own advocates, staleness, and search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.models import Organisation
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.support import service
from safeshare.support.errors import (
    InvalidSupportInputError,
    ServiceInUseError,
    ServiceNotFoundError,
    SupportPermissionError,
)
from safeshare.support.models import SupportService
from safeshare.support.schemas import (
    AreaIn,
    AreaRead,
    CapacityUpdateRead,
    ServiceUpdate,
    SupportSearch,
    Vacancies,
)
from tests.factories.support import (
    AREAS,
    ReferralCreateFactory,
    RefugeCreateFactory,
    ServiceCreateFactory,
    consent_given,
    make_world,
)


def test_create_read_update_delete(db_session: Session) -> None:
    world = make_world(db_session)
    created = world.service(name="Casa advocacy", languages=["Spanish", "spanish", "Portuguese"])
    assert created.languages == ["Spanish", "Portuguese"]
    assert service.get_service(db_session, service_id=created.id) is created
    assert [s.name for s in service.list_services(db_session, organisation_id=world.org_a.id)] == [
        "Casa advocacy"
    ]

    service.update_service(
        db_session,
        actor=world.pcc,
        service_id=created.id,
        changes=ServiceUpdate(opening_hours="24 hours", is_active=False),
    )
    assert created.opening_hours == "24 hours"
    assert service.list_services(db_session) == []
    assert service.list_services(db_session, include_inactive=True) == [created]

    service.delete_service(db_session, actor=world.pcc, service_id=created.id)
    assert service.get_service(db_session, service_id=created.id) is None
    with pytest.raises(ServiceNotFoundError):
        service.get_service_or_raise(db_session, service_id=created.id)


def test_update_validates_the_whole_entry(db_session: Session) -> None:
    world = make_world(db_session)
    created = world.service()
    with pytest.raises(InvalidSupportInputError, match="OISC") as caught:
        service.update_service(
            db_session,
            actor=world.pcc,
            service_id=created.id,
            changes=ServiceUpdate(service_types=["immigration_advice"]),
        )
    assert caught.value.field == "oisc_level"
    with pytest.raises(InvalidSupportInputError) as caught:
        service.update_service(
            db_session,
            actor=world.pcc,
            service_id=created.id,
            changes=ServiceUpdate(areas_covered=["atlantis"]),
        )
    assert caught.value.field == "areas_covered"


def test_who_may_change_the_directory(db_session: Session) -> None:
    world = make_world(db_session)
    data = ServiceCreateFactory(organisation_id=world.org_a.id)
    for actor in (world.officer, world.advocate_a):
        with pytest.raises(SupportPermissionError):
            service.create_service(db_session, actor=actor, data=data)
    created = world.service()
    # An organisation's own advocates may keep its entry up to date; others may not.
    service.update_service(
        db_session,
        actor=world.advocate_a,
        service_id=created.id,
        changes=ServiceUpdate(opening_hours="Mon-Fri"),
    )
    with pytest.raises(SupportPermissionError):
        service.update_service(
            db_session,
            actor=world.advocate_b,
            service_id=created.id,
            changes=ServiceUpdate(opening_hours="never"),
        )
    for commissioned in (ServiceUpdate(units=0), ServiceUpdate(is_active=False)):
        with pytest.raises(SupportPermissionError):
            service.update_service(
                db_session, actor=world.advocate_a, service_id=created.id, changes=commissioned
            )
    with pytest.raises(SupportPermissionError):
        service.delete_service(db_session, actor=world.advocate_a, service_id=created.id)


def test_services_belong_to_support_organisations(db_session: Session) -> None:
    world = make_world(db_session)
    force = db_session.scalar(select(Organisation).where(Organisation.kind == "force"))
    assert force is not None
    with pytest.raises(InvalidSupportInputError):
        world.service(organisation_id=force.id)


def test_a_referred_service_is_kept_for_the_record(db_session: Session) -> None:
    world = make_world(db_session)
    created = world.service()
    service.create_referral(
        db_session,
        actor=world.officer,
        data=ReferralCreateFactory(service_id=created.id),
        has_victim_support_consent=consent_given,
    )
    with pytest.raises(ServiceInUseError):
        service.delete_service(db_session, actor=world.pcc, service_id=created.id)


def test_capacity_is_updated_by_the_organisations_own_advocates_only(db_session: Session) -> None:
    world = make_world(db_session)
    refuge = world.service(RefugeCreateFactory)  # 10 units / 18 bedspaces, 4 / 7 ringfenced
    vacancies = Vacancies(
        vacant_units=1, vacant_bedspaces=2, vacant_nrpf_units=1, vacant_nrpf_bedspaces=1
    )
    for actor in (world.advocate_b, world.pcc, world.officer):
        with pytest.raises(SupportPermissionError):
            service.update_capacity(
                db_session, actor=actor, service_id=refuge.id, vacancies=vacancies
            )
    service.update_capacity(
        db_session, actor=world.advocate_a, service_id=refuge.id, vacancies=vacancies
    )
    assert (refuge.vacant_units, refuge.vacant_nrpf_bedspaces) == (1, 1)

    later = Vacancies(vacant_nrpf_units=4, vacant_nrpf_bedspaces=7)
    service.update_capacity(
        db_session, actor=world.advocate_a, service_id=refuge.id, vacancies=later
    )
    history = service.capacity_history(db_session, service_id=refuge.id)
    assert [h.vacant_nrpf_units for h in history] == [4, 1]  # newest first
    assert {h.updated_by_user_id for h in history} == {world.advocate_a.user_id}
    assert CapacityUpdateRead.model_validate(history[0]).vacant_nrpf_bedspaces == 7

    with pytest.raises(InvalidSupportInputError) as caught:
        service.update_capacity(
            db_session,
            actor=world.advocate_a,
            service_id=refuge.id,
            vacancies=Vacancies(vacant_nrpf_units=5, vacant_nrpf_bedspaces=5),
        )
    assert caught.value.field == "vacant_nrpf_units"


def test_only_refuges_report_vacancies(db_session: Session) -> None:
    world = make_world(db_session)
    advocacy = world.service()
    with pytest.raises(InvalidSupportInputError):
        service.update_capacity(
            db_session, actor=world.advocate_a, service_id=advocacy.id, vacancies=Vacancies()
        )


def test_shrinking_capacity_shrinks_vacancies_with_it(db_session: Session) -> None:
    world = make_world(db_session)
    refuge = world.service(RefugeCreateFactory)
    service.update_capacity(
        db_session,
        actor=world.advocate_a,
        service_id=refuge.id,
        vacancies=Vacancies(vacant_units=6, vacant_bedspaces=11),
    )
    service.update_service(
        db_session, actor=world.pcc, service_id=refuge.id, changes=ServiceUpdate(units=6)
    )
    assert (refuge.vacant_units, refuge.vacant_bedspaces) == (2, 11)


def test_vacancy_figures_go_stale(db_session: Session) -> None:
    world = make_world(db_session)
    refuge = world.service(RefugeCreateFactory)
    assert service.service_read(refuge).is_vacancy_stale  # never reported
    service.update_capacity(
        db_session, actor=world.advocate_a, service_id=refuge.id, vacancies=Vacancies()
    )
    read = service.service_read(refuge, stale_after=timedelta(hours=6))
    assert not read.is_vacancy_stale and read.organisation_name == "Support Org A"
    tomorrow = utcnow() + timedelta(hours=7)
    assert service.service_read(
        refuge, now=tomorrow, stale_after=timedelta(hours=6)
    ).is_vacancy_stale
    assert not service.service_read(world.service(), now=tomorrow).is_vacancy_stale


def test_search_sees_each_change_at_once(db_session: Session) -> None:
    world = make_world(db_session)
    refuge = world.service(RefugeCreateFactory, languages=["Spanish"], areas_covered=["south"])
    world.service(name="Advocacy north", areas_covered=["north"])
    query = SupportSearch(need="refuge", has_nrpf=True, vacancy_now=True)
    assert service.search_services(db_session, query=query).total == 0
    service.update_capacity(
        db_session,
        actor=world.advocate_a,
        service_id=refuge.id,
        vacancies=Vacancies(vacant_nrpf_units=1, vacant_nrpf_bedspaces=1),
    )
    page = service.search_services(db_session, query=query)
    assert [r.service.id for r in page.results] == [refuge.id]
    assert page.results[0].has_vacancy_now and not page.results[0].service.is_vacancy_stale

    nearby = service.search_services(
        db_session, query=SupportSearch(area="north", language="spanish")
    )
    assert [(r.service.name, r.distance, r.matches_language) for r in nearby.results] == [
        (refuge.name, 2, True),
        ("Advocacy north", 0, False),
    ]
    assert service.directory_index(db_session) is service.directory_index(db_session)

    service.update_service(
        db_session, actor=world.pcc, service_id=refuge.id, changes=ServiceUpdate(name="Renamed")
    )
    page = service.search_services(db_session, query=query)
    assert [r.service.name for r in page.results] == ["Renamed"]


def test_search_rejects_an_unknown_area(db_session: Session) -> None:
    make_world(db_session)
    with pytest.raises(InvalidSupportInputError) as caught:
        service.search_services(db_session, query=SupportSearch(area="atlantis"))
    assert caught.value.field == "area"


def test_area_map_keeps_areas_in_use(db_session: Session) -> None:
    world = make_world(db_session)
    world.service(areas_covered=["island"])
    without_island = [area for area in AREAS if area.code != "island"]
    with pytest.raises(InvalidSupportInputError, match="island"):
        service.replace_area_map(db_session, actor=world.pcc, areas=without_island)
    with pytest.raises(InvalidSupportInputError, match="nowhere"):
        service.replace_area_map(
            db_session,
            actor=world.pcc,
            areas=[*AREAS, AreaIn(code="x", name="X", neighbours=["nowhere"])],
        )
    with pytest.raises(SupportPermissionError):
        service.replace_area_map(db_session, actor=world.advocate_a, areas=AREAS)
    service.replace_area_map(
        db_session,
        actor=world.pcc,
        areas=[*AREAS, AreaIn(code="east", name="East", neighbours=["north"])],
    )
    assert AreaRead.model_validate(service.list_areas(db_session)[0]).name == "Centre"
    assert [a.code for a in service.list_areas(db_session)] == [
        "centre",
        "east",
        "island",
        "north",
        "south",
    ]


def test_user_roles_other_than_listed_cannot_manage(db_session: Session) -> None:
    world = make_world(db_session)
    inspector = world.user(Role.inspector)
    with pytest.raises(SupportPermissionError):
        service.create_service(
            db_session, actor=inspector, data=ServiceCreateFactory(organisation_id=world.org_a.id)
        )
    assert db_session.scalar(select(SupportService.id)) is None
