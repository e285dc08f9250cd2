"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from safeshare import __version__
from safeshare.config import Settings, get_settings
from safeshare.db.writer_lock import WriterLock
from safeshare.ledger import service as ledger_service
from safeshare.ledger.periodic import PeriodicCheckpointer
from safeshare.ledger.startup import ensure_signer
from safeshare.ledger.verification import witness_endpoints
from safeshare.ledger.witnessing import HttpTransport
from safeshare.retention.periodic import PeriodicRetention
from safeshare.runtime import Runtime
from safeshare.subscriptions import subscribe_all
from safeshare.web import formatters, navigation
from safeshare.web.access import TokenUseNotes, bounded_integers
from safeshare.web.concurrency import Slots
from safeshare.web.errors import UnexpectedErrorMiddleware, register_error_handlers
from safeshare.web.middleware import (
    AnonymousSessionCookieMiddleware,
    BodySizeLimitMiddleware,
    SecurityHeadersMiddleware,
    SlowRefusalMiddleware,
)
from safeshare.web.oidc import build_client
from safeshare.web.routes import (
    accounts,
    api,
    auth,
    home,
    ledger,
    mfa,
    oversight,
    policy,
    policy_compare,
    public_report,
    published,
    reporting,
    retention,
    sso,
    subject_access,
    support,
    victim_view,
)
from safeshare.web.templating import STATIC_DIR, build_templates

# What `safeshare serve --workers N` gives uvicorn: each worker process calls it.
WORKER_APP = "safeshare.web.app:create_worker_app"
# Mounts that are not FastAPI routes; the route-declaration test accepts only these.
PUBLIC_MOUNTS = frozenset({"/static"})
MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app for `settings` (default: from the environment)."""
    settings = settings or get_settings()
    runtime = runtime or Runtime(settings)
    # Every domain event (decisions, sealed reads, sign-ins) becomes a ledger entry.
    subscribe_all()
    signer = ensure_signer(settings)
    # A group commit's ledger entries are appended together, under one head lock.
    runtime.group_commit.batch_scope = ledger_service.deferred_appends

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        checkpointer = PeriodicCheckpointer(
            runtime.sessions,
            signer=signer,
            origin=settings.ledger_origin,
            witnesses=witness_endpoints(settings),
            transport=HttpTransport(timeout=settings.ledger_witness_timeout_seconds),
            writer_lock=WriterLock(runtime.engine),
        ).start()
        retention_job = PeriodicRetention(runtime.sessions, settings).start()
        try:
            yield
        finally:
            runtime.group_commit.close(timeout=10)
            retention_job.stop(timeout=5)
            checkpointer.stop(timeout=5)

    app = FastAPI(
        title="SafeShare",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(bounded_integers)],
        # No OpenTelemetry here: asking for its providers on every request cost 4% of a
        # decision's CPU, to find none.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.slots = Slots(settings)
    app.state.token_uses = TokenUseNotes(runtime.group_commit)
    app.state.templates = build_templates()
    formatters.register(app.state.templates.env, settings.zone)
    app.state.oidc_client = build_client(settings.oidc) if settings.oidc.enabled else None

    register_error_handlers(app)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie=settings.session_cookie_name,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.is_production,
    )
    app.add_middleware(AnonymousSessionCookieMiddleware, cookie_name=settings.session_cookie_name)
    app.add_middleware(SlowRefusalMiddleware, max_delay=settings.throttled_answer_delay_seconds)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    features = (
        home,
        auth,
        accounts,
        mfa,
        sso,
        api,
        victim_view,  # before public_report: its /report/{slug} would take /report/view
        public_report,
        reporting,
        policy,
        policy_compare,
        support,
        ledger,
        oversight,
        retention,
        subject_access,
        published,
    )
    # Routes are matched in order, one by one: the decision API, which machines call at rates
    # no page sees, is tried first (none of the Firewall's paths overlaps another feature's).
    for module in (policy, *(m for m in features if m is not policy)):
        app.include_router(module.router)
    for module in features:
        for item in getattr(module, "NAV_ITEMS", []):
            navigation.register(item)
    return app


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn options: forwarded headers are trusted only from `trusted_proxies`."""
    proxies = ",".join(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
    return {
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "access_log": False,
        "server_header": False,
    }


def prepare_workers(settings: Settings) -> None:
    """Create, once, the development files every worker reads (else each would make its own)."""
    ensure_signer(settings)
    settings.session_secret()


def create_worker_app() -> FastAPI:
    """The app for one worker process of `safeshare serve --workers N`, from the environment."""
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return create_app(settings)
