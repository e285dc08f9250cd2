"""The service directory: CRUD, live capacity, areas, "Find support", CSV import and export."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeshare.auth import service as auth_service
from safeshare.auth.models import Organisation, OrganisationKind
from safeshare.auth.permissions import Permission
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.support.access import (
    Actor,
    is_advocate_of,
    require_advocate_of,
    require_permission,
)
from safeshare.support.areas import AreaMap
from safeshare.support.csv_io import DirectoryRow, read_directory_csv, write_directory_csv
from safeshare.support.errors import (
    CsvImportError,
    InvalidSupportInputError,
    RowError,
    ServiceInUseError,
    ServiceNotFoundError,
    SupportPermissionError,
)
from safeshare.support.models import (
    SupportArea,
    SupportCapacityUpdate,
    SupportDirectoryState,
    SupportReferral,
    SupportService,
)
from safeshare.support.schemas import (
    AreaIn,
    ImportSummary,
    ServiceCreate,
    ServiceFields,
    ServiceRead,
    ServiceUpdate,
    SupportSearch,
    SupportSearchPage,
    Vacancies,
    error_messages,
)
from safeshare.support.search import DirectoryIndex, IndexedService, is_vacancy_stale
from safeshare.support.vocabulary import ServiceType, normalise_tag

VACANCY_MAX_AGE = timedelta(hours=24)
"""Default age after which vacancy figures are flagged stale; callers pass the configured one."""

# Rows of `support_directory_state`: a directory edit changes the first (the index is
# rebuilt), a vacancy report only the second (only vacancy figures are re-read): the frequent
# write stays cheap for every process's next search.
_DIRECTORY_STATE, _VACANCY_STATE = 1, 2
_SERVICE_COLUMNS = tuple(SupportService.__table__.columns)
_PCC_FIELDS = frozenset({"units", "bedspaces", "nrpf_units", "nrpf_bedspaces", "is_active"})
_VACANCY_FIELDS = tuple(Vacancies.model_fields)
_VACANCY_COLUMNS = (
    SupportService.id,
    *(getattr(SupportService, name) for name in _VACANCY_FIELDS),
    SupportService.vacancies_updated_at,
)


# --- directory revision and the search index -------------------------------------------------


def _touch_directory(session: Session, *, state_id: int = _DIRECTORY_STATE) -> None:
    """Give the directory (or its vacancies) a new revision, so every process refreshes."""
    now = utcnow()
    token = uuid.uuid4().hex
    state = session.get(SupportDirectoryState, state_id)
    if state is not None:
        state.revision, state.changed_at = token, now
        session.flush()
        return
    try:
        with session.begin_nested():  # two first-ever writers race to insert the row
            session.add(SupportDirectoryState(id=state_id, revision=token, changed_at=now))
    except IntegrityError:
        state = session.get(SupportDirectoryState, state_id, populate_existing=True)
        assert state is not None
        state.revision, state.changed_at = token, now
        session.flush()


@dataclass(frozen=True)
class _CachedIndex:
    revision: str
    vacancies_revision: str | None
    index: DirectoryIndex


class _IndexCache:
    """The last index built in this process; replaced whole, so readers need no lock."""

    entry: _CachedIndex | None = None


_cache = _IndexCache()


def directory_index(session: Session) -> DirectoryIndex:
    """The search index for the directory as this session sees it, refreshed after changes.

    The revisions are read before the data, so a cached index is never newer than its
    revisions claim; at worst a concurrent write causes one refresh too many.
    """
    rows = session.execute(select(SupportDirectoryState.id, SupportDirectoryState.revision))
    revisions = {state_id: token for state_id, token in rows}
    revision, vacancies = revisions.get(_DIRECTORY_STATE), revisions.get(_VACANCY_STATE)
    entry = _cache.entry
    if revision is not None and entry is not None and entry.revision == revision:
        if entry.vacancies_revision == vacancies:
            return entry.index
        index = entry.index.with_vacancies(
            row._asdict()
            for row in session.execute(
                select(*_VACANCY_COLUMNS).where(SupportService.vacancies_updated_at.is_not(None))
            )
        )
    else:
        index = DirectoryIndex(
            (IndexedService.from_row(row) for row in _directory_rows(session)),
            AreaMap({a.code: a.neighbours for a in session.scalars(select(SupportArea))}),
        )
    if revision is not None:  # no revision: written outside these services; never cache
        _cache.entry = _CachedIndex(revision, vacancies, index)
    return index


def _directory_rows(session: Session, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Every service's columns plus `organisation_name`, in one query (index and export)."""
    statement = (
        select(*_SERVICE_COLUMNS, Organisation.name.label("organisation_name"))
        .join(Organisation, Organisation.id == SupportService.organisation_id)
        .order_by(Organisation.name, SupportService.name)
    )
    if not include_inactive:
        statement = statement.where(SupportService.is_active.is_(True))
    return [dict(row) for row in session.execute(statement).mappings()]


def search_services(
    session: Session,
    *,
    query: SupportSearch,
    now: datetime | None = None,
    stale_after: timedelta = VACANCY_MAX_AGE,
) -> SupportSearchPage:
    """Find support: active services matching `query`, best fit first (see `search.py`)."""
    index = directory_index(session)
    if query.area is not None and query.area not in index.area_map:
        raise InvalidSupportInputError("Choose an area from the list.", field="area")
    return index.search(query, now=now or utcnow(), stale_after=stale_after)


# --- services --------------------------------------------------------------------------------


def service_read(
    service: SupportService,
    *,
    now: datetime | None = None,
    stale_after: timedelta = VACANCY_MAX_AGE,
) -> ServiceRead:
    """The service as pages show it, with the vacancy staleness flag for `now`."""
    row = {column.key: getattr(service, column.key) for column in _SERVICE_COLUMNS}
    stale = is_vacancy_stale(
        is_refuge=ServiceType.refuge in service.service_types,
        updated_at=service.vacancies_updated_at,
        now=now or utcnow(),
        max_age=stale_after,
    )
    return ServiceRead.model_validate(
        {**row, "organisation_name": service.organisation.name, "is_vacancy_stale": stale}
    )


def get_service(session: Session, *, service_id: int) -> SupportService | None:
    return session.get(SupportService, service_id)


def get_service_or_raise(session: Session, *, service_id: int) -> SupportService:
    service = session.get(SupportService, service_id)
    if service is None:
        raise ServiceNotFoundError("There is no such support service.")
    return service


def list_services(
    session: Session, *, organisation_id: int | None = None, include_inactive: bool = False
) -> list[SupportService]:
    """Services by organisation then name; optionally one organisation's only."""
    statement = select(SupportService).join(SupportService.organisation)
    if organisation_id is not None:
        statement = statement.where(SupportService.organisation_id == organisation_id)
    if not include_inactive:
        statement = statement.where(SupportService.is_active.is_(True))
    return list(session.scalars(statement.order_by(Organisation.name, SupportService.name)))


def list_support_organisations(session: Session) -> list[Organisation]:
    """Organisations that can run services, by name (the directory form's choices)."""
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.support_org)
            .order_by(Organisation.name)
        )
    )


def refuges_for_advocate(session: Session, *, actor: Actor) -> list[SupportService]:
    """The refuges run by the advocate's own organisation: where they report vacancies."""
    if actor.organisation_id is None:
        return []
    return [
        service
        for service in list_services(session, organisation_id=actor.organisation_id)
        if ServiceType.refuge in service.service_types
    ]


def get_refuge_for_advocate(session: Session, *, actor: Actor, service_id: int) -> SupportService:
    """A refuge whose vacancies this advocate may update; anyone else is refused."""
    service = get_service_or_raise(session, service_id=service_id)
    require_advocate_of(actor, service.organisation_id, "update its vacancies")
    if ServiceType.refuge not in service.service_types:
        raise InvalidSupportInputError("Only refuges report vacancies.", field="vacant_units")
    return service


def create_service(session: Session, *, actor: Actor, data: ServiceCreate) -> SupportService:
    """Add a service to the directory (the PCC's office maintains it)."""
    require_permission(actor, Permission.DIRECTORY_MANAGE, "add services to the directory")
    organisation = session.get(Organisation, data.organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.support_org:
        raise InvalidSupportInputError("Choose a support organisation.", field="organisation_id")
    _require_known_areas(session, data.areas_covered)
    service = SupportService(**data.model_dump(mode="json"))
    session.add(service)
    session.flush()
    _touch_directory(session)
    _record(session, actor, EventKind.DIRECTORY_SERVICE_CREATED, service_id=service.id)
    return service


def _record(session: Session, actor: Actor, kind: EventKind, **data: object) -> None:
    """A directory change as an event (a ledger entry): ids and field names, never values."""
    publish(session, DomainEvent(kind=kind, actor=actor.username, data=dict(data)))


def update_service(
    session: Session, *, actor: Actor, service_id: int, changes: ServiceUpdate
) -> SupportService:
    """Change a service's entry: the PCC's office, or the organisation's own advocates for
    everything but what the PCC commissions (capacity) and whether the service is listed."""
    service = get_service_or_raise(session, service_id=service_id)
    if not actor.can(Permission.DIRECTORY_MANAGE):
        if not is_advocate_of(actor, service.organisation_id):
            raise SupportPermissionError("Your role may not change this service.")
        if changes.model_fields_set & _PCC_FIELDS:
            raise SupportPermissionError("Capacity and listing are changed by the PCC's office.")
    current = {name: getattr(service, name) for name in ServiceFields.model_fields}
    try:
        merged = ServiceFields.model_validate({**current, **changes.model_dump(exclude_unset=True)})
    except ValidationError as exc:  # a domain error, so the form can point at the field
        field, message = error_messages(exc)[0]
        raise InvalidSupportInputError(message, field=field) from None
    _require_known_areas(session, merged.areas_covered)
    for name, value in merged.model_dump(mode="json").items():
        setattr(service, name, value)
    _clamp_vacancies(service)
    session.flush()
    _touch_directory(session)
    _record(
        session,
        actor,
        EventKind.DIRECTORY_SERVICE_UPDATED,
        service_id=service.id,
        fields=sorted(changes.model_fields_set),
    )
    return service


def delete_service(session: Session, *, actor: Actor, service_id: int) -> None:
    """Remove a service that was never referred to; otherwise deactivate it instead."""
    require_permission(actor, Permission.DIRECTORY_MANAGE, "remove services from the directory")
    service = get_service_or_raise(session, service_id=service_id)
    if session.scalar(select(exists().where(SupportReferral.service_id == service_id))):
        raise ServiceInUseError(
            "This service has referrals, so it is kept for the record: mark it inactive instead."
        )
    session.delete(service)
    session.flush()
    _touch_directory(session)
    _record(session, actor, EventKind.DIRECTORY_SERVICE_DELETED, service_id=service_id)


def _require_known_areas(session: Session, codes: Sequence[str]) -> None:
    unknown = sorted(set(codes) - _area_codes(session))
    if unknown:
        raise InvalidSupportInputError(
            f"Unknown area(s): {', '.join(unknown)}.", field="areas_covered"
        )


def _area_codes(session: Session) -> set[str]:
    return set(session.scalars(select(SupportArea.code)))


# --- capacity --------------------------------------------------------------------------------


def _vacancy_limits(service: SupportService) -> dict[str, int]:
    """The most each vacancy figure can be: general places exclude the ringfenced ones."""
    return {
        "vacant_units": service.units - service.nrpf_units,
        "vacant_bedspaces": service.bedspaces - service.nrpf_bedspaces,
        "vacant_nrpf_units": service.nrpf_units,
        "vacant_nrpf_bedspaces": service.nrpf_bedspaces,
    }


def _clamp_vacancies(service: SupportService) -> None:
    """After capacity shrinks, no vacancy figure may exceed it (the advocate then updates)."""
    for name, limit in _vacancy_limits(service).items():
        setattr(service, name, min(getattr(service, name), limit))


def update_capacity(
    session: Session,
    *,
    actor: Actor,
    service_id: int,
    vacancies: Vacancies,
    now: datetime | None = None,
) -> SupportService:
    """Record current vacancies; only an advocate of the organisation running the refuge may."""
    service = get_service_or_raise(session, service_id=service_id)
    require_advocate_of(actor, service.organisation_id, "update its vacancies")
    _record_vacancies(session, service=service, vacancies=vacancies, user_id=actor.user_id, now=now)
    return service


def _record_vacancies(
    session: Session,
    *,
    service: SupportService,
    vacancies: Vacancies,
    user_id: int | None,
    now: datetime | None = None,
) -> None:
    """Store vacancies and their history row, unchecked as to who: callers decide that."""
    if ServiceType.refuge not in service.service_types:
        raise InvalidSupportInputError("Only refuges report vacancies.", field="vacant_units")
    figures = vacancies.model_dump()
    for name, limit in _vacancy_limits(service).items():
        if figures[name] > limit:
            raise InvalidSupportInputError(
                f"This refuge has only {limit} place(s) of this kind.", field=name
            )
    at = now or utcnow()
    for name in _VACANCY_FIELDS:
        setattr(service, name, figures[name])
    service.vacancies_updated_at = at
    session.add(
        SupportCapacityUpdate(
            service_id=service.id, updated_by_user_id=user_id, recorded_at=at, **figures
        )
    )
    session.flush()
    _touch_directory(session, state_id=_VACANCY_STATE)


def capacity_history(
    session: Session, *, service_id: int, limit: int = 50
) -> list[SupportCapacityUpdate]:
    """The latest vacancy reports for a service, newest first."""
    return list(
        session.scalars(
            select(SupportCapacityUpdate)
            .where(SupportCapacityUpdate.service_id == service_id)
            .order_by(SupportCapacityUpdate.recorded_at.desc(), SupportCapacityUpdate.id.desc())
            .limit(limit)
        )
    )


# --- areas -----------------------------------------------------------------------------------


def list_areas(session: Session) -> list[SupportArea]:
    return list(session.scalars(select(SupportArea).order_by(SupportArea.name)))


def replace_area_map(session: Session, *, actor: Actor, areas: Sequence[AreaIn]) -> None:
    """Replace the localities and their borders (the distance model in `areas.py`)."""
    require_permission(actor, Permission.DIRECTORY_MANAGE, "change the areas")
    codes = [area.code for area in areas]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise InvalidSupportInputError(
            f"Area(s) listed twice: {', '.join(duplicates)}.", field="code"
        )
    unknown = sorted({code for area in areas for code in area.neighbours} - set(codes))
    if unknown:
        raise InvalidSupportInputError(
            f"Unknown neighbour(s): {', '.join(unknown)}.", field="neighbours"
        )
    in_use = {
        code
        for row in _directory_rows(session, include_inactive=True)
        for code in row["areas_covered"]
    }
    dropped = sorted(in_use - set(codes))
    if dropped:
        raise InvalidSupportInputError(
            f"Services still cover area(s) {', '.join(dropped)}.", field="code"
        )
    session.execute(delete(SupportArea))
    session.add_all(SupportArea(code=a.code, name=a.name, neighbours=a.neighbours) for a in areas)
    session.flush()
    _touch_directory(session)
    _record(session, actor, EventKind.DIRECTORY_AREAS_REPLACED, areas=len(areas))


# --- CSV -------------------------------------------------------------------------------------


def import_directory_csv(session: Session, *, actor: Actor, source: TextIO) -> ImportSummary:
    """Create or update services from CSV, all or nothing; `CsvImportError` lists every problem.

    A service is matched by organisation (exact name) and service name (any case);
    organisations missing from SafeShare are created as support organisations. Services not
    in the file are left as they are.
    """
    require_permission(actor, Permission.DIRECTORY_MANAGE, "import the directory")
    rows, errors = read_directory_csv(source)
    organisations = {
        name: auth_service.get_organisation_by_name(session, name=name)
        for name in {row.organisation for row in rows}
    }
    errors += _reference_errors(rows, organisations, _area_codes(session))
    if not rows and not errors:
        errors.append(RowError(2, None, "the file has no services"))
    if errors:
        raise CsvImportError(sorted(errors, key=lambda error: error.row))
    existing = {
        (service.organisation_id, normalise_tag(service.name)): service
        for service in session.scalars(select(SupportService))
    }
    missing = {name for name, organisation in organisations.items() if organisation is None}
    created = updated = 0
    with session.begin_nested():  # a failure part-way leaves nothing behind
        for row in rows:
            organisation = organisations[row.organisation]
            if organisation is None:
                organisation = auth_service.get_or_create_organisation(
                    session, name=row.organisation, kind=OrganisationKind.support_org
                )
                organisations[row.organisation] = organisation
            values = row.fields.model_dump(mode="json")
            service = existing.get((organisation.id, normalise_tag(row.fields.name)))
            if service is None:
                session.add(SupportService(organisation_id=organisation.id, **values))
                created += 1
            else:
                for name, value in values.items():
                    setattr(service, name, value)
                _clamp_vacancies(service)
                updated += 1
        session.flush()
    _touch_directory(session)
    _record(
        session,
        actor,
        EventKind.DIRECTORY_IMPORTED,
        created=created,
        updated=updated,
        organisations_created=len(missing),
    )
    return ImportSummary(
        created=created,
        updated=updated,
        organisations_created=len(missing),
    )


def _reference_errors(
    rows: Sequence[DirectoryRow],
    organisations: Mapping[str, Organisation | None],
    area_codes: set[str],
) -> list[RowError]:
    """Checks that need the database: areas exist, named organisations are support bodies."""
    errors: list[RowError] = []
    for row in rows:
        unknown = sorted(set(row.fields.areas_covered) - area_codes)
        if unknown:
            errors.append(
                RowError(row.row, "areas_covered", f"unknown area(s): {', '.join(unknown)}")
            )
        organisation = organisations[row.organisation]
        if organisation is not None and organisation.kind != OrganisationKind.support_org:
            errors.append(
                RowError(
                    row.row, "organisation", f"{organisation.name} is not a support organisation"
                )
            )
    return errors


def export_directory_csv(session: Session, *, target: TextIO) -> int:
    """Write the whole directory, inactive services included, as CSV; return the row count."""
    rows = _directory_rows(session, include_inactive=True)
    return write_directory_csv(
        target, ({**row, "organisation": row["organisation_name"]} for row in rows)
    )
