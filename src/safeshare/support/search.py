"""Find support: filtering and ranking over an in-memory index of the directory.

Why in memory: the ranking mixes set membership (languages, communities), a graph distance
(`areas.py`) and vacancy freshness, which SQL could only express with correlated subqueries
per service; a flat tuple of pre-digested services answers 10,000-service queries in a few
milliseconds instead (see `bench/support_search.py`). The index is immutable; `directory.py`
shares it between requests, rebuilds it after a directory edit and swaps in fresh vacancy
figures after a vacancy report.

Order of results ("fit"), best first:
1. speaks the requested language;
2. supports people with no recourse to public funds, when the victim has NRPF;
3. vacancy: a fresh vacancy of the relevant kind, then a stale one, then services without
   beds (not a refuge), then refuges reporting no vacancy;
4. distance by area (hops, `areas.py`), unknown last;
5. name, then id, so the order is stable.
The relevant vacancy for a victim with NRPF is an NRPF-ringfenced place, for anyone else a
general one. "Vacancy now" keeps stale vacancies (flagged) since at 2 a.m. an officer would
rather phone a refuge whose figures are a day old than see nothing.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from safeshare.support.areas import AreaMap, nearest
from safeshare.support.schemas import (
    ServiceRead,
    SupportSearch,
    SupportSearchPage,
    SupportSearchResult,
)
from safeshare.support.vocabulary import ServiceType, normalise_tag

_DISTANCE_BITS = 16
_UNKNOWN_DISTANCE = (1 << _DISTANCE_BITS) - 1  # also the largest distance that can be told apart

# Vacancy ranks, best first (see the module docstring); two bits in `_fit`.
_FRESH_VACANCY, _STALE_VACANCY, _NO_BEDS, _FULL = range(4)


def is_vacancy_stale(
    *, is_refuge: bool, updated_at: datetime | None, now: datetime, max_age: timedelta
) -> bool:
    """Refuge vacancy figures never reported, or older than `max_age`, are not to be trusted."""
    return is_refuge and (updated_at is None or now - updated_at > max_age)


@dataclass(frozen=True, slots=True)
class IndexedService:
    """One active service, digested for matching; `row` holds what `ServiceRead` shows."""

    id: int
    row: Mapping[str, Any]
    sort_name: str
    service_types: frozenset[str]
    languages: frozenset[str]
    communities: frozenset[str]
    has_nrpf_support: bool
    oisc_level: int
    areas_covered: tuple[str, ...]
    is_area_wide: bool
    is_refuge: bool
    has_general_vacancy: bool
    has_nrpf_vacancy: bool
    vacancies_updated_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> IndexedService:
        """Digest a directory row (service columns plus `organisation_name`)."""
        return cls(
            id=row["id"],
            row=row,
            sort_name=row["name"].casefold(),
            service_types=frozenset(row["service_types"]),
            languages=frozenset(normalise_tag(value) for value in row["languages"]),
            communities=frozenset(normalise_tag(value) for value in row["communities"]),
            has_nrpf_support=row["has_nrpf_support"],
            oisc_level=row["oisc_level"] or 0,
            areas_covered=tuple(row["areas_covered"]),
            is_area_wide=row["is_area_wide"],
            is_refuge=ServiceType.refuge in row["service_types"],
            has_general_vacancy=row["vacant_units"] + row["vacant_bedspaces"] > 0,
            has_nrpf_vacancy=row["vacant_nrpf_units"] + row["vacant_nrpf_bedspaces"] > 0,
            vacancies_updated_at=row["vacancies_updated_at"],
        )

    def vacancies_differ(self, figures: Mapping[str, Any]) -> bool:
        """True if any of these current figures differs from what the index holds."""
        return any(self.row[name] != value for name, value in figures.items())


class DirectoryIndex:
    """An immutable snapshot of the active directory, searchable without the database."""

    def __init__(self, services: Iterable[IndexedService], area_map: AreaMap) -> None:
        # In name order, so a service's position is its final tie-break (see `_fit`). Two
        # stable sorts on plain keys rather than one on (name, id) tuples: 10,000 tracked
        # tuples would set off a full garbage collection (see `search`).
        by_id = sorted(services, key=attrgetter("id"))
        self.services = tuple(sorted(by_id, key=attrgetter("sort_name")))
        self.area_map = area_map
        self._position = {service.id: n for n, service in enumerate(self.services)}
        by_type: defaultdict[str, list[IndexedService]] = defaultdict(list)
        for service in self.services:
            for service_type in service.service_types:
                by_type[service_type].append(service)
        self._by_type = {key: tuple(value) for key, value in by_type.items()}

    def with_vacancies(self, rows: Iterable[Mapping[str, Any]]) -> DirectoryIndex:
        """This index with current vacancy figures (`id`, `vacant_*`, `vacancies_updated_at`
        per row); other fields cannot have changed, so only the changed services are redone."""
        by_id = {service.id: service for service in self.services}
        changed = {
            row["id"]: IndexedService.from_row({**by_id[row["id"]].row, **row})
            for row in rows
            if row["id"] in by_id and by_id[row["id"]].vacancies_differ(row)
        }
        if not changed:
            return self
        return DirectoryIndex((changed.get(s.id, s) for s in self.services), self.area_map)

    def search(
        self, query: SupportSearch, *, now: datetime, stale_after: timedelta
    ) -> SupportSearchPage:
        """Services matching `query`'s filters, best fit first (see the module docstring).

        The hot path (every candidate, every query) allocates no containers: each match is
        one integer (`_fit`), since thousands of live tuples per query kept triggering full
        garbage collections of the whole index (70-160 ms pauses in the benchmark).
        """
        candidates = self._by_type.get(query.need, ()) if query.need else self.services
        distances = self.area_map.distances_from(query.area) if query.area else None
        language, has_nrpf, vacancy_now = query.language, query.has_nrpf, query.vacancy_now
        count, position = len(self.services), self._position
        fits: list[int] = []
        for service in candidates:
            if query.community is not None and query.community not in service.communities:
                continue
            if query.min_oisc_level is not None and service.oisc_level < query.min_oisc_level:
                continue
            misses_language = language is not None and language not in service.languages
            if misses_language and query.require_language:
                continue
            misses_nrpf = has_nrpf and not service.has_nrpf_support
            if misses_nrpf and query.require_nrpf_support:
                continue
            distance = _distance(service, distances)
            if query.max_distance is not None and distance > query.max_distance:
                continue
            if not service.is_refuge:
                vacancy_rank = _NO_BEDS
            elif service.has_nrpf_vacancy if has_nrpf else service.has_general_vacancy:
                stale = is_vacancy_stale(
                    is_refuge=True,
                    updated_at=service.vacancies_updated_at,
                    now=now,
                    max_age=stale_after,
                )
                vacancy_rank = _STALE_VACANCY if stale else _FRESH_VACANCY
            else:
                vacancy_rank = _FULL
            if vacancy_now and vacancy_rank > _STALE_VACANCY:
                continue
            fit = _fit(misses_language, misses_nrpf, vacancy_rank, distance)
            fits.append(fit * count + position[service.id])
        results = []
        for key in heapq.nsmallest(query.offset + query.limit, fits)[query.offset :]:
            fit, index = divmod(key, count)
            results.append(self._result(self.services[index], fit, now, stale_after))
        return SupportSearchPage(results=results, total=len(fits))

    @staticmethod
    def _result(
        service: IndexedService, fit: int, now: datetime, stale_after: timedelta
    ) -> SupportSearchResult:
        misses_language, misses_nrpf, vacancy_rank, distance = _unfit(fit)
        is_stale = is_vacancy_stale(
            is_refuge=service.is_refuge,
            updated_at=service.vacancies_updated_at,
            now=now,
            max_age=stale_after,
        )
        return SupportSearchResult(
            service=ServiceRead.model_validate({**service.row, "is_vacancy_stale": is_stale}),
            matches_language=not misses_language,
            matches_nrpf=not misses_nrpf,
            has_vacancy_now=vacancy_rank <= _STALE_VACANCY,
            distance=None if distance == _UNKNOWN_DISTANCE else distance,
        )


def _fit(misses_language: bool, misses_nrpf: bool, vacancy_rank: int, distance: int) -> int:
    """The sort key as one integer: the criteria in order of importance, as digits."""
    return ((misses_language << 3 | misses_nrpf << 2 | vacancy_rank) << _DISTANCE_BITS) | distance


def _unfit(fit: int) -> tuple[bool, bool, int, int]:
    distance, rest = fit & _UNKNOWN_DISTANCE, fit >> _DISTANCE_BITS
    return bool(rest >> 3 & 1), bool(rest >> 2 & 1), rest & 3, distance


def _distance(service: IndexedService, distances: Mapping[str, int] | None) -> int:
    if distances is None:
        return _UNKNOWN_DISTANCE
    if service.is_area_wide:
        return 0
    found = nearest(distances, service.areas_covered)
    return _UNKNOWN_DISTANCE if found is None else min(found, _UNKNOWN_DISTANCE)
