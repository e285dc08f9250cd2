"""The public online report: question pages, drafts, check your answers, sending, anonymity,
return visits and rate limiting, driven through the app."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.oversight.models import Feedback
from safeshare.policy import service as policy
from safeshare.policy.schemas import RecordShareRequest, Requester
from safeshare.reporting import drafts
from safeshare.reporting import service as reporting
from safeshare.reporting.drafts import DraftHandle, ReportDraft
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import ReportRead
from safeshare.reporting.vocabulary import ConsentMethod, ConsentPurpose, Pathway, SealedField
from safeshare.runtime import Runtime
from safeshare.support import signposting
from safeshare.vault.keys import FileKeyProvider
from safeshare.vault.providers import build_key_provider
from safeshare.web.app import create_app
from tests.factories.reporting import assign_to, reporting_config
from tests.web.conftest import csrf_from
from tests.web.reporting_fixtures import make_report
from tests.web.support_data import seed_directory

ACCOUNT = "He pushed me down the stairs on the ninth of May (account-7Q2)."
NAME = "Rosa Canary-Name"
CONTACT = "07700 900 982"
SAFE = "Weekday mornings, text first"
AREA = "North Leeds"
PASSPHRASE = "river lamp purple cloud"
SENSITIVE = (ACCOUNT, NAME, CONTACT, SAFE, AREA, PASSPHRASE)
OFFICER = Actor(username="officer", role=Role.officer)

BEFORE_IDENTITY: list[tuple[str, dict[str, str]]] = [
    ("what-happened", {"crime_type": "domestic_abuse"}),
    ("victim-or-witness", {"subject_role": "victim"}),
    (
        "when",
        {"occurred_from-day": "9", "occurred_from-month": "5", "occurred_from-year": "2024"},
    ),
    ("where", {"area": AREA}),
    ("your-account", {"account": ACCOUNT}),
    ("interpreter", {"language_needs": "Portuguese"}),
]
IDENTIFIED = [
    *BEFORE_IDENTITY,
    ("your-details", {"identity": "yes"}),
    ("contact", {"name": NAME, "contact_details": CONTACT, "safe_contact": SAFE}),
    ("support", {"consent_victim_support": "yes"}),
    ("police-contact", {"consent_police_contact": "no"}),
    ("about-you", {"monitoring": "yes"}),
    ("sex", {"sex": "female"}),
    ("age", {"age_band": "25_34"}),
    ("ethnic-group", {"ethnicity_group": "declined"}),
    ("nationality", {"nationality_group": "rest_of_world"}),
    ("disability", {"disability": "no"}),
    ("religion", {"religion": "muslim"}),
    ("sexual-orientation", {"sexual_orientation": "declined"}),
    ("language", {"preferred_language": "portuguese"}),
    ("immigration-status", {"immigration_status_category": "asylum_seeker_or_refugee"}),
]
ANONYMOUS = [
    *BEFORE_IDENTITY,
    ("your-details", {"identity": "no"}),
    ("about-you", {"monitoring": "no"}),
]


def _settings(web_runtime: Runtime, **overrides: object) -> Settings:
    settings = web_runtime.settings.model_copy(
        update={"public_rate_limit_per_minute": 10_000, "reporting": reporting_config()}
    )
    assert settings.vault_key_file is not None
    if not settings.vault_key_file.exists():
        FileKeyProvider.create(settings.vault_key_file)
    return settings.model_copy(update=overrides)


@pytest.fixture(scope="module")
def app(web_runtime: Runtime) -> FastAPI:
    """The app with fast argon2, a vault key, and a rate limit these tests do not reach."""
    return create_app(_settings(web_runtime), web_runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def token(client: TestClient) -> str:
    return csrf_from(client, "/report/what-happened")


def post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": token(client)})


def answer(client: TestClient, steps: list[tuple[str, dict[str, str]]]) -> None:
    for slug, data in steps:
        response = post(client, f"/report/{slug}", data)
        assert response.status_code == 303, (slug, response.text[:2000])


def session_of(client: TestClient) -> dict[str, Any]:
    """The session as anyone holding the device could read it (signed, not encrypted)."""
    raw = client.cookies.get("safeshare_session")
    assert raw, "no session cookie"
    payload = raw.split(".")[0]
    data: dict[str, Any] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def handle_of(client: TestClient) -> DraftHandle:
    handle = DraftHandle.from_session(session_of(client).get("report_draft"))
    assert handle is not None
    return handle


def errors_in(html: str) -> list[str]:
    found = re.findall(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return [
        re.sub(r"<[^>]+>|\s+", " ", li).strip()
        for li in re.findall(r"<li>(.*?)</li>", "".join(found), re.S)
    ]


def reference_on(html: str) -> str:
    match = re.search(r"<strong>(SS-[0-9A-Z]{5}-[0-9A-Z]{5})</strong>", html)
    assert match, "no reference on the page"
    return match.group(1)


def send_identified(client: TestClient) -> str:
    answer(client, IDENTIFIED)
    response = post(client, "/report/check", {})
    assert response.headers["location"] == "/report/confirmation"
    return reference_on(client.get("/report/confirmation").text)


def send_anonymous(client: TestClient, passphrase: str = PASSPHRASE) -> str:
    answer(client, ANONYMOUS)
    response = post(
        client,
        "/report/passphrase",
        {"passphrase": passphrase, "confirm_passphrase": passphrase},
    )
    assert response.status_code == 303, response.text[:2000]
    return reference_on(client.get("/report/confirmation").text)


def report_by_reference(web_runtime: Runtime, reference: str) -> ReportRead:
    with web_runtime.session() as session:
        report_id = reporting.find_report_id(session, reference=reference)
        assert report_id is not None
        return reporting.get_report_or_raise(session, report_id=report_id, actor=OFFICER)


def reveal(
    web_runtime: Runtime, app: FastAPI, reference: str, fields: list[SealedField]
) -> dict[SealedField, str | None]:
    settings: Settings = app.state.settings
    with web_runtime.session() as session:
        report_id = reporting.find_report_id(session, reference=reference)
        assert report_id is not None
        assign_to(session, report_id, OFFICER.username)
        return reporting.reveal_sealed_fields(
            session,
            report_id=report_id,
            fields=fields,
            actor=OFFICER,
            reason="checking the public form test",
            provider=build_key_provider(settings),
            config=settings.reporting,
        )


# --- pages and order -------------------------------------------------------------------------


def test_start_page_explains_and_links_to_the_first_question(client: TestClient) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    assert 'href="/report/what-happened"' in page.text
    assert "immigration status" in page.text
    assert 'class="govuk-exit-this-page"' in page.text
    assert 'href="/report/return"' in page.text


def test_questions_cannot_be_skipped(client: TestClient) -> None:
    for path in ("/report/contact", "/report/your-account", "/report/check"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] in ("/report/what-happened", "/report")
    answer(client, BEFORE_IDENTITY[:3])
    assert client.get("/report/interpreter").headers["location"] == "/report/where"
    # A question the flow does not ask (no name given) sends the reporter where they should be.
    answer(client, [*BEFORE_IDENTITY[3:], ("your-details", {"identity": "no"})])
    assert client.get("/report/contact").headers["location"] == "/report/about-you"


def test_every_question_page_has_exit_back_link_and_one_heading(client: TestClient) -> None:
    for slug, data in IDENTIFIED:
        page = client.get(f"/report/{slug}")
        assert page.status_code == 200, slug
        assert page.text.count("<h1") == 1, slug
        assert 'class="govuk-exit-this-page"' in page.text
        assert 'class="govuk-back-link"' in page.text
        answer(client, [(slug, data)])


def test_unknown_question_is_not_found(client: TestClient) -> None:
    assert client.get("/report/no-such-question").status_code == 404


# --- validation, one step at a time ----------------------------------------------------------

LONG = "x"
VALIDATION_CASES = [
    ("what-happened", {}, "Select what happened"),
    ("what-happened", {"crime_type": "immigration_offence"}, "Select what happened"),
    (
        "when",
        {"occurred_from-day": "9", "occurred_from-month": "", "occurred_from-year": "2024"},
        "The date it happened must include a day, month and year",
    ),
    (
        "when",
        {"occurred_from-day": "31", "occurred_from-month": "2", "occurred_from-year": "2024"},
        "The date it happened must be a real date",
    ),
    (
        "when",
        {"occurred_from-day": "1", "occurred_from-month": "1", "occurred_from-year": "2999"},
        "The date it happened must be today or in the past",
    ),
    (
        "when",
        {
            "occurred_from-day": "9",
            "occurred_from-month": "5",
            "occurred_from-year": "2024",
            "occurred_to-day": "1",
            "occurred_to-month": "5",
            "occurred_to-year": "2024",
        },
        "The date it last happened must be the same as or after the date it first happened",
    ),
    (
        "when",
        {"occurred_to-day": "1", "occurred_to-month": "5", "occurred_to-year": "2024"},
        "Enter the date it first happened, or leave both dates blank",
    ),
    ("where", {"area": LONG * 101}, "Where it happened must be 100 characters or fewer"),
    ("your-account", {"account": "   "}, "Enter what happened"),
    (
        "your-account",
        {"account": LONG * 10_001},
        "What happened must be 10,000 characters or fewer",
    ),
    ("interpreter", {"language_needs": LONG * 301}, "The language must be 300 characters or fewer"),
    ("your-details", {}, "Select yes if you want to give your name and contact details"),
    ("contact", {"name": "", "contact_details": ""}, "Enter your name or how we can contact you"),
    ("contact", {"name": LONG * 201}, "Your name must be 200 characters or fewer"),
    (
        "contact",
        {"name": "A", "contact_details": LONG * 501},
        "Contact details must be 500 characters or fewer",
    ),
    ("support", {}, "Select yes if you want us to refer you to a support organisation"),
    ("police-contact", {"consent_police_contact": "maybe"}, "Select yes if the police can"),
    ("about-you", {}, "Select yes if you want to answer questions about yourself"),
    ("sex", {}, "Select your sex, or select prefer not to say"),
    ("age", {"age_band": "17"}, "Select your age group, or select prefer not to say"),
    ("ethnic-group", {}, "Select your ethnic group, or select prefer not to say"),
    ("nationality", {}, "Select your nationality, or select prefer not to say"),
]


@pytest.mark.parametrize(("slug", "data", "message"), VALIDATION_CASES)
def test_each_step_refuses_bad_input_and_keeps_earlier_answers(
    client: TestClient, slug: str, data: dict[str, str], message: str
) -> None:
    earlier = IDENTIFIED[: [k for k, _ in IDENTIFIED].index(slug)]
    answer(client, earlier)
    response = post(client, f"/report/{slug}", data)
    assert response.status_code == 400
    assert any(e.startswith(message) for e in errors_in(response.text)), errors_in(response.text)
    assert "govuk-error-message" in response.text
    assert response.text.count('class="govuk-error-summary"') == 1
    if earlier:  # the earlier answers are still in the draft
        previous = earlier[-1][0]
        assert client.get(f"/report/{previous}").status_code == 200
        assert client.get(f"/report/{slug}").status_code == 200


def test_error_summary_links_to_the_field_and_keeps_what_was_typed(client: TestClient) -> None:
    answer(client, BEFORE_IDENTITY[:4])
    typed = "Still typing <script>" + "y" * 10_001
    response = post(client, "/report/your-account", {"account": typed})
    assert response.status_code == 400
    assert 'href="#account"' in response.text
    assert 'id="account"' in response.text
    assert "Still typing &lt;script&gt;" in response.text
    date_error = post(client, "/report/when", {"occurred_from-day": "40"})
    assert 'href="#occurred_from-day"' in date_error.text
    assert 'value="40"' in date_error.text


def test_oversized_submission_is_refused_without_losing_answers(client: TestClient) -> None:
    answer(client, BEFORE_IDENTITY[:4])
    response = client.post(
        "/report/your-account",
        data={"account": "z" * (1024 * 1024 + 1), "csrf_token": token(client)},
    )
    assert response.status_code == 413
    assert AREA in client.get("/report/where").text


def test_malformed_repeated_fields_are_refused(client: TestClient) -> None:
    answer(client, BEFORE_IDENTITY[:4])
    response = client.post(
        "/report/your-account",
        data={"account": ["one", "two"], "csrf_token": token(client)},
    )
    assert response.status_code == 400
    assert "Your answer could not be read" in response.text


def test_posts_need_the_csrf_token(client: TestClient) -> None:
    response = client.post("/report/what-happened", data={"crime_type": "other"})
    assert response.status_code == 403


# --- check your answers and changing them ----------------------------------------------------


def test_check_your_answers_lists_everything_with_change_links(client: TestClient) -> None:
    answer(client, IDENTIFIED)
    page = client.get("/report/check")
    assert page.status_code == 200
    for text in (
        "Domestic abuse",
        "9 May 2024",
        AREA,
        "He pushed me down the stairs",
        "Portuguese",
        NAME,
        CONTACT,
        SAFE,
        "Prefer not to say",
        "Another country",
        "Muslim",
        "Asylum seeker or refugee",
    ):
        assert text in page.text, text
    for slug, _data in IDENTIFIED:
        assert f'href="/report/{slug}?change=1"' in page.text, slug
    assert 'action="/report/check"' in page.text


def test_changing_an_answer_returns_to_check_your_answers(client: TestClient) -> None:
    answer(client, IDENTIFIED)
    page = client.get("/report/where?change=1")
    assert 'action="/report/where?change=1"' in page.text
    assert 'href="/report/check"' in page.text  # the back link
    response = post(client, "/report/where?change=1", {"area": "Bradford"})
    assert response.headers["location"] == "/report/check"
    assert "Bradford" in client.get("/report/check").text


def test_changing_to_anonymous_drops_identity_answers_and_back(client: TestClient) -> None:
    answer(client, IDENTIFIED)
    response = post(client, "/report/your-details?change=1", {"identity": "no"})
    assert response.headers["location"] == "/report/check"
    check = client.get("/report/check").text
    assert NAME not in check and CONTACT not in check
    assert 'href="/report/passphrase"' in check
    response = post(client, "/report/your-details?change=1", {"identity": "yes"})
    assert response.headers["location"] == "/report/contact?change=1"
    assert NAME not in client.get("/report/contact?change=1").text  # nothing was kept


# --- drafts: server side, encrypted, never in the cookie -------------------------------------


def test_no_answer_is_ever_in_the_session_cookie(client: TestClient) -> None:
    for slug, data in IDENTIFIED:
        answer(client, [(slug, data)])
        session = session_of(client)
        dumped = json.dumps(session)
        assert set(session) <= {"csrf", "report_draft", "lang"}, session.keys()
        assert set(session["report_draft"]) == {"id", "key"}
        for secret in SENSITIVE:
            assert secret not in dumped, slug
    post(client, "/report/check", {})
    dumped = json.dumps(session_of(client))
    assert "report_draft" not in session_of(client)
    for secret in SENSITIVE:
        assert secret not in dumped


def test_the_draft_is_ciphertext_only_readable_with_the_session_key(
    client: TestClient, web_runtime: Runtime
) -> None:
    answer(client, IDENTIFIED[:7])
    handle = handle_of(client)
    with web_runtime.session() as session:
        row = session.scalars(
            select(ReportDraft).where(ReportDraft.public_id == handle.draft_id)
        ).one()
        for secret in (ACCOUNT, NAME, CONTACT, AREA):
            assert secret.encode() not in row.ciphertext
        assert drafts.load_draft(session, handle=handle) is not None
        wrong = DraftHandle(handle.draft_id, base64.urlsafe_b64encode(b"k" * 32).decode())
        assert drafts.load_draft(session, handle=wrong) is None


def test_expired_draft_sends_the_reporter_back_to_the_start(
    client: TestClient, web_runtime: Runtime
) -> None:
    answer(client, BEFORE_IDENTITY[:4])
    with web_runtime.session() as session:
        drafts.discard_draft(session, handle=handle_of(client))
    response = client.get("/report/your-account")
    assert response.headers["location"] == "/report?expired=1"
    assert "we deleted your answers" in client.get("/report?expired=1").text
    assert "report_draft" not in session_of(client)


def test_delete_my_answers_removes_the_draft(client: TestClient, web_runtime: Runtime) -> None:
    answer(client, IDENTIFIED)
    handle = handle_of(client)
    response = post(client, "/report/delete", {})
    assert response.headers["location"] == "/report?deleted=1"
    assert "Your answers have been deleted" in client.get("/report?deleted=1").text
    with web_runtime.session() as session:
        assert drafts.load_draft(session, handle=handle) is None
    assert client.get("/report/check").headers["location"] == "/report"


# --- sending ---------------------------------------------------------------------------------


def test_identified_report_is_created_on_the_public_pathway(
    client: TestClient, web_runtime: Runtime, app: FastAPI
) -> None:
    answer(client, IDENTIFIED)
    handle = handle_of(client)
    reference = send_identified_after_answers(client)
    report = report_by_reference(web_runtime, reference)
    assert report.pathway is Pathway.public_online
    assert report.crime_type.value == "domestic_abuse"
    assert report.area == AREA
    assert str(report.occurred_from) == "2024-05-09"
    assert report.has_identity and report.has_enhanced_rights
    assert report.sex is not None and report.sex.value == "female"
    assert report.ethnicity_group is not None and report.ethnicity_group.value == "declined"
    # The further questions (issue 19); the status category is kept for statistics only.
    assert (report.disability, report.religion, report.preferred_language) == (
        "no",
        "muslim",
        "portuguese",
    )
    with web_runtime.session() as session:
        category = session.scalar(
            select(Report.immigration_status_category).where(Report.reference == reference)
        )
    assert category == "asylum_seeker_or_refugee"
    assert report.submitted_by is None
    consents = {(c.purpose, c.method) for c in report.consents}
    assert consents == {(ConsentPurpose.victim_support, ConsentMethod.public_online)}
    sealed = reveal(
        web_runtime,
        app,
        reference,
        [
            SealedField.account,
            SealedField.name,
            SealedField.contact_details,
            SealedField.safe_contact,
            SealedField.language_needs,
            SealedField.immigration_status,
        ],
    )
    assert sealed[SealedField.account] == ACCOUNT
    assert sealed[SealedField.name] == NAME
    assert sealed[SealedField.contact_details] == CONTACT
    assert sealed[SealedField.safe_contact] == SAFE
    assert sealed[SealedField.language_needs] == "Portuguese"
    assert sealed[SealedField.immigration_status] is None  # never asked
    with web_runtime.session() as session:
        assert drafts.load_draft(session, handle=handle) is None  # deleted on sending


def send_identified_after_answers(client: TestClient) -> str:
    response = post(client, "/report/check", {})
    assert response.headers["location"] == "/report/confirmation"
    page = client.get("/report/confirmation")
    assert "Report sent" in page.text and "govuk-panel" in page.text
    return reference_on(page.text)


def test_confirmation_needs_a_sent_report(client: TestClient) -> None:
    assert client.get("/report/confirmation").headers["location"] == "/report"


def _feedback_rows(web_runtime: Runtime) -> list[tuple[str, str | None, str | None, int | None]]:
    with web_runtime.session() as session:
        return [
            (f.source, f.felt_safe, f.was_helpful, f.referral_id)
            for f in session.scalars(select(Feedback).order_by(Feedback.id))
        ]


def test_optional_feedback_after_sending_is_kept_once_and_linked_to_nothing(
    client: TestClient, web_runtime: Runtime
) -> None:
    before = _feedback_rows(web_runtime)
    send_identified(client)  # reads the confirmation page, which offers the questions
    # The confirmation page itself was read by send_identified; its form posts here.
    response = post(client, "/report/feedback", {"felt_safe": "partly", "was_helpful": "yes"})
    assert response.headers["location"] == "/report/feedback/done"
    done = client.get("/report/feedback/done")
    assert "Thank you for your feedback" in done.text
    assert "not linked to your report" in done.text
    assert _feedback_rows(web_runtime) == [*before, ("public", "partly", "yes", None)]
    # Once per report sent: a second post, or a post with no report sent, keeps nothing.
    again = post(client, "/report/feedback", {"felt_safe": "no"})
    assert again.headers["location"] == "/report"
    assert client.get("/report/feedback/done").headers["location"] == "/report"
    assert len(_feedback_rows(web_runtime)) == len(before) + 1


def test_confirmation_asks_the_feedback_questions_in_her_language(client: TestClient) -> None:
    assert client.get("/report/confirmation").headers["location"] == "/report"  # none sent
    html = _confirmation_after_anonymous(client, "pl")
    assert "Czy zgłaszanie było dla Ciebie bezpieczne?" in html
    assert 'action="/report/feedback"' in html and 'name="was_helpful"' in html
    response = post(client, "/report/feedback", {})  # both optional: nothing kept, still thanked
    assert response.headers["location"] == "/report/feedback/done"
    assert "Dziękujemy za opinię" in client.get("/report/feedback/done").text


def test_public_form_never_asks_for_immigration_status(client: TestClient) -> None:
    for slug, data in IDENTIFIED:
        page = client.get(f"/report/{slug}").text
        assert 'name="immigration_status"' not in page
        assert 'name="nationality"' not in page  # only the coarse, declinable group
        answer(client, [(slug, data)])


def test_signed_in_staff_still_send_on_the_public_pathway(
    client_for: Any, web_runtime: Runtime
) -> None:
    officer = client_for(Role.officer)
    reference = send_identified(officer)
    report = report_by_reference(web_runtime, reference)
    assert report.pathway is Pathway.public_online and report.submitted_by is None


# --- anonymous pathway and return visits -----------------------------------------------------


def test_anonymous_report_asks_no_identity_and_takes_a_passphrase(
    client: TestClient, web_runtime: Runtime
) -> None:
    answer(client, ANONYMOUS)
    check = client.get("/report/check").text
    assert 'href="/report/passphrase"' in check and 'action="/report/check"' not in check
    assert post(client, "/report/check", {}).headers["location"] == "/report/passphrase"
    short = post(client, "/report/passphrase", {"passphrase": "too short"})
    assert short.status_code == 400
    assert "Your passphrase must be at least 12 characters" in short.text
    assert 'value="too short"' not in short.text
    different = post(
        client,
        "/report/passphrase",
        {"passphrase": PASSPHRASE, "confirm_passphrase": "river lamp purple clouds"},
    )
    assert "The passphrases do not match" in different.text
    response = post(
        client, "/report/passphrase", {"passphrase": PASSPHRASE, "confirm_passphrase": PASSPHRASE}
    )
    assert response.headers["location"] == "/report/confirmation"
    page = client.get("/report/confirmation").text
    assert "keep it with your passphrase" in page
    reference = reference_on(page)
    report = report_by_reference(web_runtime, reference)
    assert report.pathway is Pathway.anonymous
    assert not report.has_identity and report.consents == []
    assert report.sex is None  # monitoring declined as a whole: not asked
    with web_runtime.session() as session:
        stored = session.scalars(select(Report).where(Report.reference == reference)).one()
        assert stored.passphrase_hash and stored.passphrase_hash.startswith("$argon2id$")
        assert PASSPHRASE not in stored.passphrase_hash
    for secret in SENSITIVE:
        assert secret not in json.dumps(session_of(client))


def test_passphrase_page_is_only_for_anonymous_reports(client: TestClient) -> None:
    answer(client, IDENTIFIED)
    assert client.get("/report/passphrase").headers["location"] == "/report/check"


def _return(client: TestClient, **data: Any) -> Any:
    return post(client, "/report/return", data)


def test_return_visit_adds_information_and_consent(
    client: TestClient, app: FastAPI, web_runtime: Runtime
) -> None:
    reference = send_anonymous(client)
    visitor = TestClient(app, follow_redirects=False)
    assert visitor.get("/report/return").status_code == 200
    response = _return(
        visitor,
        reference=reference.lower().replace("-", " "),
        passphrase=f"  {PASSPHRASE.upper().lower()} ",
        information="He came back last night (info-9Z).",
        consents=["police_contact", "victim_support"],
        contact_details="safe@example.org",
        safe_contact="Evenings only",
    )
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == "/report/return/done"
    assert "We have added this to your report" in visitor.get("/report/return/done").text
    assert visitor.get("/report/return/done").headers["location"] == "/report/return"
    report = report_by_reference(web_runtime, reference)
    methods = {(c.purpose, c.method) for c in report.consents}
    assert methods == {
        (ConsentPurpose.police_contact, ConsentMethod.anonymous_return),
        (ConsentPurpose.victim_support, ConsentMethod.anonymous_return),
    }
    assert [u.kind for u in report.updates] == ["victim_information"]
    sealed = reveal(web_runtime, app, reference, [SealedField.contact_details])
    assert sealed[SealedField.contact_details] == "safe@example.org"


def test_return_failures_look_the_same_whether_or_not_the_report_exists(
    client: TestClient, app: FastAPI
) -> None:
    reference = send_anonymous(client)
    visitor = TestClient(app, follow_redirects=False)
    typed = {
        "information": "More detail",
        "consents": "police_contact",
        "contact_details": "07700 900333",
        "safe_contact": "Evenings",
    }
    wrong = _return(visitor, reference=reference, passphrase="not the passphrase", **typed)
    missing = _return(visitor, reference="SS-00000-00000", passphrase="not the passphrase", **typed)
    junk = _return(visitor, reference="nonsense", passphrase="not the passphrase", **typed)
    assert wrong.status_code == missing.status_code == junk.status_code == 400
    bodies = [
        r.text.replace(ref, "REF")
        for r, ref in ((wrong, reference), (missing, "SS-00000-00000"), (junk, "nonsense"))
    ]
    assert bodies[0] == bodies[1] == bodies[2]
    assert "The reference or passphrase is not right" in bodies[0]
    assert "More detail" in bodies[0]  # what they typed is kept
    assert "not the passphrase" not in bodies[0]


def test_return_guessing_slows_only_the_guesser_and_never_locks_the_reporter(
    client: TestClient, app: FastAPI
) -> None:
    """Finding 3: someone who knows a reference cannot lock its reporter out."""
    reference = send_anonymous(client)
    guesser = TestClient(app, follow_redirects=False, client=("203.0.113.66", 4000))
    statuses = [
        _return(guesser, reference=reference, passphrase="wrong", information="x").status_code
        for _attempt in range(5)
    ]
    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429]
    held = _return(guesser, reference=reference, passphrase=PASSPHRASE, information="x")
    assert held.status_code == 429 and held.headers["Retry-After"]
    reporter = TestClient(app, follow_redirects=False, client=("198.51.100.7", 4000))
    back = _return(reporter, reference=reference, passphrase=PASSPHRASE, information="x")
    assert back.status_code == 303, back.text[:500]


def test_return_validation(client: TestClient) -> None:
    nothing = _return(client, reference="", passphrase="")
    assert errors_in(nothing.text) == ["Enter your reference", "Enter your passphrase"]
    empty = _return(client, reference="SS-00000-00000", passphrase="something")
    assert errors_in(empty.text) == ["Add information, contact details or a consent"]
    bad_consent = _return(
        client, reference="SS-00000-00000", passphrase="something", consents="immigration"
    )
    assert "Your answer could not be read" in bad_consent.text


# --- rate limiting ---------------------------------------------------------------------------


def test_public_posts_are_rate_limited(web_runtime: Runtime) -> None:
    limited = create_app(_settings(web_runtime, public_rate_limit_per_minute=2), web_runtime)
    # The count is in the module's database: an address no other test posts from.
    address = ("198.51.100.23", 50000)
    clients = [TestClient(limited, follow_redirects=False, client=address) for _ in range(3)]
    first, second, third = (
        post(c, "/report/what-happened", {"crime_type": "other"}) for c in clients
    )
    assert first.status_code == second.status_code == 303
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) >= 1
    assert "Too many attempts" in third.text
    # Saving further answers to a draft already started is not counted.
    assert post(clients[0], "/report/when", {}).status_code == 303
    # Return visits (passphrase guesses) count too.
    guess = post(
        clients[0],
        "/report/return",
        {"reference": "SS-00000-00000", "passphrase": "x", "information": "y"},
    )
    assert guess.status_code == 429


def _confirmation_after_anonymous(client: TestClient, lang: str) -> str:
    client.get(f"/report?lang={lang}")
    answer(client, ANONYMOUS)
    sent = post(
        client, "/report/passphrase", {"passphrase": PASSPHRASE, "confirm_passphrase": PASSPHRASE}
    )
    assert sent.status_code == 303, sent.text[:2000]
    html: str = client.get("/report/confirmation").text
    return html


def test_confirmation_falls_back_to_national_helplines(
    client: TestClient, web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:  # runs before the directory below is seeded
        assert signposting.support_for(session, language="Spanish") == []
    html = _confirmation_after_anonymous(client, "en")
    assert "We could not find a local organisation that speaks your language" in html
    assert "National Domestic Abuse Helpline: 0808 2000 247" in html
    assert 'href="/report/view"' in html


def test_confirmation_signposts_support_in_her_language(
    client: TestClient, web_runtime: Runtime
) -> None:
    seed_directory(web_runtime)
    html = _confirmation_after_anonymous(client, "es")
    assert 'lang="es"' in html and "Apoyo en su idioma" in html
    assert "Casa Segura Refuge" in html and "refer@casa.example" in html
    assert "Sahara Advocacy" not in html  # Punjabi and Urdu, no NRPF support
    english = _confirmation_after_anonymous(client, "en")
    assert "Old Town Refuge" in english and "Casa Segura Refuge" in english
    assert "Sahara Advocacy" not in english


def test_a_witness_reports_and_decisions_read_the_role(
    client: TestClient, web_runtime: Runtime
) -> None:
    witness = [
        step if step[0] != "victim-or-witness" else (step[0], {"subject_role": "witness"})
        for step in ANONYMOUS
    ]
    answer(client, witness[:4])
    page = client.get("/report/your-account").text
    assert "Tell us what you saw or heard" in page and "Tell us what happened" not in page
    answer(client, witness[4:])
    check = client.get("/report/check").text
    assert "Who it happened to" in check and "No, I saw or heard it happen to someone else" in check
    sent = post(
        client, "/report/passphrase", {"passphrase": PASSPHRASE, "confirm_passphrase": PASSPHRASE}
    )
    assert sent.status_code == 303
    reference = reference_on(client.get("/report/confirmation").text)
    with web_runtime.session() as session:
        report_id = reporting.find_report_id(session, reference=reference)
        assert report_id is not None
        assert reporting.subject_facts(session, report_id=report_id).role == "witness"
        record = policy.make_decision(
            session,
            request=RecordShareRequest(
                report_ref=reference,
                requester=Requester(agency="police", purpose="criminal_investigation"),
                categories=["identity"],
                status_doubt_only=False,
            ),
            actor="officer",
            actor_role=Role.officer,
        )
        assert record.request["subject"]["role"] == "witness"


def test_an_officer_records_a_witness_at_intake(web_runtime: Runtime) -> None:
    receipt = make_report(web_runtime, subject_role="witness")
    with web_runtime.session() as session:
        facts = reporting.subject_facts(session, report_id=receipt.report_id)
    assert facts.role == "witness"
    assert facts.versions["role"]["fact_source"] == "officer_enquiry"
