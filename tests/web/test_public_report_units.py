"""Units behind the public form: encrypted drafts, the sliding-window limiter, the questions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.errors import InvalidInputError
from safeshare.reporting import drafts
from safeshare.reporting.drafts import DraftHandle, ReportDraft
from safeshare.reporting.schemas import AnonymousReportCreate, PublicReportCreate
from safeshare.web import public_form
from safeshare.web.i18n import Translator

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)
SECRET = "She took my passport (draft-canary-44)"

# --- drafts ----------------------------------------------------------------------------------


def test_draft_round_trip_is_encrypted_at_rest(db_session: Session) -> None:
    handle = drafts.start_draft(db_session, answers={"account": SECRET}, now=NOW)
    row = db_session.scalars(
        select(ReportDraft).where(ReportDraft.public_id == handle.draft_id)
    ).one()
    assert SECRET.encode() not in row.ciphertext
    assert row.expires_at == NOW + drafts.DRAFT_IDLE
    assert drafts.load_draft(db_session, handle=handle, now=NOW) == {"account": SECRET}
    assert drafts.save_draft(
        db_session, handle=handle, answers={"account": "changed"}, now=NOW + timedelta(hours=1)
    )
    assert drafts.load_draft(
        db_session, handle=handle, now=NOW + timedelta(hours=2, minutes=59)
    ) == {"account": "changed"}


def test_draft_needs_its_own_key_and_id(db_session: Session) -> None:
    one = drafts.start_draft(db_session, answers={"account": SECRET}, now=NOW)
    other = drafts.start_draft(db_session, answers={"account": "other"}, now=NOW)
    assert (
        drafts.load_draft(db_session, handle=DraftHandle(one.draft_id, other.key), now=NOW) is None
    )
    assert (
        drafts.load_draft(db_session, handle=DraftHandle(one.draft_id, "not base64!"), now=NOW)
        is None
    )
    assert not drafts.save_draft(
        db_session, handle=DraftHandle(one.draft_id, other.key), answers={}, now=NOW
    )
    # A ciphertext moved to another draft's row does not open there (bound to its id).
    rows = {
        r.public_id: r
        for r in db_session.scalars(
            select(ReportDraft).where(ReportDraft.public_id.in_([one.draft_id, other.draft_id]))
        )
    }
    rows[other.draft_id].ciphertext = rows[one.draft_id].ciphertext
    db_session.flush()
    assert (
        drafts.load_draft(db_session, handle=DraftHandle(other.draft_id, one.key), now=NOW) is None
    )


def test_drafts_expire_and_are_purged(db_session: Session) -> None:
    old = drafts.start_draft(db_session, answers={"account": SECRET}, now=NOW)
    later = NOW + drafts.DRAFT_IDLE
    assert drafts.load_draft(db_session, handle=old, now=later) is None
    assert not drafts.save_draft(db_session, handle=old, answers={}, now=later)
    drafts.start_draft(db_session, answers={}, now=later)  # starting a draft purges old ones
    remaining = db_session.scalars(
        select(ReportDraft.public_id).where(ReportDraft.public_id == old.draft_id)
    ).all()
    assert remaining == []


def test_discarded_draft_is_gone(db_session: Session) -> None:
    handle = drafts.start_draft(db_session, answers={"account": SECRET}, now=NOW)
    drafts.discard_draft(db_session, handle=handle)
    assert drafts.load_draft(db_session, handle=handle, now=NOW) is None


def test_oversized_draft_is_refused(db_session: Session) -> None:
    with pytest.raises(InvalidInputError):
        drafts.start_draft(db_session, answers={"account": "x" * (drafts.MAX_DRAFT_BYTES + 1)})


@pytest.mark.parametrize(
    "value", [None, "id", {"id": 1, "key": "k"}, {"id": "x" * 65, "key": "k"}, {"key": "k"}]
)
def test_malformed_session_handles_are_ignored(value: object) -> None:
    assert DraftHandle.from_session(value) is None


# --- rate limiter ----------------------------------------------------------------------------


# --- questions -------------------------------------------------------------------------------

EN = Translator("en")
TODAY = date(2024, 6, 3)


def _complete(identity: str) -> dict[str, str]:
    answers = {
        "crime_type": "sexual_offence",
        "subject_role": "victim",
        "occurred_from": "2024-05-01",
        "occurred_to": "2024-05-20",
        "area": "",
        "account": SECRET,
        "language_needs": "",
        "identity": identity,
        "monitoring": "no",
    }
    if identity == "yes":
        answers |= {
            "name": "",
            "contact_details": "a@example.org",
            "safe_contact": "",
            "consent_victim_support": "no",
            "consent_police_contact": "yes",
        }
    return answers


def test_flow_depends_on_the_answers() -> None:
    slugs = [s.slug for s in public_form.flow({"identity": "no", "monitoring": "yes"})]
    assert "contact" not in slugs and slugs[-9:] == [
        "sex",
        "age",
        "ethnic-group",
        "nationality",
        "disability",
        "religion",
        "sexual-orientation",
        "language",
        "immigration-status",
    ]
    assert public_form.first_unanswered(_complete("yes")) is None
    assert public_form.first_unanswered(_complete("no")) is None
    assert public_form.first_unanswered({}) is public_form.WHAT


def test_pruning_drops_answers_no_longer_asked() -> None:
    answers = _complete("yes") | {"identity": "no", "sex": "male"}
    pruned = public_form.prune(answers)
    assert "contact_details" not in pruned and "consent_police_contact" not in pruned
    assert "sex" not in pruned  # monitoring was answered "no"


def test_payload_for_each_pathway() -> None:
    public = public_form.build_payload(_complete("yes"))
    assert isinstance(public, PublicReportCreate)
    assert [c.purpose.value for c in public.consents] == ["police_contact"]
    assert public.details.contact_details == "a@example.org" and public.details.name is None
    assert public.area is None and public.monitoring.sex is None
    anonymous = public_form.build_payload(_complete("no"), "a long enough passphrase")
    assert isinstance(anonymous, AnonymousReportCreate)
    assert anonymous.consents == []
    assert {f.value for f in anonymous.details.given()} == {"account"}
    assert anonymous.passphrase.get_secret_value() == "a long enough passphrase"


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("", "", "", ("", None)),
        ("3", "6", "2024", ("2024-06-03", None)),
        ("03", "06", "2024", ("2024-06-03", None)),
        ("4", "6", "2024", ("", "future")),
        ("29", "2", "2023", ("", "invalid")),
        ("1", "1", "24", ("", "invalid")),
        ("1", "1", "1899", ("", "invalid")),
        ("one", "1", "2024", ("", "invalid")),
        ("1", "", "2024", ("", "incomplete")),
    ],
)
def test_date_parsing(day: str, month: str, year: str, expected: tuple[str, str | None]) -> None:
    values = {"d-day": day, "d-month": month, "d-year": year}
    assert public_form.parse_date(values, "d", TODAY) == expected


def test_text_is_cleaned_of_control_characters() -> None:
    assert public_form.clean_text(" a\x00b\r\nc\u200b ", multiline=True) == "ab\nc\u200b"
    assert public_form.clean_text("a\nb\tc", multiline=False) == "a b c"
    assert public_form.clean_text(["a"], multiline=False) is None


def test_summary_rows_show_every_answer_with_a_change_link() -> None:
    rows = public_form.summary_rows(_complete("yes"), EN)
    keys = [row["key"]["text"] for row in rows]
    assert keys[:4] == [
        "What happened",
        "Who it happened to",
        "When it happened",
        "Where it happened",
    ]
    values = {row["key"]["text"]: row["value"] for row in rows}
    assert values["Who it happened to"] == {"text": "Yes, it happened to me"}
    assert values["When it happened"] == {"text": "1 May 2024 to 20 May 2024"}
    assert values["Where it happened"] == {"text": "Not given"}
    assert values["Interpreter"] == {"text": "Not needed"}
    assert values["The police can contact you"] == {"text": "Yes"}
    assert all(row["actions"]["items"][0]["href"].endswith("?change=1") for row in rows)
    spanish = public_form.summary_rows(_complete("no"), Translator("es"))
    spanish_values = {row["key"]["text"]: row["value"] for row in spanish}
    assert spanish_values["Cuándo pasó"] == {"text": "Del 1 de mayo de 2024 al 20 de mayo de 2024"}
