"""Hypothesis strategies for contract-valid share requests."""

from __future__ import annotations

from hypothesis import strategies as st

from safeshare.policy.schemas import (
    FIREWALL_CRIME_TYPES,
    Agency,
    Category,
    Consent,
    Purpose,
    Requester,
    ShareRequest,
    Subject,
    SubjectRole,
)

consents = st.lists(
    st.builds(Consent, purpose=st.sampled_from(Purpose), withdrawn=st.booleans()), max_size=4
)


def subjects(
    roles: st.SearchStrategy[SubjectRole] = st.sampled_from(SubjectRole),
) -> st.SearchStrategy[Subject]:
    return st.builds(
        Subject,
        role=roles,
        crime_types=st.lists(st.sampled_from(FIREWALL_CRIME_TYPES), min_size=1, max_size=4),
        suspected_of_non_immigration_offence=st.booleans(),
        status_doubt_only=st.booleans(),
        investigation_active=st.booleans(),
        receiving_regularisation_support=st.booleans(),
        consents=consents,
        is_child=st.booleans(),
    )


pause_settings = st.one_of(
    st.none(), st.lists(st.sampled_from(FIREWALL_CRIME_TYPES), min_size=1, unique=True)
)


categories = st.lists(st.sampled_from(Category), min_size=1, unique=True)

share_requests = st.builds(
    ShareRequest,
    requester=st.builds(
        Requester, agency=st.sampled_from(Agency), purpose=st.sampled_from(Purpose)
    ),
    subject=subjects(),
    categories=categories,
    pause_crime_types=pause_settings,
)

# Victims and witnesses asked about by, or for, immigration enforcement.
enforcement_requests = st.builds(
    ShareRequest,
    requester=st.one_of(
        st.builds(
            Requester,
            agency=st.just(Agency.immigration_enforcement),
            purpose=st.sampled_from(Purpose),
        ),
        st.builds(
            Requester,
            agency=st.sampled_from(Agency),
            purpose=st.just(Purpose.immigration_enforcement),
        ),
    ),
    subject=subjects(st.sampled_from([SubjectRole.victim, SubjectRole.witness])),
    categories=categories.map(
        lambda cs: cs if Category.immigration_status in cs else [*cs, Category.immigration_status]
    ),
    pause_crime_types=pause_settings,
)
