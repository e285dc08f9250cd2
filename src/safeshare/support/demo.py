"""A fictional demo directory: localities of "Demoshire", 'by and for' organisations, their
services and refuge capacity, and a first directory release.

Every name, address and number is invented: e-mail domains are `.example` (RFC 2606) and
phone numbers are in Ofcom's drama range (01632 960xxx). The first three organisation names
are those `safeshare.demo` gives its users, so the demo advocate belongs to a refuge here.
The refuges total 50 units and 92 bedspaces, 24 units ringfenced for NRPF, as in the
inspectorate's example (DOMAIN.md, recommendation 5).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth import service as auth_service
from safeshare.auth.models import OrganisationKind
from safeshare.db.base import utcnow
from safeshare.support.access import SYSTEM_ACTOR
from safeshare.support.directory import _record_vacancies, create_service, replace_area_map
from safeshare.support.models import SupportArea
from safeshare.support.releases import current_release, publish_release
from safeshare.support.schemas import AreaIn, ServiceCreate, Vacancies

LUMEN = "Lumen Latin American Women's Aid (fictional)"
SAHELI = "Saheli South Asian Women's Project (fictional)"
RAINBOW = "Rainbow Harbour LGBT+ Migrants (fictional)"
AMANI = "Amani Black and Minoritised Women's Refuge (fictional)"
ADVICE = "Demoshire Migrant Advice Centre (fictional)"

DEMO_AREAS: tuple[AreaIn, ...] = (
    AreaIn(code="northtown", name="Northtown", neighbours=["old-market", "westbridge"]),
    AreaIn(code="old-market", name="Old Market", neighbours=["riverside", "easthaven"]),
    AreaIn(code="easthaven", name="Easthaven", neighbours=["riverside", "northtown"]),
    AreaIn(code="riverside", name="Riverside", neighbours=["southmoor"]),
    AreaIn(code="southmoor", name="Southmoor", neighbours=["westbridge"]),
    AreaIn(code="westbridge", name="Westbridge", neighbours=["old-market"]),
)

_COMMON: dict[str, Any] = {"referral_method": "secure_email", "opening_hours": "Mon-Fri 9:00-17:00"}

# (organisation, service fields, vacancies or None)
_SERVICES: tuple[tuple[str, dict[str, Any], Vacancies | None], ...] = (
    (
        LUMEN,
        {
            "name": "Lumen advocacy (IDVA)",
            "service_types": ["advocacy"],
            "communities": ["Latin American women"],
            "languages": ["Spanish", "Portuguese", "English"],
            "has_nrpf_support": True,
            "areas_covered": ["northtown", "old-market", "easthaven"],
            "referral_contact": "referrals@lumen.example",
        },
        None,
    ),
    (
        LUMEN,
        {
            "name": "Casa Lumen refuge",
            "service_types": ["refuge"],
            "communities": ["Latin American women"],
            "languages": ["Spanish", "Portuguese"],
            "has_nrpf_support": True,
            "areas_covered": ["old-market"],
            "referral_method": "phone",
            "referral_contact": "01632 960101",
            "opening_hours": "24 hours",
            "units": 12,
            "bedspaces": 22,
            "nrpf_units": 6,
            "nrpf_bedspaces": 11,
        },
        Vacancies(vacant_units=1, vacant_bedspaces=2, vacant_nrpf_units=1, vacant_nrpf_bedspaces=1),
    ),
    (
        SAHELI,
        {
            "name": "Saheli refuge",
            "service_types": ["refuge", "advocacy"],
            "communities": ["South Asian women"],
            "languages": ["Urdu", "Punjabi", "Hindi", "Bengali", "Gujarati", "English"],
            "has_nrpf_support": True,
            "areas_covered": ["riverside", "southmoor"],
            "referral_method": "phone",
            "referral_contact": "01632 960202",
            "opening_hours": "24 hours",
            "units": 20,
            "bedspaces": 36,
            "nrpf_units": 10,
            "nrpf_bedspaces": 18,
        },
        Vacancies(vacant_units=0, vacant_bedspaces=0, vacant_nrpf_units=2, vacant_nrpf_bedspaces=3),
    ),
    (
        SAHELI,
        {
            "name": "Saheli counselling",
            "service_types": ["counselling"],
            "communities": ["South Asian women"],
            "languages": ["Urdu", "Punjabi", "Hindi", "English"],
            "areas_covered": ["riverside", "southmoor", "westbridge"],
            "referral_method": "portal",
            "referral_contact": "https://saheli.example/refer",
        },
        None,
    ),
    (
        AMANI,
        {
            "name": "Amani refuge",
            "service_types": ["refuge"],
            "communities": ["Black and minoritised women"],
            "languages": ["English", "French", "Swahili", "Somali", "Amharic"],
            "has_nrpf_support": True,
            "areas_covered": ["westbridge"],
            "referral_method": "phone",
            "referral_contact": "01632 960303",
            "opening_hours": "24 hours",
            "units": 18,
            "bedspaces": 34,
            "nrpf_units": 8,
            "nrpf_bedspaces": 15,
        },
        Vacancies(vacant_units=2, vacant_bedspaces=3, vacant_nrpf_units=0, vacant_nrpf_bedspaces=0),
    ),
    (
        AMANI,
        {
            "name": "Amani helpline",
            "service_types": ["helpline"],
            "communities": ["Black and minoritised women"],
            "languages": ["English", "French", "Swahili", "Somali"],
            "has_nrpf_support": True,
            "is_area_wide": True,
            "referral_method": "phone",
            "referral_contact": "01632 960304",
            "opening_hours": "Every day 8:00-22:00",
        },
        None,
    ),
    (
        RAINBOW,
        {
            "name": "Rainbow Harbour advocacy and peer support",
            "service_types": ["advocacy", "counselling"],
            "communities": ["LGBT+ migrants"],
            "languages": ["English", "Arabic", "Farsi", "Russian"],
            "has_nrpf_support": True,
            "is_area_wide": True,
            "referral_contact": "help@rainbow-harbour.example",
        },
        None,
    ),
    (
        ADVICE,
        {
            "name": "Immigration advice clinic",
            "service_types": ["immigration_advice"],
            "oisc_level": 3,
            "communities": ["Migrants of any nationality"],
            "languages": ["English", "Polish", "Romanian", "Arabic", "Tigrinya"],
            "has_nrpf_support": True,
            "is_area_wide": True,
            "referral_contact": "clinic@migrant-advice.example",
            "opening_hours": "Tue and Thu 10:00-16:00",
        },
        None,
    ),
)


def load_demo_directory(session: Session, *, now: datetime | None = None) -> int:
    """Create the fictional directory unless it is there; return the services created.

    `now` dates its vacancies and first release (default: now).
    """
    if session.scalar(select(SupportArea.id).limit(1)) is None:
        replace_area_map(session, actor=SYSTEM_ACTOR, areas=DEMO_AREAS)
    if auth_service.get_organisation_by_name(session, name=ADVICE) is not None:
        return 0
    now = now or utcnow()
    for organisation_name, fields, vacancies in _SERVICES:
        organisation = auth_service.get_or_create_organisation(
            session, name=organisation_name, kind=OrganisationKind.support_org
        )
        service = create_service(
            session,
            actor=SYSTEM_ACTOR,
            data=ServiceCreate(organisation_id=organisation.id, **{**_COMMON, **fields}),
        )
        if vacancies is not None:
            _record_vacancies(session, service=service, vacancies=vacancies, user_id=None, now=now)
    if current_release(session) is None:
        publish_release(
            session,
            actor=SYSTEM_ACTOR,
            change_summary="First directory release (demo data).",
            now=now,
        )
    return len(_SERVICES)
