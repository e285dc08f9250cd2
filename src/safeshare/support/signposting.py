"""'By and for' support to signpost on the public confirmation page, in her language.

Services whose languages include hers come first, then services that support people with
no recourse to public funds (NRPF), from the same active directory the officers search.
Only what the directory already publishes to referrers is shown: names, languages and the
referral contact; never capacity, and never a refuge's location.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from safeshare.support.directory import search_services
from safeshare.support.schemas import ServiceRead, SupportSearch


@dataclass(frozen=True)
class Signpost:
    organisation: str
    service: str
    languages: tuple[str, ...]
    has_nrpf_support: bool
    contact: str
    opening_hours: str


def _signpost(service: ServiceRead) -> Signpost:
    return Signpost(
        service.organisation_name,
        service.name,
        tuple(service.languages),
        service.has_nrpf_support,
        service.referral_contact,
        service.opening_hours,
    )


def support_for(session: Session, *, language: str, limit: int = 6) -> list[Signpost]:
    """Up to `limit` services: those speaking `language` (an English language name as the
    directory stores it, e.g. "Spanish") first, then NRPF support; empty if none."""
    speaking = search_services(
        session, query=SupportSearch(language=language, require_language=True, limit=limit)
    ).results
    nrpf = search_services(
        session,
        query=SupportSearch(
            language=language, has_nrpf=True, require_nrpf_support=True, limit=limit
        ),
    ).results
    seen: set[int] = set()
    found: list[Signpost] = []
    for result in [*speaking, *nrpf]:
        if result.service.id not in seen and result.service.referral_contact:
            seen.add(result.service.id)
            found.append(_signpost(result.service))
    return found[:limit]
