"""The auditor names the first bad entry for each kind of tampering (no database)."""

from __future__ import annotations

import json

import pytest

from safeshare.ledger.audit import AuditReport, CheckpointRecord, LogAuditor
from safeshare.ledger.note import Ed25519NoteSigner

from .logs import ORIGIN, chain, checkpoints, make_log


@pytest.fixture(scope="module")
def signer() -> Ed25519NoteSigner:
    return Ed25519NoteSigner.generate(ORIGIN)


def audit(
    entries: list[bytes], records: list[CheckpointRecord], signer: Ed25519NoteSigner
) -> AuditReport:
    auditor = LogAuditor()
    auditor.feed((None, e, None) for e in entries)
    covered = auditor.check_checkpoints(records, [signer.verifier], origin=ORIGIN)
    return auditor.report(checkpoints=len(records), covered_size=covered)


def first_bad(report: AuditReport) -> int | None:
    assert not report.ok
    assert report.first_problem is not None
    return report.first_problem.seq


def test_intact_log_verifies(signer: Ed25519NoteSigner) -> None:
    log = make_log(40)
    report = audit(log, checkpoints(log, [10, 25, 40], signer), signer)
    assert report.ok, report.problems
    assert report.covered_size == 40
    assert "40 entries" in report.summary()


def test_uncovered_tail_is_reported_but_not_a_failure(signer: Ed25519NoteSigner) -> None:
    log = make_log(12)
    report = audit(log, checkpoints(log, [8], signer), signer)
    assert report.ok
    assert "8..11 are not yet covered" in report.summary()


def test_edited_entry_is_named_by_its_successor(signer: Ed25519NoteSigner) -> None:
    log = make_log(20)
    records = checkpoints(log, [20], signer)
    log[7] = log[7].replace(b'"C-7"', b'"C-X"')
    report = audit(log, records, signer)
    assert first_bad(report) == 7
    assert "entry 7 was altered" in report.summary()


def test_deleted_entry_is_named(signer: Ed25519NoteSigner) -> None:
    log = make_log(20)
    records = checkpoints(log, [20], signer)
    del log[5]
    assert first_bad(audit(log, records, signer)) == 5


def test_reordered_entries_are_named(signer: Ed25519NoteSigner) -> None:
    log = make_log(20)
    records = checkpoints(log, [20], signer)
    log[9], log[10] = log[10], log[9]
    report = audit(log, records, signer)
    assert first_bad(report) == 9


def test_inserted_entry_is_named(signer: Ed25519NoteSigner) -> None:
    log = make_log(20)
    records = checkpoints(log, [20], signer)
    forged = chain([*[{"decision": i, "case": f"C-{i}"} for i in range(6)], {"forged": True}])[6]
    log.insert(6, forged)
    report = audit(log, records, signer)
    assert first_bad(report) == 6
    assert "inserted" in report.summary()


def test_consistent_rewrite_is_caught_by_the_checkpoints(signer: Ed25519NoteSigner) -> None:
    payloads: list[dict[str, object]] = [{"decision": i} for i in range(30)]
    records = checkpoints(chain(payloads), [10, 20, 30], signer)
    payloads[14] = {"decision": "rewritten"}
    report = audit(chain(payloads), records, signer)  # every later link recomputed too
    assert first_bad(report) == 10  # entries before 10 match checkpoint #1
    assert "checkpoint #2" in report.summary()


def test_truncated_log_is_caught(signer: Ed25519NoteSigner) -> None:
    log = make_log(20)
    report = audit(log[:15], checkpoints(log, [20], signer), signer)
    assert first_bad(report) == 15
    assert "deleted" in report.summary()


def test_forged_checkpoints_are_caught(signer: Ed25519NoteSigner) -> None:
    log = make_log(20)
    records = checkpoints(log, [10, 20], signer)
    edited = CheckpointRecord(2, records[1].note.replace("\n20\n", "\n19\n"))
    report = audit(log, [records[0], edited], signer)
    assert report.first_problem is not None and report.first_problem.checkpoint == 2
    assert "forged" in report.summary()
    other = checkpoints(log, [10, 20], Ed25519NoteSigner.generate(ORIGIN))[1]
    assert "forged" in audit(log, [records[0], other], signer).summary()
    missing = audit(log, [records[1]], signer)
    assert "checkpoint #1 is missing" in missing.summary()


def test_malformed_entry_is_named(signer: Ed25519NoteSigner) -> None:
    log = make_log(5)
    log[3] = b"not json"
    report = audit(log, [], signer)
    assert first_bad(report) == 3
    assert "malformed" in report.summary()


def test_non_canonical_entry_is_named(signer: Ed25519NoteSigner) -> None:
    log = make_log(5)
    log[2] = json.dumps(json.loads(log[2]), indent=1).encode()
    assert first_bad(audit(log, [], signer)) == 2


def test_report_as_dict_names_the_first_bad_entry(signer: Ed25519NoteSigner) -> None:
    log = make_log(5)
    del log[1]
    result = audit(log, [], signer).as_dict()
    assert result["ok"] is False
    assert result["first_bad_entry"] == 1
