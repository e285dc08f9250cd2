"""Find support, without a database: filters, and the order of results by fit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from safeshare.support.areas import AreaMap
from safeshare.support.schemas import SupportSearch
from safeshare.support.search import DirectoryIndex, IndexedService, is_vacancy_stale

NOW = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)
FRESH = NOW - timedelta(hours=1)
OLD = NOW - timedelta(days=3)
MAX_AGE = timedelta(hours=24)
AREAS = AreaMap({"north": ["centre"], "centre": ["south"], "south": [], "island": []})
_ids = iter(range(1, 10_000))


def row(name: str, **overrides: Any) -> dict[str, Any]:
    """A directory row as the index receives it from the database."""
    values: dict[str, Any] = {
        "id": next(_ids),
        "organisation_id": 1,
        "organisation_name": "Org",
        "name": name,
        "description": "",
        "communities": [],
        "languages": ["English"],
        "service_types": ["advocacy"],
        "oisc_level": None,
        "has_nrpf_support": False,
        "areas_covered": ["north"],
        "is_area_wide": False,
        "referral_method": "phone",
        "referral_contact": "01632 960000",
        "opening_hours": "",
        "units": 0,
        "bedspaces": 0,
        "nrpf_units": 0,
        "nrpf_bedspaces": 0,
        "is_active": True,
        "vacant_units": 0,
        "vacant_bedspaces": 0,
        "vacant_nrpf_units": 0,
        "vacant_nrpf_bedspaces": 0,
        "vacancies_updated_at": None,
    }
    values.update(overrides)
    return values


def refuge(
    name: str, *, general: int = 0, nrpf: int = 0, at: datetime | None = FRESH, **kw: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "service_types": ["refuge"],
        "has_nrpf_support": True,
        "units": 10,
        "bedspaces": 20,
        "nrpf_units": 5,
        "nrpf_bedspaces": 10,
        "vacant_units": general,
        "vacant_bedspaces": general,
        "vacant_nrpf_units": nrpf,
        "vacant_nrpf_bedspaces": nrpf,
        "vacancies_updated_at": at,
    }
    return row(name, **{**values, **kw})


def search(rows: list[dict[str, Any]], **query: Any) -> list[str]:
    index = DirectoryIndex([IndexedService.from_row(r) for r in rows], AREAS)
    page = index.search(SupportSearch(**query), now=NOW, stale_after=MAX_AGE)
    return [result.service.name for result in page.results]


def test_fit_order_language_then_nrpf_then_vacancy_then_distance_then_name() -> None:
    rows = [
        refuge("far fresh", nrpf=1, areas_covered=["south"]),
        refuge("near fresh", nrpf=1, areas_covered=["north"]),
        refuge("stale vacancy", nrpf=1, at=OLD),
        refuge("full", nrpf=0),
        row("no beds", has_nrpf_support=True),
        refuge("speaks spanish but full", languages=["Spanish"]),
        refuge("no nrpf support", nrpf=1, has_nrpf_support=False, nrpf_units=0, nrpf_bedspaces=0),
        refuge("b same", nrpf=1, areas_covered=["centre"]),
        refuge("a same", nrpf=1, areas_covered=["centre"]),
    ]
    assert search(rows, language="spanish", has_nrpf=True, area="north") == [
        "speaks spanish but full",
        "near fresh",
        "a same",
        "b same",
        "far fresh",
        "stale vacancy",
        "no beds",
        "full",
        "no nrpf support",
    ]


def test_vacancy_for_a_victim_with_nrpf_means_a_ringfenced_place() -> None:
    rows = [refuge("general only", general=2), refuge("nrpf only", nrpf=1)]
    assert search(rows, has_nrpf=True, vacancy_now=True) == ["nrpf only"]
    assert search(rows, vacancy_now=True) == ["general only"]


def test_vacancy_now_keeps_stale_vacancies_and_flags_them() -> None:
    index = DirectoryIndex([IndexedService.from_row(refuge("old news", general=1, at=OLD))], AREAS)
    page = index.search(SupportSearch(vacancy_now=True), now=NOW, stale_after=MAX_AGE)
    assert [(r.has_vacancy_now, r.service.is_vacancy_stale) for r in page.results] == [(True, True)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"need": "refuge"}, ["refuge"]),
        ({"language": "spanish", "require_language": True}, ["spanish"]),
        ({"require_nrpf_support": True}, ["refuge"]),
        ({"community": "south asian women"}, ["community"]),
        ({"min_oisc_level": 2}, ["oisc 3"]),
        (
            {"area": "north", "max_distance": 1},
            ["area-wide", "centre", "community", "oisc 3", "refuge", "spanish"],
        ),
    ],
)
def test_filters(query: dict[str, Any], expected: list[str]) -> None:
    rows = [
        refuge("refuge", areas_covered=["north"]),
        row("spanish", languages=["Spanish"], areas_covered=["north"]),
        row("community", communities=["South Asian women"], areas_covered=["north"]),
        row("oisc 3", service_types=["immigration_advice"], oisc_level=3),
        row("oisc 1", service_types=["immigration_advice"], oisc_level=1, areas_covered=["south"]),
        row("area-wide", areas_covered=[], is_area_wide=True),
        row("centre", areas_covered=["centre"]),
        row("island", areas_covered=["island"]),
    ]
    assert sorted(search(rows, **query)) == sorted(expected)


def test_limit_cuts_the_page_but_total_counts_all_matches() -> None:
    index = DirectoryIndex([IndexedService.from_row(row(f"s{n}")) for n in range(30)], AREAS)
    page = index.search(SupportSearch(limit=5), now=NOW, stale_after=MAX_AGE)
    assert (len(page.results), page.total) == (5, 30)


def test_only_refuges_have_stale_vacancies() -> None:
    assert is_vacancy_stale(is_refuge=True, updated_at=None, now=NOW, max_age=MAX_AGE)
    assert is_vacancy_stale(is_refuge=True, updated_at=OLD, now=NOW, max_age=MAX_AGE)
    assert not is_vacancy_stale(is_refuge=True, updated_at=FRESH, now=NOW, max_age=MAX_AGE)
    assert not is_vacancy_stale(is_refuge=False, updated_at=None, now=NOW, max_age=MAX_AGE)


def test_new_vacancy_figures_replace_only_what_changed() -> None:
    rows = [refuge("full"), refuge("other")]
    index = DirectoryIndex([IndexedService.from_row(r) for r in rows], AREAS)
    unchanged = [
        {key: r[key] for key in ("id", "vacant_units", "vacancies_updated_at")} for r in rows
    ]
    assert index.with_vacancies(unchanged) is index

    fresh = index.with_vacancies([{"id": rows[0]["id"], "vacant_units": 1, "vacant_bedspaces": 1}])
    page = fresh.search(SupportSearch(vacancy_now=True), now=NOW, stale_after=MAX_AGE)
    assert [(r.service.name, r.service.vacant_units) for r in page.results] == [("full", 1)]
    assert fresh.services[1] is index.services[1]
