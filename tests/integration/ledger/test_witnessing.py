"""The attacks an insider with host access (and the log's signing key) can try, on both back
ends, and how independent witnesses and public-key verification catch them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safeshare.config import Settings
from safeshare.ledger import service, witnessing
from safeshare.ledger.config import WitnessSetting
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.ledger.verification import LedgerVerification, TrustPolicy, verify_ledger
from safeshare.ledger.witness import Witness
from safeshare.ledger.witnessing import WitnessEndpoint

from . import tamper
from .conftest import ORIGIN
from .witnesses import DirectTransport, in_process_witness


class Witnessed:
    """A log with two in-process witnesses, quorum 2."""

    def __init__(self, session: Session, signer: Ed25519NoteSigner, tmp: Path) -> None:
        self.session, self.signer = session, signer
        made = [in_process_witness(tmp, f"w{i}.example/witness", signer.verifier) for i in (1, 2)]
        self.witnesses: list[Witness] = [w for w, _, _ in made]
        self.endpoints: list[WitnessEndpoint] = [e for _, e, _ in made]
        self.transport = DirectTransport({url: w for w, _, url in made})
        self.settings = Settings(
            ledger_origin=ORIGIN,
            ledger_vkey=signer.verifier.to_vkey(),
            ledger_witnesses=[WitnessSetting(url=u, vkey=e.verifier.to_vkey()) for _, e, u in made],
            ledger_witness_quorum=2,
            var_dir=tmp,
        )

    def grow(self, upto: int) -> service.CheckpointInfo:
        while service.tree_size(self.session) < upto:
            n = service.tree_size(self.session)
            service.append_entry(
                self.session, kind="policy.decision", actor="officer1", data={"case": f"C-{n}"}
            )
        info = service.create_checkpoint(self.session, signer=self.signer, origin=ORIGIN)
        self.witness()
        return info

    def witness(self) -> list[witnessing.WitnessOutcome]:
        return witnessing.witness_checkpoint(
            self.session, witnesses=self.endpoints, transport=self.transport
        )

    def verify(self, *, ask: bool = True, outside: tuple[str, ...] = ()) -> LedgerVerification:
        return verify_ledger(
            self.session,
            settings=self.settings,
            consult_witnesses=ask,
            transport=self.transport,
            outside=outside,
        )


@pytest.fixture
def log(ledger_session: Session, signer: Ed25519NoteSigner, tmp_path: Path) -> Witnessed:
    """20 entries, checkpoints #1 at 8, #2 at 16, #3 at 20, each cosigned by both witnesses."""
    witnessed = Witnessed(ledger_session, signer, tmp_path)
    for upto in (8, 16, 20):
        witnessed.grow(upto)
    return witnessed


def test_an_honest_log_verifies_with_public_keys_and_a_quorum(log: Witnessed) -> None:
    result = log.verify()
    assert result.status == "ok", result.lines()
    assert result.report is not None and result.report.witnessed_size == 20
    latest = service.latest_checkpoint(log.session)
    assert latest is not None
    note = service.cosigned_note(log.session, latest)
    assert note.count("\n— ") == 3  # the log's signature and two cosignatures


def test_deleting_entries_after_the_last_checkpoint_is_caught_by_the_witnesses(
    log: Witnessed,
) -> None:
    log.grow(25)  # checkpoint #4 at 25, cosigned
    tamper.disable_append_only(log.session)
    tamper.roll_back(log.session, 20)  # drop entries 20..24 and checkpoint #4
    inside_only = log.verify(ask=False)
    assert inside_only.status == "ok"  # the database alone looks perfect: that is the attack
    result = log.verify()
    assert result.status == "tampered"
    assert result.report is not None and result.report.first_problem is not None
    assert result.report.first_problem.seq == 20
    assert "rollback or truncation: a checkpoint of 25 entries" in result.message
    assert "w1.example/witness" in result.message


def test_rolling_back_to_an_earlier_checkpoint_is_caught(log: Witnessed) -> None:
    latest = service.latest_checkpoint(log.session)
    assert latest is not None
    kept = service.cosigned_note(log.session, latest)  # e.g. saved from the public URL
    tamper.disable_append_only(log.session)
    tamper.roll_back(log.session, 8)
    assert log.verify(ask=False).status == "ok"
    assert log.verify().status == "tampered"
    offline = log.verify(ask=False, outside=(kept,))
    assert offline.status == "tampered"
    assert "holds only 8" in offline.message


def test_rewriting_history_and_resigning_with_the_log_key_is_caught(log: Witnessed) -> None:
    tamper.disable_append_only(log.session)
    tamper.rewrite_log(log.session, 11, {"case": "C-11", "share": True})
    tamper.resign_checkpoints(log.session, log.signer, ORIGIN, [8, 16, 20])
    # The log key alone vouches for it: without witnesses this passes, which is the problem.
    plain = service.verify_log(log.session, verifiers=[log.signer.verifier], origin=ORIGIN)
    assert plain.ok
    # The witnesses refuse to cosign the rewritten checkpoint...
    outcomes = log.witness()
    assert [o.ok for o in outcomes] == [False, False]
    # ...so it lacks cosignatures, and the witnesses' own state shows the rewrite.
    unasked = log.verify(ask=False)
    assert unasked.status == "unwitnessed"
    assert "no checkpoint is witnessed" in unasked.message
    asked = log.verify()
    assert asked.status == "tampered"
    assert "history rewritten" in asked.message


def test_a_forged_cosignature_is_reported(log: Witnessed) -> None:
    tamper.disable_append_only(log.session)
    from sqlalchemy import update

    from safeshare.ledger.models import LedgerCosignature

    table = LedgerCosignature.__table__
    line = (
        log.session.connection()
        .execute(table.select().where(table.c.checkpoint_number == 3).limit(1))
        .one()
    )
    forged = line.signature_line[:-8] + (
        "AAAAAAA=" if not line.signature_line.endswith("AAAAAAA=") else "BBBBBBB="
    )
    log.session.connection().execute(
        update(table)
        .where(table.c.checkpoint_number == 3, table.c.witness == line.witness)
        .values(signature_line=forged)
    )
    result = log.verify(ask=False)
    assert result.status == "tampered"
    assert "(forged)" in result.message


def test_too_few_cosignatures_is_not_witnessed_and_quorum_one_accepts(log: Witnessed) -> None:
    log.transport.down.add(next(iter(log.transport.witnesses)))
    log.grow(24)
    assert log.verify(ask=False).status == "unwitnessed"
    policy = TrustPolicy(log.signer.verifier, tuple(e.verifier for e in log.endpoints), 1)
    result = verify_ledger(
        log.session, settings=log.settings, policy=policy, consult_witnesses=False
    )
    assert result.status == "ok", result.lines()


def test_no_verifier_key_is_reported_as_not_configured(
    ledger_session: Session, tmp_path: Path
) -> None:
    result = verify_ledger(
        ledger_session, settings=Settings(var_dir=tmp_path, ledger_origin=ORIGIN)
    )
    assert result.status == "not_configured"
    assert "SAFESHARE_LEDGER_VKEY" in result.message
