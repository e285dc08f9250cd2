"""Finding a record's ledger entry by an integer in its data, on SQLite and PostgreSQL
(each decodes the stored bytes differently), without matching lookalikes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeshare.ledger import service


def test_seqs_by_data_value_finds_exact_values_of_one_kind(ledger_session: Session) -> None:
    base = service.tree_size(ledger_session)
    service.append_entries(
        ledger_session,
        records=[
            service.EntryInput("policy.decision", "officer", {"decision_id": 1, "x": 7}),
            service.EntryInput("policy.decision", "officer", {"decision_id": 12}),
            service.EntryInput("policy.review", "officer", {"decision_id": 7}),
            service.EntryInput("policy.decision", "officer", {"review_id": 7, "decision_id": 70}),
            service.EntryInput("policy.decision", "officer", {"decision_id": 7}),
        ],
    )
    found = service.seqs_by_data_value(
        ledger_session, kind="policy.decision", key="decision_id", values=[1, 7, 99]
    )
    assert found == {1: base, 7: base + 4}
    assert (
        service.seqs_by_data_value(
            ledger_session, kind="policy.decision", key="decision_id", values=[]
        )
        == {}
    )
