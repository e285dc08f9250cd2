"""The directory's history: refuges reporting vacancies every fortnight, the PCC's office changing
entries and publishing a release each quarter, and officers acknowledging them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safeshare.demo_history import cast
from safeshare.demo_history.simulation import DAY, HOUR, Action, Simulation
from safeshare.support import service as support
from safeshare.support.schemas import ServiceUpdate, Vacancies

_HOURS = ("Mon-Fri 9:00-17:00", "Mon-Fri 9:00-19:00", "Mon-Sat 9:00-17:00")
# Who acknowledges releases: most officers, one of them not always.
_READERS = ("officer", "supervisor", "pc.vale")


def plan_directory(sim: Simulation, *, start: datetime, end: datetime) -> None:
    """Schedule fortnightly vacancy reports, quarterly releases and their acknowledgements."""
    rng = sim.rng
    for service_id, organisation, limits in sim.cast.directory.refuges:
        when = start + rng.random() * 7 * DAY
        while when < end - 12 * HOUR:
            sim.at(when, _vacancies(sim, service_id, organisation, limits))
            when += (12 + 4 * rng.random()) * DAY
        sim.at(
            end - (1 + 8 * rng.random()) * HOUR, _vacancies(sim, service_id, organisation, limits)
        )
    version = 1
    when = start + 80 * DAY
    while when < end:
        version += 1
        sim.at(when, _release(sim, version))
        for username in _READERS:
            if username != "pc.vale" or rng.random() < 0.6:
                sim.at(when + (0.5 + 12 * rng.random()) * DAY, _acknowledge(sim, username, version))
        when += (85 + 10 * rng.random()) * DAY


def _vacancies(
    sim: Simulation, service_id: int, organisation: str, limits: dict[str, int]
) -> Action:
    def update(session: Session, at: datetime) -> None:
        figures = {name: sim.rng.randint(0, min(limit, 3)) for name, limit in limits.items()}
        figures["vacant_bedspaces"] = max(figures["vacant_bedspaces"], figures["vacant_units"])
        figures["vacant_nrpf_bedspaces"] = max(
            figures["vacant_nrpf_bedspaces"], figures["vacant_nrpf_units"]
        )
        support.update_capacity(
            session,
            actor=sim.cast.people[cast.ADVOCATES[organisation]],
            service_id=service_id,
            vacancies=Vacancies(**figures),
            now=at,
        )
        sim.tally.add("capacity_updates")

    return update


def _release(sim: Simulation, version: int) -> Action:
    def publish(session: Session, at: datetime) -> None:
        analyst = sim.cast.people["analyst"]
        services = sim.cast.directory.services
        service_id = services[cast.ADVICE][0][0]
        hours = _HOURS[version % len(_HOURS)]
        support.update_service(
            session,
            actor=analyst,
            service_id=service_id,
            changes=ServiceUpdate(opening_hours=hours),
        )
        support.publish_release(
            session,
            actor=analyst,
            change_summary=f"Quarterly review: the advice clinic now opens {hours}.",
            now=at,
        )
        sim.tally.add("releases")

    return publish


def _acknowledge(sim: Simulation, username: str, version: int) -> Action:
    def acknowledge(session: Session, at: datetime) -> None:
        current = support.current_release(session)
        if current is None or current.version != version:
            return  # a newer release came first: they will read that one
        support.acknowledge_release(
            session, actor=sim.cast.people[username], version=version, now=at
        )
        sim.tally.add("acknowledgements")

    return acknowledge
