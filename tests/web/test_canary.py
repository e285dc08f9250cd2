"""Canary: sealed values leave the server only through an audited sealed read.

Reports are made (through the staff form, the third-party form, the API and the public
pathway's service) with unique canary strings as immigration status, name, address,
account and update text. The test then walks EVERY route the app registers, found through
`iter_api_routes`, so routes added later are covered without editing this file:

- every GET route (pages, API, exports, ledger pages) for every role, the second
  organisation's advocate and an anonymous visitor, with each path parameter filled in
  with the reports' ids (and their updates', consents' and rights' ids), bare and with the
  report's reference and id in the query string;
- every non-GET API route with an empty and a reference-bearing JSON body.

Every response (body, headers, text inside CSV, JSON, ZIP and PDF content streams), every
log record at DEBUG from every logger, every domain event, every ledger entry and every
database table is searched. The only place a canary may appear is the response of a route
tagged `SEALED_READ_TAG` to an authorised role that stated a reason, and each such read
must have left a `vault.read` ledger entry.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from safeshare.auth import service as auth_service
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import PublicReportCreate, SealedDetails
from safeshare.reporting.vocabulary import CrimeType
from safeshare.runtime import Runtime
from safeshare.support import service as support
from safeshare.support.schemas import ServiceCreate
from safeshare.web.routes.reporting._common import SEALED_READ_TAG
from safeshare.web.routing import iter_api_routes
from tests.factories.reporting import tables_mentioning
from tests.web.conftest import csrf_from
from tests.web.reporting_fixtures import (
    REPORT_LINK,
    advocate_actor,
    bearer,
    ensure_vault_key,
    ledger_entries,
    officer_actor,
    post_form,
    reason_of,
    signed_in,
    step_up_token_for,
)

TAG = uuid.uuid4().hex[:16]
STATUS = f"CANARY-status-{TAG}"
NAME = f"Canaryname {TAG}"
ADDRESS = f"7 Canary Road {TAG}"
ACCOUNT = f"Canary account {TAG}"
UPDATE = f"Canary update {TAG}"
CANARIES = (STATUS, NAME, ADDRESS, ACCOUNT, UPDATE)
ANONYMOUS = "anonymous"
PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
REASON = "Canary test: checking audited reads"


# --- capture -------------------------------------------------------------------------------


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG on every logger, including ones that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    saved: list[tuple[logging.Logger, int, bool, bool]] = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        attach = not logger.propagate
        saved.append((logger, logger.level, logger.disabled, attach))
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if attach:
            logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        for logger, level, disabled, attached in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            if attached:
                logger.removeHandler(caplog.handler)


_PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes, escapes resolved (PDF 32000-1, 7.3.4.2)."""

    def unescape(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1] in b"01234567":
            return bytes([int(code, 8) & 0xFF])
        return _PDF_ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, raw, flags=re.S)


def _pdf_texts(body: bytes) -> list[str]:
    """Text a PDF shows, from its content streams: single-byte (core font) strings as
    Latin-1, and two-byte glyph strings (embedded Unicode fonts) through the ToUnicode maps.
    """
    streams: list[bytes] = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        raw = match.group(1)
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    glyphs: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
            for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                for offset, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    glyphs[gid] = chr(int(dst, 16) + offset)
    texts = []
    for stream in streams:
        strings = [_pdf_literal(m) for m in re.findall(rb"\(((?:\\.|[^\\)])*)\)", stream, re.S)]
        strings += [bytes.fromhex(m.decode()) for m in re.findall(rb"<([0-9A-Fa-f]+)>", stream)]
        texts.append(b"".join(strings).decode("latin-1"))
        texts.append(
            "".join(
                glyphs.get(int.from_bytes(string[i : i + 2], "big"), "")
                for string in strings
                for i in range(0, len(string) - 1, 2)
            )
        )
    return texts


def _texts(content: bytes, headers: dict[str, str] | None = None) -> list[str]:
    """Every way the canary could be readable in a response: body, archives, PDFs, headers."""
    out = [content.decode("utf-8", "replace"), content.decode("latin-1")]
    out += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if content.startswith(b"%PDF"):
        out += _pdf_texts(content)
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                out += _texts(archive.read(name))
    if content.startswith(b"\x1f\x8b"):
        out += _texts(zlib.decompress(content, 16 + zlib.MAX_WBITS))
    return out


def _leaks(content: bytes, headers: dict[str, str] | None = None) -> list[str]:
    texts = _texts(content, headers)
    return [canary for canary in CANARIES if any(canary in text for text in texts)]


# --- the walk ------------------------------------------------------------------------------


class Walk:
    """Calls made, their statuses per route, and any response that carried a canary."""

    def __init__(self) -> None:
        self.leaks: list[str] = []
        self.calls = 0
        self.statuses: dict[tuple[str, str], set[int]] = {}

    def check(self, who: str, method: str, route: APIRoute, url: str, response: Any) -> None:
        self.calls += 1
        self.statuses.setdefault((method, route.path), set()).add(response.status_code)
        found = _leaks(response.content, dict(response.headers))
        if found:
            self.leaks.append(f"{who} {method} {url} -> {response.status_code}: {found}")


def _fill(path: str, ids: dict[str, list[str]], fallback: list[str]) -> list[str]:
    """Every URL for `path` with its parameters filled from `ids` (others: `fallback`)."""
    names = PARAM.findall(path)
    urls = []
    for values in product(*(ids.get(name, fallback) for name in names)):
        url = path
        for value in values:
            url = PARAM.sub(value, url, count=1)
        urls.append(url)
    return urls


# --- the test ------------------------------------------------------------------------------


def _make_reports(
    app: FastAPI, web_runtime: Runtime, pages: dict[str, TestClient], tokens: dict[str, str]
) -> dict[str, Any]:
    """Reports on every pathway, each holding canaries, made through the routes themselves."""
    sealed = {
        "immigration_status": STATUS,
        "name": NAME,
        "address": ADDRESS,
        "account": ACCOUNT,
        "nationality": f"Canaryland {TAG}",
    }
    officer = pages[Role.officer.value]
    made = post_form(
        officer,
        "/reports/new",
        {
            "crime_type": "domestic_abuse",
            "consents": ["victim_support", "police_contact"],
            "consent_method": "officer_in_person",
            **sealed,
        },
    )
    assert made.status_code == 303, made.text[:500]
    match = REPORT_LINK.match(made.headers["location"])
    assert match
    officer_report = int(match.group(1))
    referral_id = _refer_to_support(web_runtime, full_reference(web_runtime, officer_report))
    third = post_form(
        pages[Role.advocate.value],
        "/reports/new",
        {"crime_type": "modern_slavery", "with_identity": "yes", **sealed},
    )
    assert third.status_code == 303
    match = REPORT_LINK.match(third.headers["location"])
    assert match
    third_party_report = int(match.group(1))
    api = TestClient(app).post(
        "/api/v1/reports",
        headers=bearer(tokens[Role.supervisor.value]),
        json={"crime_type": "violence", "details": sealed},
    )
    assert api.status_code == 201
    api_report = api.json()["id"]
    with web_runtime.session() as session:  # the public pathway (its form is elsewhere)
        public_report = reporting.create_report(
            session,
            payload=PublicReportCreate(
                crime_type=CrimeType.hate_crime,
                details=SealedDetails(immigration_status=STATUS, account=ACCOUNT),
            ),
            actor=Actor.public(),
            provider=ensure_vault_key(web_runtime.settings),
            config=web_runtime.settings.reporting,
        ).report_id
    added = post_form(
        officer,
        f"/reports/{officer_report}/updates/new",
        {"text": UPDATE, "key_decision": "arrest", "new_status": "under_investigation"},
    )
    assert added.status_code == 303
    consent = post_form(
        pages[Role.advocate.value],
        f"/reports/{third_party_report}/consents/new",
        {"purpose": "share_with_agency", "agency_name": "Canary-free Refuge"},
    )
    assert consent.status_code == 303
    with web_runtime.session() as session:
        full = reporting.get_report_or_raise(
            session, report_id=officer_report, actor=officer_actor()
        )
        third_full = reporting.get_report_or_raise(
            session, report_id=third_party_report, actor=advocate_actor(web_runtime)
        )
    met = post_form(
        officer,
        f"/reports/{officer_report}/rights/{full.rights[2].id}/met",
        {"delivery_method": "in_person"},
    )
    assert met.status_code == 303
    reports = [officer_report, third_party_report, api_report, public_report]
    return {
        "officer_report": officer_report,
        "third_party_report": third_party_report,
        "reference": full.reference,
        "referral_id": referral_id,
        "update_id": full.updates[0].id,
        "ids": {
            "report_id": [str(r) for r in reports],
            "update_id": [str(full.updates[0].id)],
            "consent_id": [str(c.id) for c in [*full.consents, *third_full.consents]],
            "item_id": [str(full.rights[0].id), str(full.rights[2].id)],
        },
    }


def full_reference(web_runtime: Runtime, report_id: int) -> str:
    with web_runtime.session() as session:
        return reporting.get_report_or_raise(
            session, report_id=report_id, actor=officer_actor()
        ).reference


def _refer_to_support(web_runtime: Runtime, reference: str) -> int:
    """Refer the officer's report (victim_support consent) to a Support Org A service, through
    the Firewall, so the receiving advocate's sealed read can be exercised."""
    with web_runtime.session() as session:
        org = auth_service.get_organisation_by_name(session, name="Support Org A")
        officer_user = auth_service.get_user_by_username(session, username="officer")
        assert org is not None and officer_user is not None
        service_id = support.create_service(
            session,
            actor=support.SYSTEM_ACTOR,
            data=ServiceCreate.model_validate(
                {
                    "organisation_id": org.id,
                    "name": "Canary-free Advocacy",
                    "service_types": ["advocacy"],
                    "referral_method": "secure_email",
                    "is_area_wide": True,
                    "referral_contact": "refer@advocacy.example",
                }
            ),
        ).id
        attempt = support.refer_report(
            session, actor=Actor.of(officer_user), reference=reference, service_id=service_id
        )
        assert attempt.referral is not None
        return attempt.referral.id


def _principals(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> tuple[dict[str, TestClient], dict[str, str]]:
    pages: dict[str, TestClient] = {role.value: client_for(role) for role in Role}
    pages["advocate-b"] = signed_in(app, "advocate-b")
    pages[ANONYMOUS] = TestClient(app, follow_redirects=False)
    tokens = {
        role.value: step_up_token_for(web_runtime, role.value.replace("_", "-")) for role in Role
    }
    tokens["advocate-b"] = step_up_token_for(web_runtime, "advocate-b")
    return pages, tokens


def test_sealed_values_leave_only_through_audited_reads(
    app: FastAPI,
    web_runtime: Runtime,
    client_for: Callable[[Role], TestClient],
    every_log: pytest.LogCaptureFixture,
    published: list[DomainEvent],
) -> None:
    ensure_vault_key(web_runtime.settings)
    pages, tokens = _principals(app, client_for, web_runtime)
    seeded = _make_reports(app, web_runtime, pages, tokens)
    ids: dict[str, list[str]] = seeded["ids"]
    fallback = ["1", str(seeded["officer_report"])]
    reference = seeded["reference"]
    query_variants: list[dict[str, str]] = [
        {},
        {
            "reference": reference,
            "report": reference,
            "report_id": str(seeded["officer_report"]),
            "q": reference,
        },
        {"reference": reference, "format": "pdf"},
    ]
    api = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    walk = Walk()
    routes = list(iter_api_routes(app))
    get_routes = [r for r in routes if "GET" in r.methods]
    for route in routes:
        is_api = route.path.startswith("/api/")
        for method in sorted(route.methods):
            if method != "GET" and not is_api:
                continue  # page forms: the sealed-read ones are exercised below
            for url in _fill(route.path, ids, fallback):
                for who in pages:
                    if is_api:
                        headers = bearer(tokens[who]) if who in tokens else {}
                        if method == "GET":
                            for params in query_variants:
                                response = api.get(url, headers=headers, params=params)
                                walk.check(who, method, route, url, response)
                        else:
                            for body in ({}, {"report_id": fallback[1], "reference": reference}):
                                response = api.request(method, url, headers=headers, json=body)
                                walk.check(who, method, route, url, response)
                    else:
                        for params in query_variants:
                            response = pages[who].get(url, params=params)
                            walk.check(who, method, route, url, response)
    assert walk.leaks == [], "\n".join(walk.leaks)

    # Every reporting page and API route really produced content for someone.
    for route in get_routes:
        if route.path.startswith(("/reports", "/api/v1/reports", "/victims-code", "/admin/")):
            assert 200 in walk.statuses[("GET", route.path)], route.path
    assert walk.calls > len(get_routes) * len(pages)

    # The one way out: sealed-read routes, an authorised role and a reason, each recorded.
    sealed_routes = {
        (method, r.path) for r in routes if SEALED_READ_TAG in r.tags for method in r.methods
    }
    before = len(ledger_entries(web_runtime, "vault.read"))
    revealed = _audited_reads(app, pages, tokens, seeded)
    assert {key for key, _ in revealed} == sealed_routes, (
        "a route tagged as a sealed read is not exercised here: add how to call it"
    )
    for (method, path), found in revealed:
        assert found, f"{method} {path} revealed nothing to an authorised role"
    after = ledger_entries(web_runtime, "vault.read")
    reads = after[: len(after) - before]
    assert reads and all(reason_of(web_runtime, r["data"]) == REASON for r in reads)

    # Logs, events, the ledger and the database hold none of it.
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
        for r in every_log.records
    )
    assert every_log.records
    from collections import Counter

    print(Counter(r.name for r in every_log.records).most_common(12))
    assert [c for c in CANARIES if c in logged] == []
    assert [c for c in CANARIES if c in repr(published)] == []
    assert any(e.kind == "vault.read" for e in published)
    ledger = json.dumps(ledger_entries(web_runtime), default=str)
    assert [c for c in CANARIES if c in ledger] == []
    with web_runtime.session() as session:
        assert {c: tables_mentioning(session, c) for c in CANARIES} == {c: [] for c in CANARIES}
    pages["advocate-b"].__exit__(None, None, None)


READERS = {"officer", "supervisor", "disclosure_officer", "advocate"}


def _audited_reads(
    app: FastAPI,
    pages: dict[str, TestClient],
    tokens: dict[str, str],
    seeded: dict[str, Any],
) -> list[tuple[tuple[str, str], bool]]:
    """Call each sealed-read route with a reason, as everyone: exactly the authorised roles
    see the canary (advocates only on their organisation's report), nobody else does.

    Returns ((method, route path), whether it revealed) for each route called.
    """
    officer_report, third = seeded["officer_report"], seeded["third_party_report"]
    update_id, referral_id = seeded["update_id"], seeded["referral_id"]

    def own(who: str) -> int:
        return third if who.startswith("advocate") else officer_report

    fields = {"fields": ["immigration_status", "name", "address", "account"], "reason": REASON}
    page_cases: list[tuple[str, Callable[[str], str], dict[str, Any], set[str]]] = [
        ("/reports/{report_id}/sealed", lambda who: f"/reports/{own(who)}/sealed", fields, READERS),
        (
            "/reports/{report_id}/updates/{update_id}/sealed",
            lambda _who: f"/reports/{officer_report}/updates/{update_id}/sealed",
            {"reason": REASON},
            READERS - {"advocate"},  # the update is on a report no advocate's organisation made
        ),
        (
            "/support/referrals/{referral_id}/details",
            lambda _who: f"/support/referrals/{referral_id}/details",
            {"details_reason": REASON},
            {"advocate"},  # only the receiving organisation's advocate, only what was shared
        ),
    ]
    results: list[tuple[tuple[str, str], bool]] = []
    for template, url_for, data, expected in page_cases:
        seen_by = set()
        for who, client in pages.items():
            form = data if who == ANONYMOUS else {"csrf_token": csrf_from(client, "/home"), **data}
            response = client.post(url_for(who), data=form)
            if _leaks(response.content, dict(response.headers)):
                assert who in expected and response.status_code == 200, (who, template)
                seen_by.add(who)
        assert seen_by == expected, (template, seen_by)
        results.append((("POST", template), bool(seen_by)))
    client = TestClient(app)
    seen_by = set()
    for who in [*tokens, ANONYMOUS]:
        response = client.post(
            f"/api/v1/reports/{own(who)}/sealed-reads",
            headers=bearer(tokens[who]) if who in tokens else {},
            json={"fields": ["immigration_status", "name"], "reason": REASON},
        )
        if _leaks(response.content, dict(response.headers)):
            assert who in READERS and response.status_code == 200, who
            seen_by.add(who)
        else:
            assert response.status_code in (401, 403, 404), (who, response.status_code)
    assert seen_by == READERS
    results.append((("POST", "/api/v1/reports/{report_id}/sealed-reads"), bool(seen_by)))
    return results


def test_the_search_reads_pdfs_archives_and_headers(tmp_path: Path) -> None:
    """The canary search must see text inside exports, or the walk above proves nothing."""
    from fpdf import FPDF

    fonts = sorted(Path("/usr/share/fonts/truetype").glob("**/*.ttf"))[:1]
    for font in [None, *fonts]:
        pdf = FPDF()
        pdf.add_page()
        if font is None:
            pdf.set_font("helvetica", size=10)
        else:
            pdf.add_font("embedded", fname=str(font))
            pdf.set_font("embedded", size=10)
        pdf.multi_cell(50, 5, f"Status (volunteered): {STATUS} -- wrapped over several lines")
        assert _leaks(bytes(pdf.output())) == [STATUS], font
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", f"ref,name\nSS-1,{NAME}\n")
    assert _leaks(packed.getvalue()) == [NAME]
    assert _leaks(gzip.compress(ADDRESS.encode())) == [ADDRESS]
    assert _leaks(b"{}", {"content-disposition": f"attachment; filename={UPDATE}"}) == [UPDATE]
    assert _leaks(b"nothing here") == []
