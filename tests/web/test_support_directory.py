"""Directory management by the PCC's office: service forms, CSV import and export (pages and
API), with row-level errors and nothing half-imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.runtime import Runtime
from safeshare.support import service as support
from tests.web.conftest import csrf_from
from tests.web.support_data import SupportData, seed_directory

ClientFor = Callable[[Role], TestClient]

HEADER = (
    "organisation,name,service_types,oisc_level,languages,areas_covered,is_area_wide,"
    "referral_method,referral_contact,units,bedspaces,nrpf_units,nrpf_bedspaces,has_nrpf_support"
)
GOOD = [
    "Support Org A,Luz Refuge,refuge,,Spanish;Portuguese,north,no,phone,01632 960,12,22,6,11,yes",
    "Brand New Org,Advice clinic,immigration_advice,3,Arabic,,yes,secure_email,a@x.example,,,,,yes",
]
BAD = [
    *GOOD,
    "Support Org A,Advice,immigration_advice,,English,north,no,phone,x,,,,,no",  # row 4: OISC
    "Support Org A,Helpline,helpline,,English,north,no,fax,x,,,,,no",  # row 5: method
    "Support Org A,Refuge 2,refuge,,English,north,no,phone,x,4,2,,,no",  # row 6: bedspaces
]


@pytest.fixture(scope="module")
def data(web_runtime: Runtime) -> SupportData:
    return seed_directory(web_runtime)


def service_names(runtime: Runtime) -> set[str]:
    with runtime.session() as session:
        return {s.name for s in support.list_services(session, include_inactive=True)}


def csv_text(lines: list[str]) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def post_form(client: TestClient, path: str, values: dict[str, object]) -> TestClient:
    token = csrf_from(client, path)
    return client.post(path, data={"csrf_token": token, **values})  # type: ignore[return-value]


def upload(client: TestClient, text: str, name: str = "directory.csv") -> object:
    token = csrf_from(client, "/support/directory/import")
    return client.post(
        "/support/directory/import",
        data={"csrf_token": token},
        files={"file": (name, text.encode(), "text/csv")},
    )


# --- the service form ----------------------------------------------------------------------------


def test_directory_lists_every_service(client_for: ClientFor, data: SupportData) -> None:
    html = client_for(Role.admin).get("/support/directory").text
    for name in ("Casa Segura Refuge", "Old Town Refuge", "Sahara Advocacy"):
        assert name in html
    assert ">Stale</strong>" in html
    assert "&lt;a class" not in html and '<a class="govuk-link" href="/support/services/' in html


def test_adding_a_service(web_runtime: Runtime, client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.pcc_analyst)
    response = post_form(
        client,
        "/support/directory/new",
        {
            "organisation_id": data.org_b,
            "name": "Roshni Refuge",
            "service_types": ["refuge", "advocacy"],
            "languages": "Punjabi, Urdu, Hindi",
            "communities": "South Asian women\nBlack and minoritised women",
            "areas_covered": ["centre", "south"],
            "referral_method": "secure_email",
            "referral_contact": "refer@roshni.example",
            "opening_hours": "24 hours",
            "has_nrpf_support": "yes",
            "units": "8",
            "bedspaces": "14",
            "nrpf_units": "3",
            "nrpf_bedspaces": "5",
            "is_active": "yes",
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Service added." in page
    assert "Punjabi, Urdu, Hindi" in page
    assert "South Asian women, Black and minoritised women" in page
    assert "8 units, 14 bedspaces (3 units and 5 bedspaces ringfenced for NRPF)" in page


def test_an_empty_service_form_names_each_problem(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    before = service_names(web_runtime)
    response = post_form(client_for(Role.admin), "/support/directory/new", {"name": "  "})
    assert response.status_code == 400
    html = response.text
    for field, message in (
        ("organisation_id", "Choose the organisation that runs the service"),
        ("name", "Enter the service name"),
        ("service_types", "Choose at least one type of support"),
        ("referral_method", "Choose how to refer"),
    ):
        assert f'href="#{field}"' in html, field
        assert message in html, message
    assert html.index('href="#organisation_id"') < html.index('href="#referral_method"')
    assert service_names(web_runtime) == before


def test_inconsistent_capacity_is_refused_on_the_field(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    response = post_form(
        client_for(Role.pcc_analyst),
        "/support/directory/new",
        {
            "organisation_id": data.org_a,
            "name": "Tiny Refuge",
            "service_types": "refuge",
            "languages": "English",
            "areas_covered": "north",
            "referral_method": "phone",
            "referral_contact": "01632 960001",
            "units": "2",
            "bedspaces": "2",
            "nrpf_units": "3",
            "nrpf_bedspaces": "3",
            "has_nrpf_support": "yes",
            "is_active": "yes",
        },
    )
    assert response.status_code == 400
    assert 'href="#nrpf_units"' in response.text
    assert "NRPF-ringfenced units cannot exceed all units" in response.text
    assert 'value="Tiny Refuge"' in response.text  # what was typed is kept
    assert "Tiny Refuge" not in service_names(web_runtime)


def test_changing_a_service(client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.admin)
    form = client.get(f"/support/services/{data.advocacy_b}/edit").text
    assert 'value="Sahara Advocacy"' in form and "Punjabi, Urdu" in form
    response = post_form(
        client,
        f"/support/services/{data.advocacy_b}/edit",
        {
            "name": "Sahara Advocacy",
            "service_types": "advocacy",
            "languages": "Punjabi, Urdu, Bengali",
            "communities": "South Asian women",
            "areas_covered": "centre",
            "referral_method": "secure_email",
            "referral_contact": "refer@sahara.example",
            "opening_hours": "Monday to Friday 9am to 5pm",
            "is_active": "yes",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/support/services/{data.advocacy_b}").text
    assert "Punjabi, Urdu, Bengali" in page and "Monday to Friday 9am to 5pm" in page


def test_an_advocate_cannot_manage_the_directory(client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.advocate)
    assert client.get(f"/support/services/{data.refuge_a}/edit").status_code == 403
    token = csrf_from(client, "/support/referrals")
    response = client.post(
        f"/support/services/{data.refuge_a}/edit", data={"csrf_token": token, "name": "Mine"}
    )
    assert response.status_code == 403


# --- CSV through the pages -----------------------------------------------------------------------


def test_csv_import_with_bad_rows_imports_nothing(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    before = service_names(web_runtime)
    response = upload(client_for(Role.pcc_analyst), csv_text(BAD))
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert "Nothing was imported" in html and 'href="#file"' in html
    assert "The file has 3 problem(s); nothing was imported." in html
    assert html.count('<tr class="govuk-table__row">') == 4  # the head and three problems
    for row, column in (("4", "oisc_level"), ("5", "referral_method"), ("6", "bedspaces")):
        assert f">{row}</td>" in html and f">{column}</td>" in html
    assert service_names(web_runtime) == before  # not even the good rows


def test_csv_import_without_a_file_or_not_utf8(client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.admin)
    token = csrf_from(client, "/support/directory/import")
    response = client.post("/support/directory/import", data={"csrf_token": token})
    assert response.status_code == 400 and "Choose a CSV file to import" in response.text
    response = upload(client, "", name="")
    assert response.status_code == 400  # type: ignore[attr-defined]
    token = csrf_from(client, "/support/directory/import")
    response = client.post(
        "/support/directory/import",
        data={"csrf_token": token},
        files={"file": ("d.csv", "organisation,name\n\xe9".encode("latin-1"), "text/csv")},
    )
    assert response.status_code == 400 and "saved as UTF-8" in response.text


def test_csv_import_then_export(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    client = client_for(Role.pcc_analyst)
    response = upload(client, csv_text(GOOD))
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/support/directory").text
    assert "Import complete: 2 service(s) added, 0 updated, 1 new organisation(s)." in page
    assert {"Luz Refuge", "Advice clinic"} <= service_names(web_runtime)

    export = client.get("/support/directory/export.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    names = {row["name"] for row in rows}
    assert {"Luz Refuge", "Advice clinic", "Casa Segura Refuge"} <= names
    assert client_for(Role.officer).get("/support/directory/export.csv").status_code == 403


# --- the API -------------------------------------------------------------------------------------


def bearer(api_tokens: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens[role]}"}


def test_api_lists_services_with_staleness(
    anon: TestClient, api_tokens: dict[Role, str], data: SupportData
) -> None:
    for role in (Role.officer, Role.advocate, Role.inspector):
        response = anon.get("/api/v1/support/services", headers=bearer(api_tokens, role))
        assert response.status_code == 200
        services = {s["name"]: s for s in response.json()["services"]}
        assert services["Old Town Refuge"]["is_vacancy_stale"] is True
        assert services["Casa Segura Refuge"]["is_vacancy_stale"] is False
        assert services["Casa Segura Refuge"]["vacant_nrpf_bedspaces"] == 2
    assert anon.get("/api/v1/support/services").status_code == 401


def test_api_import_reports_row_errors_as_problem_details(
    web_runtime: Runtime, anon: TestClient, api_tokens: dict[Role, str], data: SupportData
) -> None:
    before = service_names(web_runtime)
    response = anon.post(
        "/api/v1/support/services/import",
        content=csv_text(BAD).encode(),
        headers={**bearer(api_tokens, Role.admin), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("support_csv_invalid")
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (4, "oisc_level"),
        (5, "referral_method"),
        (6, "bedspaces"),
    ]
    assert service_names(web_runtime) == before


def test_api_import(
    web_runtime: Runtime, anon: TestClient, api_tokens: dict[Role, str], data: SupportData
) -> None:
    line = "Support Org B,Api Helpline,helpline,,Somali,,yes,phone,0808 000 0001,,,,,no"
    response = anon.post(
        "/api/v1/support/services/import",
        content=csv_text([line]).encode(),
        headers={**bearer(api_tokens, Role.pcc_analyst), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 1, "updated": 0, "organisations_created": 0}
    assert "Api Helpline" in service_names(web_runtime)

    not_csv = anon.post(
        "/api/v1/support/services/import",
        json={"csv": "x"},
        headers=bearer(api_tokens, Role.pcc_analyst),
    )
    assert not_csv.status_code == 422 and "text/csv" in not_csv.json()["detail"]
    refused = anon.post(
        "/api/v1/support/services/import",
        content=csv_text([line]).encode(),
        headers={**bearer(api_tokens, Role.officer), "Content-Type": "text/csv"},
    )
    assert refused.status_code == 403
