"""Benchmark "Find support" over a generated directory of 10,000 services.

    .venv/bin/python bench/support_search.py [--services 10000] [--queries 500] [--url URL]

Builds a throwaway SQLite database (or uses --url, e.g. an empty PostgreSQL database), loads
fictional services through the CSV import, then times `search_services` as the web layer will
call it: server time per query including the revision check, from the first (index build)
to steady state, and the first search after a vacancy report (vacancy figures re-read) and
after a directory edit (index rebuilt). Prints median and 95th percentile
of wall time, and of CPU time (which other processes on a shared machine do not inflate).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safeshare.auth import service as auth_service
from safeshare.auth.passwords import generate_password
from safeshare.auth.roles import Role
from safeshare.auth.service import Principal
from safeshare.db import migrate
from safeshare.db.base import utcnow
from safeshare.db.session import make_engine, make_session_factory
from safeshare.support import service
from safeshare.support.models import SupportService
from safeshare.support.schemas import AreaIn, ServiceUpdate, SupportSearch, Vacancies
from safeshare.support.vocabulary import ServiceType

GRID = 10  # 100 localities on a 10 x 10 grid, bordering up, down, left and right
SERVICES_PER_ORGANISATION = 5
LANGUAGES = [
    "English", "Spanish", "Portuguese", "Urdu", "Punjabi", "Hindi", "Bengali", "Gujarati",
    "Arabic", "Farsi", "Pashto", "Dari", "Kurdish", "Turkish", "Polish", "Romanian",
    "Bulgarian", "Lithuanian", "Russian", "Ukrainian", "Somali", "Swahili", "Amharic",
    "Tigrinya", "French", "Lingala", "Yoruba", "Igbo", "Twi", "Mandarin", "Cantonese",
    "Vietnamese", "Thai", "Tagalog", "Tamil", "Sinhala", "Nepali", "Albanian", "Italian",
]  # fmt: skip
COMMUNITIES = [
    "Latin American women", "South Asian women", "Black and minoritised women",
    "LGBT+ migrants", "Eastern European women", "Middle Eastern and North African women",
    "East and South East Asian women", "Migrant women", "Deaf and disabled migrants",
]  # fmt: skip


def area_map() -> list[AreaIn]:
    def code(row: int, col: int) -> str:
        return f"a{row}-{col}"

    return [
        AreaIn(
            code=code(r, c),
            name=f"Locality {r}-{c}",
            neighbours=[code(r + 1, c)] * (r + 1 < GRID) + [code(r, c + 1)] * (c + 1 < GRID),
        )
        for r in range(GRID)
        for c in range(GRID)
    ]


def directory_csv(count: int, rng: random.Random, areas: list[str]) -> str:
    """`count` fictional services as the CSV the PCC would import."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["organisation", "name", "service_types", "oisc_level", "communities", "languages",
         "has_nrpf_support", "areas_covered", "is_area_wide", "referral_method",
         "referral_contact", "units", "bedspaces", "nrpf_units", "nrpf_bedspaces"]
    )  # fmt: skip
    types = [t.value for t in ServiceType]
    for n in range(count):
        kinds = rng.sample(types, rng.choice([1, 1, 2]))
        is_refuge = "refuge" in kinds
        nrpf_units = rng.randint(0, 4) if is_refuge else 0
        units = rng.randint(nrpf_units + 1, 20) if is_refuge else 0
        writer.writerow(
            [
                f"Bench organisation {n // SERVICES_PER_ORGANISATION} (fictional)",
                f"Bench service {n}",
                ";".join(kinds),
                rng.randint(1, 3) if "immigration_advice" in kinds else "",
                ";".join(rng.sample(COMMUNITIES, rng.randint(1, 2))),
                ";".join(rng.sample(LANGUAGES, rng.randint(1, 5))),
                "yes" if nrpf_units or rng.random() < 0.4 else "no",
                ";".join(rng.sample(areas, rng.randint(1, 4))),
                "yes" if rng.random() < 0.03 else "no",
                rng.choice(["secure_email", "phone", "portal"]),
                f"referrals{n}@bench.example",
                units,
                units * 2 if is_refuge else 0,
                nrpf_units,
                nrpf_units * 2,
            ]
        )
    return out.getvalue()


def random_query(rng: random.Random, areas: list[str]) -> SupportSearch:
    return SupportSearch(
        need=rng.choice([None, *ServiceType]),
        language=rng.choice(LANGUAGES) if rng.random() < 0.8 else None,
        has_nrpf=rng.random() < 0.5,
        require_nrpf_support=rng.random() < 0.2,
        area=rng.choice(areas),
        vacancy_now=rng.random() < 0.3,
    )


def timed(action: Callable[[], object]) -> float:
    """Wall-clock milliseconds: the server time a request would see."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def cpu_timed(action: Callable[[], object]) -> float:
    """CPU milliseconds of this process: unlike wall time, unaffected by other busy processes."""
    started = time.process_time()
    action()
    return (time.process_time() - started) * 1000


def summary(label: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[18]
    return (
        f"{label}: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"max {max(times):.2f} ms"
    )


def load(session: Session, count: int, rng: random.Random) -> tuple[list[str], Principal, int]:
    """Areas, services and vacancies; returns area codes, an advocate and their refuge."""
    admin = service.SYSTEM_ACTOR
    areas = area_map()
    service.replace_area_map(session, actor=admin, areas=areas)
    codes = [a.code for a in areas]
    text = directory_csv(count, rng, codes)
    ms = timed(lambda: service.import_directory_csv(session, actor=admin, source=io.StringIO(text)))
    print(f"import of {count} services: {ms:.0f} ms")
    # Vacancies are live data, not imported: give half the refuges some, of varying age.
    refuges = session.execute(
        select(SupportService.id, SupportService.units, SupportService.nrpf_units).where(
            SupportService.units > 0
        )
    ).all()
    now = utcnow()
    session.execute(
        update(SupportService),
        [
            {
                "id": sid,
                "vacant_units": (vacant := rng.randint(0, units - nrpf)),
                "vacant_bedspaces": vacant,
                "vacant_nrpf_units": (nrpf_vacant := rng.randint(0, nrpf)),
                "vacant_nrpf_bedspaces": nrpf_vacant,
                "vacancies_updated_at": now - timedelta(hours=rng.randint(0, 72)),
            }
            for sid, units, nrpf in refuges
            if rng.random() < 0.5
        ],
    )
    refuge_id = refuges[0].id
    organisation_id = session.get_one(SupportService, refuge_id).organisation_id
    user = auth_service.create_user(
        session,
        username="bench-advocate",
        display_name="Bench advocate",
        role=Role.advocate,
        password=generate_password(),
        organisation_id=organisation_id,
    )
    return codes, Principal.of(user), refuge_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate.upgrade(engine)
        with make_session_factory(engine)() as session:
            codes, advocate, refuge = load(session, args.services, rng)
            session.commit()
            print(f"back end: {engine.dialect.name}")
            queries = [random_query(rng, codes) for _ in range(args.queries + 2)]

            def search(query: SupportSearch) -> Callable[[], object]:
                return lambda: service.search_services(session, query=query)

            print(f"first search (builds the index): {timed(search(queries[0])):.1f} ms")
            times = [timed(search(query)) for query in queries[2:]]
            print(f"{args.queries} queries over {args.services} services")
            print(summary("  wall time", times))
            print(summary("  CPU time ", [cpu_timed(search(query)) for query in queries[2:]]))
            service.update_capacity(
                session, actor=advocate, service_id=refuge, vacancies=Vacancies()
            )
            session.commit()
            print(f"first search after a vacancy report: {timed(search(queries[1])):.1f} ms")
            service.update_service(
                session,
                actor=service.SYSTEM_ACTOR,
                service_id=refuge,
                changes=ServiceUpdate(opening_hours="24 hours"),
            )
            session.commit()
            print(f"first search after a directory edit: {timed(search(queries[0])):.1f} ms")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
