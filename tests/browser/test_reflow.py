"""Every page reflows (WCAG 1.4.10): at 320 and 1280 CSS px wide, nothing scrolls sideways.

Each staff role signs in once and visits every GET page route its role may use (walked from
the app, path parameters filled from seeded rows), then the public pages are visited signed
out. One server, one browser context per role; the viewport is resized in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.oversight import recommendations
from safeshare.oversight.models import Recommendation
from safeshare.policy import service as policy_service
from safeshare.policy.regimes import DEFAULT_REGIME
from safeshare.reporting.models import Consent
from safeshare.runtime import Runtime
from safeshare.web.access import Access
from safeshare.web.routing import iter_routes
from tests.browser.conftest import _LIVE
from tests.browser.test_oversight import sign_in
from tests.factories import oversight as rows
from tests.factories.oversight import at
from tests.web.conftest import username_for

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)
PARAM = re.compile(r"{(\w+)}")
# Not pages: downloads, machine endpoints, and routes that sign out or leave the site.
SKIP = re.compile(r"^/(api|static|log)/|\.(csv|json|pdf|txt)$|^/healthz$|logout|exit")
PUBLIC_PAGES = ("/", "/report", "/login")


@pytest.fixture(scope="module")
def params(live_server: str, browser_settings: Settings) -> Iterator[dict[str, str]]:
    """Path parameter values from seeded rows (every page has something to show)."""
    runtime = Runtime(browser_settings)
    try:
        with runtime.session() as s:
            permit = rows.decision(s, requested_at=at(2024, 3, 1), outcome="permit")
            pending = rows.decision(
                s, requested_at=at(2024, 3, 2), outcome="review", review="pending"
            )
            sent = rows.disclosure(s, sent_at=at(2024, 3, 3), force="Test Force")
            report = rows.report(s, reported_at=at(2024, 3, 4))
            right = rows.right(s, report, number=4, due_on=date(2024, 12, 31))
            consent = Consent(
                report_id=report.id,
                purpose="victim_support",
                method="officer_in_person",
                recorded_by="officer",
            )
            s.add(consent)
            service = rows.support_service(s)
            referral = rows.referral(s, service, created_at=at(2024, 3, 5))
            recommendations.seed_safe_to_share(s)
            _seed_regime_history(s)
            s.flush()
            recommendation = s.scalars(select(Recommendation.id)).first()
            assert pending.review is not None and recommendation is not None
            values = {
                "decision_id": str(permit.id),
                "review_id": str(pending.review.id),
                "disclosure_id": str(sent.id),
                "report_id": str(report.id),
                "item_id": str(right.id),
                "consent_id": str(consent.id),
                "service_id": str(service.id),
                "referral_id": str(referral.id),
                "recommendation_id": str(recommendation),
                "user_id": "1",
                "seq": "0",
                "section": "intersectional",
            }
    finally:
        runtime.engine.dispose()
    yield values  # after the commit: an open transaction would block every sign-in


def _seed_regime_history(session: Any) -> None:
    """Two regime changes with a long note, ending where it started: the history table shows
    (it once widened /policy/regime at 320 px only when an earlier test had changed regime)."""
    note = "Agreed by the force information-sharing board at its meeting on 4 March 2024 " * 3
    for regime in ("hmicfrs-rec1", DEFAULT_REGIME):
        policy_service.set_active_regime(
            session, regime=regime, actor="admin", actor_role=Role.admin, note=note
        )


def _pages_for(role: Role, values: dict[str, str]) -> tuple[list[str], list[str]]:
    """(paths to visit, routes skipped for want of a parameter value) for `role`."""
    visit, unfilled = [], []
    for route in iter_routes(_LIVE["app"]):
        if not isinstance(route, APIRoute) or "GET" not in route.methods or SKIP.search(route.path):
            continue
        access = next(
            (d.call for d in route.dependant.dependencies if isinstance(d.call, Access)), None
        )
        if access is None or access.roles is None or role not in access.roles:
            continue
        names = PARAM.findall(route.path)
        if any(name not in values for name in names):
            unfilled.append(route.path)
            continue
        visit.append(PARAM.sub(lambda m: values[m[1]], route.path))
    return visit, unfilled


# The outermost elements that stick out past the viewport, or whose content does, outside
# any scrolling region: what to fix, named in the failure (tag, id and classes).
_WIDE = """width => {
  const scrolls = el => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const named = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map(c => "." + c).join("");
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    const reach = Math.max(box.right, scrolls(el) ? 0 : box.left + el.scrollWidth);
    if (reach <= width + 1) continue;
    let up = el.parentElement, inside = false;
    for (; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up) || found.includes(up)) { inside = true; break; }
    }
    if (!inside) found.push(el);
  }
  return found.slice(0, 3).map(named);
}"""


def _overflow(page: Any, base: str, path: str) -> list[str]:
    page.goto(f"{base}{path}")
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            culprits = ", ".join(page.evaluate(_WIDE, width))
            found.append(f"{path} at {width}px: scrollWidth {scroll} ({culprits})")
    return found


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_staff_page_reflows(
    live_server: str,
    page_factory: Callable[..., Any],
    params: dict[str, str],
    role: Role,
) -> None:
    visit, unfilled = _pages_for(role, params)
    assert len(visit) >= 3, (role, visit)
    assert not unfilled, f"no seeded value for: {unfilled}"
    page = page_factory()
    sign_in(page, live_server, username_for(role))
    problems = [p for path in visit for p in _overflow(page, live_server, path)]
    assert not problems, "\n".join(problems)


def test_public_pages_reflow(live_server: str, page_factory: Callable[..., Any]) -> None:
    page = page_factory()
    problems = [p for path in PUBLIC_PAGES for p in _overflow(page, live_server, path)]
    assert not problems, "\n".join(problems)
