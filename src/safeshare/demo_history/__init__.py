"""A demo with a history: 18 months of fictional activity, made through the real services.

`load_history` adds to the demo data (`safeshare.demo`) three forces on different regimes,
reports on all four pathways, share requests with reviews, disclosures and outcomes,
referrals with responses and outcomes, vacancy reports, directory releases with
acknowledgements and signed ledger checkpoints, so every statistics page, the assurance PDF,
the review queue and the advocate inbox have something real to show. Deterministic from a
seed; `scale` shrinks it for tests. A top-level orchestrator like `safeshare.demo`: it calls
feature services, never their tables, and nothing imports it but the CLI.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare import demo
from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.models import OrganisationKind, User
from safeshare.auth.passwords import generate_password
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.demo_history import cast
from safeshare.demo_history.directory import plan_directory
from safeshare.demo_history.plan import DAYS, plan_reports
from safeshare.demo_history.simulation import Cast, Directory, Simulation
from safeshare.errors import ConfigurationError, SafeShareError
from safeshare.ledger.startup import ensure_signer
from safeshare.policy import service as policy
from safeshare.reporting.config import Argon2Parameters
from safeshare.reporting.models import Report
from safeshare.runtime import Runtime
from safeshare.subscriptions import subscribe_all
from safeshare.support import service as support
from safeshare.support.vocabulary import ServiceType
from safeshare.vault.providers import build_key_provider

DEFAULT_SEED = 20201217  # the day "Safe to share?" was published
# Anonymous demo reports get random passphrases nobody is ever shown, so nobody can come
# back with them: hashing those at production cost would only slow the load by a minute.
# Real reports always use the configured costs.
_DEMO_PASSPHRASE_COST = Argon2Parameters(time_cost=1, memory_cost_kib=64, parallelism=1)


class HistoryExistsError(SafeShareError):
    code = "demo_history_exists"


@dataclass(frozen=True)
class HistoryResult:
    """What was loaded: new accounts (username, role, password), counts by kind, time taken."""

    created_users: list[tuple[str, str, str, str]]  # username, role, password, TOTP key
    counts: dict[str, int]
    seconds: float
    start: date
    end: date


def has_reports(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Report)))


def load_history(
    runtime: Runtime,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    now: datetime | None = None,
    on_day: Callable[[date], None] = lambda _day: None,
) -> HistoryResult:
    """Load the demo data if missing, then 18 months of history ending at `now`.

    Refused in production and when the database already holds reports (a history is
    loaded once, into a demo database). `on_day` hears of each simulated day committed.
    """
    settings = runtime.settings
    if settings.is_production:
        raise ConfigurationError("the demo history is for development databases only")
    if scale <= 0:
        raise ValueError("scale must be positive")
    began = time.perf_counter()
    end = now or utcnow()
    start = end - timedelta(days=DAYS)
    subscribe_all()
    with runtime.session() as session:
        if has_reports(session):
            raise HistoryExistsError(
                "This database already holds reports: load a history only once"
            )
        created = demo.load_demo_data(session, now=start)
        created += _add_people(session)
        cast_ = _cast(session, settings.force_name, start)
    rng = random.Random(seed)
    config = settings.reporting
    sim = Simulation(
        sessions=runtime.sessions,
        cast_=cast_,
        provider=build_key_provider(settings),
        config=config,
        anonymous_config=config.model_copy(update={"argon2": _DEMO_PASSPHRASE_COST}),
        signer=ensure_signer(settings),
        origin=settings.ledger_origin,
        rng=rng,
        end=end,
    )
    _schedule(sim, rng=rng, start=start, end=end, scale=scale)
    tally = sim.run(on_day)
    return HistoryResult(
        created_users=created,
        counts=dict(sorted(tally.counts.items())),
        seconds=time.perf_counter() - began,
        start=start.date(),
        end=end.date(),
    )


def _schedule(
    sim: Simulation, *, rng: random.Random, start: datetime, end: datetime, scale: float
) -> None:
    for force in cast.FORCES:
        for months, regime in force.regimes[1:]:
            note = (
                "The interim rule ended after the Home Office's review; national guidance applies."
            )
            sim.regime_change(start + timedelta(days=30.4 * months), force.key, regime, note)
    plan_directory(sim, start=start, end=end)
    for story in plan_reports(rng=rng, start=start, scale=scale):
        sim.report(story)
    moment = start + timedelta(days=30)
    while moment < end:
        sim.checkpoint(moment)
        moment += timedelta(days=30)
    sim.checkpoint(end)


def _add_people(session: Session) -> list[tuple[str, str, str, str]]:
    """The extra officers, disclosure officers and advocates (skipping any that exist)."""
    created = []
    for person in cast.EXTRA_PEOPLE:
        if auth_service.get_user_by_username(session, username=person.username) is not None:
            continue
        force = next((f for f in cast.FORCES if f.key == person.organisation), None)
        if force is not None:
            name = force.name or demo.DEMO_FORCE
            organisation = auth_service.get_or_create_organisation(
                session, name=name, kind=OrganisationKind.force
            )
        else:
            found = auth_service.get_organisation_by_name(session, name=person.organisation)
            assert found is not None, person.organisation  # made by the demo directory
            organisation = found
        password = generate_password()
        user = auth_service.create_user(
            session,
            username=person.username,
            display_name=person.display_name,
            role=person.role,
            password=password,
            organisation_id=organisation.id,
            team=person.team,
            actor="demo",
        )
        # Roles that must use a second factor are enrolled at once, as demo.py does.
        secret = mfa.enrol_now(session, user_id=user.id) if person.role in mfa.MFA_ROLES else ""
        created.append((person.username, person.role.value, password, secret))
    return created


def _cast(session: Session, home: str, start: datetime) -> Cast:
    """Everyone who acts, each force's regime history (set now, from the start), the directory."""
    people = {
        user.username: Actor.of(user)
        for user in session.scalars(select(User).where(User.is_active.is_(True)))
    }
    names = {force.key: force.name or home for force in cast.FORCES}
    regimes: dict[str, list[tuple[datetime, str]]] = {}
    for force in cast.FORCES:
        regimes[force.key] = [
            (start + timedelta(days=30.4 * months), regime) for months, regime in force.regimes
        ]
        policy.set_active_regime(
            session,
            regime=force.regimes[0][1],
            actor="admin",
            actor_role=Role.admin,
            force=names[force.key],
            note="Regime in force when SafeShare was adopted.",
            now=start - timedelta(days=1),
        )
    services: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    refuges = []
    for service in support.list_services(session):
        organisation = service.organisation.name
        types = tuple(str(t) for t in service.service_types)
        services.setdefault(organisation, []).append((service.id, types))
        if ServiceType.refuge in service.service_types:
            limits = {
                "vacant_units": service.units - service.nrpf_units,
                "vacant_bedspaces": service.bedspaces - service.nrpf_bedspaces,
                "vacant_nrpf_units": service.nrpf_units,
                "vacant_nrpf_bedspaces": service.nrpf_bedspaces,
            }
            refuges.append((service.id, organisation, limits))
    return Cast(
        people=people,
        force_names=names,
        regimes=regimes,
        directory=Directory(services=services, refuges=refuges),
    )


__all__ = [
    "DAYS",
    "DEFAULT_SEED",
    "HistoryExistsError",
    "HistoryResult",
    "has_reports",
    "load_history",
]
