"""The regime comparison page: PCC analysts see exactly what another regime would change."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from safeshare.auth.roles import Role


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_analyst_compares_the_active_regime_with_another(
    client_for: Callable[[Role], TestClient],
) -> None:
    analyst = client_for(Role.pcc_analyst)
    chooser = analyst.get("/policy/regimes/compare")
    assert chooser.status_code == 200
    assert "Compare the active regime with" in chooser.text
    assert 'value="firewall"' not in chooser.text  # the active regime is not offered

    page = analyst.get("/policy/regimes/compare", params={"with": "npcc-2020"})
    assert page.status_code == 200
    text = _text(page.text)
    assert "firewall compared with npcc-2020" in text
    assert "kinds of request are decided differently" in text
    assert "sends identity" in text and "to review" in text
    assert "agency immigration_enforcement" in text


def test_the_active_regime_or_an_unknown_one_is_refused_with_an_error(
    client_for: Callable[[Role], TestClient],
) -> None:
    analyst = client_for(Role.pcc_analyst)
    for name in ("firewall", "no-such-regime"):
        page = analyst.get("/policy/regimes/compare", params={"with": name})
        assert page.status_code == 400
        assert "Select a regime other than the active one" in page.text
        assert "govuk-error-summary" in page.text
