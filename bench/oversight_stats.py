"""Benchmark the oversight statistics pages on PostgreSQL at the issue's scale.

Creates a throwaway database, migrates it, and bulk-loads synthetic data with server-side
INSERT ... SELECT over generate_series (deterministic: setseed): 1,000,000 sharing decisions
(with reviews, rulings, disclosures and up to four dated outcomes with sources after each
disclosure), 200,000 reports with 12 Victims' Code items each (2,400,000 rows) and 50,000
referrals (some NRPF, with first contact), the staff-form monitoring answers on two reports
in three, and 100,000 feedback answers. Then it catches the decisions
read model up once (timed separately: a one-off backfill), and times each statistics page as
the service builds it (every query plus disclosure control) and as the web app serves it over
HTTP, for a 12-month and a 3-year period, all forces and one force. Target: under 500 ms each.

    .venv/bin/python bench/oversight_stats.py [--decisions N] [--reports N] [--runs N] [--keep]

The admin URL comes from SAFESHARE_TEST_PG_URL (default postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from safeshare.auth import service as auth_service
from safeshare.auth.models import Organisation, OrganisationKind
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.db import migrate
from safeshare.oversight import service, statistics
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.oversight.statistics import Dimension, Measure
from safeshare.oversight.vocabulary import (
    CaseOutcome,
    FeedbackAnswer,
    ImmigrationOutcome,
    OutcomeSource,
)
from safeshare.reporting.vocabulary import (
    Disability,
    ImmigrationStatusCategory,
    PreferredLanguage,
    Religion,
    SexualOrientation,
)
from safeshare.runtime import Runtime
from safeshare.support.models import SupportService

ADMIN_URL = os.environ.get(
    "SAFESHARE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TARGET_MS = 500.0
FORCES = {  # force: (regime, share permitted, share sent for review)
    "Demoshire Police": ("npcc-2020", 0.30, 0.20),
    "Northshire Constabulary": ("firewall", 0.05, 0.05),
    "Westmoor Police": ("iemvp", 0.60, 0.10),
    "Eastvale Police": ("hmicfrs-rec1", 0.20, 0.25),
    "Southport Police": ("npcc-2020", 0.40, 0.15),
}
PASSWORD = "bench-password-not-secret"  # noqa: S105 (a throwaway database's only user)


@contextmanager
def throwaway_database(keep: bool) -> Iterator[str]:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"safeshare_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _array(values: list[str]) -> str:
    """A SQL text array literal of fixed vocabulary (constants here, never user input)."""
    return "(ARRAY[" + ",".join(f"'{v}'" for v in values) + "])"


PATHWAYS = _array(["officer", "public_online", "third_party", "anonymous"])
CRIME_TYPES = ("domestic_abuse", "sexual_offence", "modern_slavery", "violence")
CRIMES = _array([*CRIME_TYPES, "stalking_harassment", "hate_crime", "other"])
STATUSES = _array(["new", "under_investigation", "charged", "no_further_action", "closed"])
SEXES = _array(["female", "female", "male", "other", "declined"])
AGES = _array(["under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus", "declined"])
ETHNICITIES = _array(["asian", "black", "mixed", "white", "other", "declined"])
NATIONALITIES = _array(
    ["british", "irish", "eu_eea_swiss", "rest_of_world", "stateless", "declined"]
)
# The staff-form monitoring answers (issue 19), each from its own enum; NULL is "not asked".
DISABILITIES = _array([d.value for d in Disability])
RELIGIONS = _array([r.value for r in Religion])
ORIENTATIONS = _array([o.value for o in SexualOrientation])
LANGUAGES = _array([language.value for language in PreferredLanguage])
STATUS_CATEGORIES = _array([c.value for c in ImmigrationStatusCategory])
FEEDBACK_ANSWERS = _array([a.value for a in FeedbackAnswer])
REFERRAL_OUTCOMES = _array(["engaged", "unreachable", "declined_by_victim"])
REFERRAL_STATUSES = _array(["pending", "accepted", "closed", "declined", "withdrawn"])


def load(session: Session, *, decisions: int, reports: int) -> dict[str, float]:
    """Bulk-load the synthetic dataset; returns seconds per step."""
    timings: dict[str, float] = {}

    def step(name: str, sql: str, **params: object) -> None:
        started = time.perf_counter()
        session.execute(text(sql), params)
        session.commit()
        timings[name] = time.perf_counter() - started
        print(f"  loaded {name:<22} {timings[name]:6.1f} s", flush=True)

    session.execute(text("SELECT setseed(0.42)"))
    step(
        "policy_sets",
        "INSERT INTO policy_sets (policy_hash, regime, source, created_at) "
        "VALUES (repeat('0', 64), 'bench', '{}', now())",
    )
    forces = list(FORCES)
    regimes = [FORCES[f][0] for f in forces]
    permit = ",".join(str(FORCES[f][1]) for f in forces)
    review = ",".join(str(FORCES[f][1] + FORCES[f][2]) for f in forces)
    agencies = _array(
        [
            "immigration_enforcement",
            "immigration_enforcement",
            "police",
            "local_authority",
            "health",
            "support_org",
        ]
    )
    purposes = _array(
        [
            "immigration_enforcement",
            "criminal_investigation",
            "safeguarding",
            "victim_support",
            "regularisation_support",
        ]
    )
    step(
        "policy_decisions",
        f"""
        INSERT INTO policy_decisions (force, regime, policy_hash, outcome, request, disclose,
            withhold, reasons, verdicts, is_referral_required, is_enforcement_pause_required,
            requested_by, requested_by_role, report_ref, requested_at)
        SELECT {_array(forces)}[f], {_array(regimes)}[f], repeat('0', 64),
            CASE WHEN r < (ARRAY[{permit}])[f] THEN 'permit'
                 WHEN r < (ARRAY[{review}])[f] THEN 'review' ELSE 'deny' END,
            json_build_object(
                'requester', json_build_object(
                    'agency', {agencies}[1 + (i % 6)],
                    'purpose', {purposes}[1 + ((i / 7) % 5)]),
                'subject', json_build_object('role', 'victim',
                    'crime_types', json_build_array('domestic_abuse'),
                    'suspected_of_offence', false, 'status_doubt_only', true,
                    'investigation_active', true, 'receiving_regularisation_support', false,
                    'consents', json_build_array()),
                'categories', json_build_array('identity', 'contact', 'nationality')),
            '[]', '[]', '[]', '{{}}', false, false, 'bench', 'officer',
            CASE WHEN i % 5 = 0 THEN 'BR' || lpad((1 + (i / 5) % :reports)::text, 8, '0') END,
            timestamptz '2022-01-01 00:00+00' + random() * interval '1095 days'
        FROM (SELECT i, 1 + (i % 5) AS f, random() AS r
              FROM generate_series(1, :decisions) AS i) AS g
        """,  # noqa: S608 (constant vocabularies only)
        decisions=decisions,
        reports=reports,
    )
    step(
        "policy_reviews",
        """
        INSERT INTO policy_reviews (decision_id, status, reviewable, created_at, decided_by,
            decided_at)
        SELECT id, CASE WHEN pending THEN 'pending' ELSE 'decided' END, '["identity"]',
            requested_at, CASE WHEN pending THEN NULL ELSE 'bench' END,
            CASE WHEN pending THEN NULL ELSE requested_at + random() * interval '6 days' END
        FROM (SELECT id, requested_at, random() < 0.03 AS pending
              FROM policy_decisions WHERE outcome = 'review') AS d
        """,
    )
    step(
        "policy_review_rulings",
        "INSERT INTO policy_review_rulings (review_id, category, is_disclosed, rationale) "
        "SELECT id, 'identity', random() < 0.35, 'bench' FROM policy_reviews "
        "WHERE status = 'decided'",
    )
    step(
        "policy_disclosures",
        """
        INSERT INTO policy_disclosures (decision_id, force, agency, purpose, regime,
            policy_hash, report_ref, categories, method, sent_at, recorded_by,
            recorded_by_role, recorded_at)
        SELECT id, force, request->'requester'->>'agency', request->'requester'->>'purpose',
            regime, policy_hash, report_ref, '["identity"]', 'secure_email',
            requested_at + interval '2 days', 'bench', 'disclosure_officer', now()
        FROM policy_decisions WHERE outcome = 'permit' AND id % 3 = 0
        """,
    )
    outcomes = _array([o.value for o in ImmigrationOutcome])
    cases = _array([o.value for o in CaseOutcome])
    sources = _array([o.value for o in OutcomeSource])
    step(
        "oversight_share_outcomes",
        f"""
        INSERT INTO oversight_share_outcomes (disclosure_id, track, outcome, occurred_on,
            source, recorded_by, recorded_at)
        SELECT id, track, CASE WHEN track = 'immigration'
                THEN {outcomes}[1 + floor(random() * {len(ImmigrationOutcome)})::int]
                ELSE {cases}[1 + floor(random() * {len(CaseOutcome)})::int] END,
            (sent_at + n * interval '9 days')::date,
            {sources}[1 + floor(random() * {len(OutcomeSource)})::int], 'bench', now()
        FROM policy_disclosures CROSS JOIN (VALUES ('immigration'), ('case')) AS t(track)
            CROSS JOIN generate_series(1, 2) AS n
        WHERE agency = 'immigration_enforcement' AND random() < 0.5
        """,  # noqa: S608 (constant vocabularies only)
    )
    step(
        "reports",
        f"""
        INSERT INTO reports (public_id, reference, pathway, crime_type, status, reported_at,
            has_enhanced_rights, has_identity, sex, age_band, ethnicity_group,
            nationality_group, disability, religion, sexual_orientation, preferred_language,
            immigration_status_category, failed_passphrase_attempts, created_at, updated_at)
        SELECT md5(i::text), 'BR' || lpad(i::text, 8, '0'),
            {PATHWAYS}[1 + i % 4], {CRIMES}[1 + (i / 4) % 7], {STATUSES}[1 + (i / 3) % 5],
            at, true, true, {SEXES}[1 + i % 5], {AGES}[1 + (i / 5) % 8],
            {ETHNICITIES}[1 + (i / 2) % 6],
            CASE WHEN i % 11 = 0 THEN NULL ELSE {NATIONALITIES}[1 + (i / 3) % 6] END,
            CASE WHEN i % 3 = 0 THEN NULL ELSE {DISABILITIES}[1 + (i / 7) % 3] END,
            CASE WHEN i % 3 = 0 THEN NULL ELSE {RELIGIONS}[1 + (i / 5) % 9] END,
            CASE WHEN i % 3 = 0 THEN NULL ELSE {ORIENTATIONS}[1 + (i / 11) % 5] END,
            CASE WHEN i % 3 = 0 THEN NULL ELSE {LANGUAGES}[1 + (i / 13) % 9] END,
            CASE WHEN i % 3 = 0 THEN NULL ELSE {STATUS_CATEGORIES}[1 + (i / 17) % 7] END,
            0, at, at
        FROM (SELECT i, timestamptz '2022-01-01 00:00+00' + random() * interval '1095 days'
              AS at FROM generate_series(1, :reports) AS i) AS g
        """,  # noqa: S608 (constant vocabularies only)
        reports=reports,
    )
    step(
        "victims_code_rights",
        """
        INSERT INTO victims_code_rights (report_id, "right", "trigger", status, triggered_at,
            due_on, met_at, created_at, updated_at)
        SELECT id, n, NULL, status, reported_at,
            CASE WHEN n IN (4, 6) THEN (reported_at + interval '3 days')::date END,
            CASE WHEN status = 'met' THEN reported_at + x * interval '5 days' END,
            reported_at, reported_at
        FROM (SELECT r.id, r.reported_at, n, random() AS x,
                CASE WHEN random() < 0.70 THEN 'met' WHEN random() < 0.8 THEN 'pending'
                    ELSE 'not_applicable' END AS status
              FROM reports AS r CROSS JOIN generate_series(1, 12) AS n) AS items
        """,
    )
    org = Organisation(name="Bench support org", kind=OrganisationKind.support_org)
    session.add(org)
    session.flush()
    svc = SupportService(organisation_id=org.id, name="Bench advocacy", referral_method="phone")
    session.add(svc)
    session.commit()
    step(
        "support_referrals",
        f"""
        INSERT INTO support_referrals (report_id, service_id, organisation_id, needs, status,
            decline_reason, outcome, has_nrpf, created_at, first_contact_at, updated_at,
            shared_categories)
        SELECT id, :service, :org, '["advocacy"]', status,
            CASE WHEN status = 'declined' THEN 'no_capacity' END,
            CASE WHEN status = 'closed' THEN {REFERRAL_OUTCOMES}[1 + id % 3] END,
            id % 3 = 0, reported_at,
            CASE WHEN status = 'closed' THEN reported_at + (id % 9) * interval '1 day' END,
            reported_at, '[]'
        FROM (SELECT id, reported_at, {REFERRAL_STATUSES}[1 + id % 5] AS status
              FROM reports WHERE id % 4 = 0) AS r
        """,  # noqa: S608 (constant vocabularies only)
        service=svc.id,
        org=org.id,
    )
    step(
        "oversight_feedback",
        f"""
        INSERT INTO oversight_feedback (source, referral_id, felt_safe, was_helpful, given_on)
        SELECT CASE WHEN i % 4 = 0 THEN 'advocate' ELSE 'public' END,
            CASE WHEN i % 4 = 0 THEN i END,
            CASE WHEN i % 7 = 0 THEN NULL ELSE {FEEDBACK_ANSWERS}[1 + i % 3] END,
            CASE WHEN i % 5 = 0 THEN NULL ELSE {FEEDBACK_ANSWERS}[1 + (i / 3) % 3] END,
            date '2022-01-01' + (i % 1095)
        FROM generate_series(1, :answers) AS i
        """,  # noqa: S608 (constant vocabularies only)
        answers=reports // 2,
    )
    started = time.perf_counter()
    session.execute(text("ANALYZE"))
    session.commit()
    timings["analyze"] = time.perf_counter() - started
    return timings


def counts(session: Session) -> dict[str, int]:
    tables = [
        "policy_decisions",
        "policy_reviews",
        "policy_disclosures",
        "oversight_share_outcomes",
        "reports",
        "victims_code_rights",
        "support_referrals",
        "oversight_share_facts",
    ]
    return {
        t: int(session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
        for t in tables
    }


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    """Median and worst of `runs` calls, after one warm-up call, in milliseconds."""
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return stats.median(samples), max(samples)


CASES: list[tuple[str, str, dict[str, object]]] = [
    ("12 months, all forces", "2024", {}),
    ("12 months, one force", "2024", {"force": "Demoshire Police"}),
    ("3 years, all forces", "all", {}),
]


def filters_for(period: str, extra: dict[str, object]) -> StatisticsFilters:
    start, end = (
        (date(2024, 1, 1), date(2024, 12, 31))
        if period == "2024"
        else (date(2022, 1, 1), date(2024, 12, 31))
    )
    return StatisticsFilters.model_validate({"start": start, "end": end, **extra})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    slow: list[str] = []
    with throwaway_database(args.keep) as url, tempfile.TemporaryDirectory() as var:
        settings = Settings(
            var_dir=Path(var),
            database_url=url,
            force_name="Demoshire Police",
            secret_key="bench-secret-key-that-is-long-enough",  # type: ignore[arg-type]  # noqa: S106
        )
        runtime = Runtime(settings)
        migrate.upgrade(runtime.engine)
        print(f"Loading {args.decisions:,} decisions and {args.reports:,} reports ...")
        with Session(runtime.engine) as session:
            load(session, decisions=args.decisions, reports=args.reports)
        with runtime.session() as session:
            started = time.perf_counter()
            added = statistics.sync_share_facts(session)
            print(
                f"  read model backfill: {added:,} facts in {time.perf_counter() - started:.1f} s "
                "(one-off)"
            )
            started = time.perf_counter()
            statistics.sync_rights(session)
            print(
                f"  Victims' Code rollups built in {time.perf_counter() - started:.1f} s (one-off)"
            )
        # Steady state, as autovacuum leaves it: statistics current, visibility map set.
        with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            started = time.perf_counter()
            conn.exec_driver_sql("VACUUM ANALYZE")
            print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s")
        with runtime.session() as session:
            auth_service.create_user(
                session,
                username="bench-analyst",
                display_name="Bench analyst",
                role=Role.pcc_analyst,
                password=PASSWORD,
            )
        with Session(runtime.engine) as session:
            for name, value in counts(session).items():
                print(f"  {name:<26} {value:>10,}")
            started = time.perf_counter()
            statistics.sync_share_facts(session)
            print(
                f"  read model catch-up with nothing new: "
                f"{(time.perf_counter() - started) * 1000:.1f} ms"
            )
            # Every statistics page lists the forces for its filter (the forces page twice).
            started = time.perf_counter()
            statistics.known_forces(session)
            print(f"  forces to filter by: {(time.perf_counter() - started) * 1000:.1f} ms")

        sections = list(service.SECTION_TITLES)
        # The intersectional page once more per new-dimension choice (issue 19), as its own row.
        crossings: dict[str, tuple[tuple[Dimension, ...], Measure]] = {
            "intersectional": (
                (Dimension.sex, Dimension.ethnicity_group, Dimension.age_band),
                Measure.compliance,
            ),
            "intersect-new-cs": (
                (Dimension.disability, Dimension.religion, Dimension.immigration_status_category),
                Measure.case_status,
            ),
            "intersect-new-vc": (
                (Dimension.preferred_language, Dimension.sexual_orientation),
                Measure.compliance,
            ),
        }
        rows = sections + [k for k in crossings if k not in sections]
        print(
            f"\nService time per page (every query + disclosure control), ms, "
            f"median / worst of {args.runs}; target < {TARGET_MS:.0f}"
        )
        print(f"{'page':<16}" + "".join(f"{label:>26}" for label, _, _ in CASES))
        for key in rows:
            line = f"{key:<16}"
            section = "intersectional" if key in crossings else key
            for label, period, extra in CASES:
                f = filters_for(period, extra)
                if key in crossings:
                    dimensions, measure = crossings[key]
                    f = f.model_copy(update={"dimensions": dimensions, "measure": measure})

                def call(section: str = section, f: StatisticsFilters = f) -> object:
                    with Session(runtime.engine) as session:
                        return service.statistics_section(
                            session, section=section, filters=f, settings=settings
                        )

                median, worst = timed(args.runs, call)
                if worst > TARGET_MS:
                    slow.append(f"{key} ({label}): {worst:.0f} ms")
                line += f"{median:>17.0f} / {worst:>5.0f}"
            print(line, flush=True)

        from fastapi.testclient import TestClient

        from safeshare.web.app import create_app

        app = create_app(settings, runtime)
        print(
            f"\nHTTP page time (the web app in process, HTML rendered), ms, median / worst "
            f"of {args.runs}; 12 months, all forces"
        )
        with TestClient(app, follow_redirects=False) as client:
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            client.post(
                "/login",
                data={"username": "bench-analyst", "password": PASSWORD, "csrf_token": token},
            )
            for key in rows:
                section = "intersectional" if key in crossings else key
                path = "/oversight/statistics" + ("" if key == "sharing" else f"/{section}")
                url = f"{path}?from=2024-01-01&to=2024-12-31"
                if key in crossings:
                    dimensions, measure = crossings[key]
                    url += f"&dimensions={','.join(dimensions)}&measure={measure}"

                def get(url: str = url) -> object:
                    response = client.get(url)
                    assert response.status_code == 200, response.status_code
                    return response

                median, worst = timed(args.runs, get)
                if worst > TARGET_MS:
                    slow.append(f"HTTP {key}: {worst:.0f} ms")
                print(f"{key:<16}{median:>17.0f} / {worst:>5.0f}", flush=True)
        runtime.engine.dispose()
    print()
    if slow:
        print("Over target:\n  " + "\n  ".join(slow))
        return 1
    print(f"Every page under {TARGET_MS:.0f} ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
