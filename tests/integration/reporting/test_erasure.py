"""Erasure by crypto-shredding: the plaintext cannot be recovered from the live database,
from a copy of the ciphertext taken before erasure, nor (once the old KEK is retired) from a
full backup that also holds the wrapped data key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent
from safeshare.reporting import service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import (
    ReportErasedError,
    ReportingPermissionError,
    ReportNotFoundError,
)
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import ConsentGrant, ReportQuery, SealedDetails
from safeshare.reporting.vocabulary import CaseStatus, SealedField
from safeshare.vault import crypto
from safeshare.vault import service as vault
from safeshare.vault.errors import IntegrityError, KeyUnavailableError, VaultError
from safeshare.vault.keys import InMemoryKeyProvider, WrappedKey
from safeshare.vault.models import DataKey, SealedValue
from tests.factories.reporting import (
    PASSPHRASE,
    AnonymousReportFactory,
    assign_to,
    create_public_report,
    officer,
    reporting_config,
    staff,
    tables_mentioning,
)

CANARY = "Canary-immigration-status-7f3e9a"
ADMIN = staff(Role.admin, "admin.ops")
REASON = "Victim asked for erasure"


def _backup(session: Session, table: Table) -> list[dict[str, Any]]:
    """What a database dump would hold: every row of `table`, as plain values."""
    return [dict(row) for row in session.execute(select(table)).mappings()]


def _try_recover(
    provider: InMemoryKeyProvider,
    subject: str,
    keys: list[dict[str, Any]],
    values: list[dict[str, Any]],
) -> str:
    """Everything an attacker holding the backup and the current key file could try."""
    key_row = next(k for k in keys if k["subject"] == subject)
    wrapped = bytes(key_row["wrapped_key"])
    value_row = next(
        v
        for v in values
        if v["data_key_id"] == key_row["id"] and v["field"] == "immigration_status"
    )
    errors: list[Exception] = []
    for key_id in {key_row["kek_id"], *provider.key_ids()}:
        try:
            data_key = provider.unwrap(WrappedKey(key_id, wrapped), subject=subject)
            return crypto.decrypt(
                data_key,
                bytes(value_row["ciphertext"]),
                aad=crypto.field_aad(subject, "immigration_status"),
            ).decode()
        except (KeyUnavailableError, IntegrityError) as exc:
            errors.append(exc)
    raise VaultError(f"unrecoverable ({len(errors)} attempts failed)")


def test_erased_report_is_unrecoverable_from_database_and_backups(
    db_session: Session,
    config: ReportingConfig,
    published: list[DomainEvent],
) -> None:
    provider = InMemoryKeyProvider()
    victim = create_public_report(
        db_session,
        provider=provider,
        config=config,
        details=SealedDetails(name="Maria", immigration_status=CANARY),
    )
    other = create_public_report(
        db_session,
        provider=provider,
        config=config,
        details=SealedDetails(immigration_status="Kept report"),
    )
    assign_to(db_session, other.report_id)
    db_session.commit()
    subject = db_session.get_one(Report, victim.report_id).public_id
    backup_keys = _backup(db_session, DataKey.__table__)  # type: ignore[arg-type]
    backup_values = _backup(db_session, SealedValue.__table__)  # type: ignore[arg-type]
    # The backup is meaningful: right now it does decrypt.
    assert _try_recover(provider, subject, backup_keys, backup_values) == CANARY

    result = service.erase_report(
        db_session,
        reference=victim.reference.lower(),
        actor=ADMIN,
        reason=REASON,
        provider=provider,
        config=config,
    )
    assert result.reference == victim.reference and result.rotated_key_id is not None
    db_session.commit()
    retired = vault.retire_unused_keys(
        db_session, provider=provider, actor="admin.ops", grace=timedelta(0)
    )
    db_session.commit()
    assert retired == [next(k["kek_id"] for k in backup_keys if k["subject"] == subject)]

    # Live database: no wrapped data key, no ciphertext, the canary nowhere.
    key_row = db_session.scalars(select(DataKey).where(DataKey.subject == subject)).one()
    assert key_row.wrapped_key is None and key_row.destroyed_at is not None
    assert (
        db_session.scalars(select(SealedValue).where(SealedValue.data_key_id == key_row.id)).all()
        == []
    )
    assert tables_mentioning(db_session, CANARY) == []
    # The backup (ciphertext and wrapped data key) no longer opens with any key we hold.
    with pytest.raises(VaultError, match="unrecoverable"):
        _try_recover(provider, subject, backup_keys, backup_values)
    # Other reports were only re-wrapped, and read as before.
    kept = service.reveal_sealed_fields(
        db_session,
        report_id=other.report_id,
        fields=[SealedField.immigration_status],
        actor=officer(),
        reason="Checking the kept report",
        provider=provider,
        config=config,
    )
    assert kept[SealedField.immigration_status] == "Kept report"
    kinds = [e.kind for e in published]
    assert kinds[-5:-1] == ["vault.shredded", "report.erased", "vault.rotated", "vault.key_retired"]
    assert CANARY not in repr(published)


def test_without_rotation_a_ciphertext_copy_is_still_unrecoverable(
    db_session: Session, provider: InMemoryKeyProvider
) -> None:
    config = reporting_config(erasure_rotates_key=False)
    victim = create_public_report(
        db_session,
        provider=provider,
        config=config,
        details=SealedDetails(immigration_status=CANARY),
    )
    subject = db_session.get_one(Report, victim.report_id).public_id
    ciphertext_copy = _backup(db_session, SealedValue.__table__)  # type: ignore[arg-type]
    result = service.erase_report(
        db_session,
        reference=victim.reference,
        actor=ADMIN,
        reason=REASON,
        provider=provider,
        config=config,
    )
    assert result.rotated_key_id is None
    live_keys = _backup(db_session, DataKey.__table__)  # type: ignore[arg-type]
    key_row = next(k for k in live_keys if k["subject"] == subject)
    assert key_row["wrapped_key"] is None  # nothing left to unwrap: the copy is noise
    assert any(v["data_key_id"] == key_row["id"] for v in ciphertext_copy)


def test_erasure_clears_the_unsealed_shell_and_closes_doors(
    db_session: Session, provider: InMemoryKeyProvider, config: ReportingConfig
) -> None:
    receipt = service.create_report(
        db_session,
        payload=AnonymousReportFactory(consents=[ConsentGrant(purpose="victim_support")]),
        actor=Actor.public(),
        provider=provider,
        config=config,
    )
    service.erase_report(
        db_session,
        reference=receipt.reference,
        actor=ADMIN,
        reason=REASON,
        provider=provider,
        config=config,
    )
    report = db_session.get_one(Report, receipt.report_id)
    assert report.status == CaseStatus.erased and report.erased_by == "admin.ops"
    assert report.passphrase_hash is None and report.area is None and report.sex is None
    assert {r.status for r in report.rights} == {"not_applicable"}
    assert service.consents_for_policy(db_session, report.id) == []
    assert (
        service.verify_anonymous_reporter(
            db_session, reference=receipt.reference, passphrase=PASSPHRASE, config=config
        )
        is None
    )
    with pytest.raises(ReportErasedError):
        service.reveal_sealed_fields(
            db_session,
            report_id=report.id,
            fields=[SealedField.account],
            actor=officer(),
            reason="Looking at the account",
            provider=provider,
            config=config,
        )
    listed = service.search_reports(
        db_session, query=ReportQuery(reference=receipt.reference), actor=officer(), config=config
    )
    assert listed.total == 0
    listed = service.search_reports(
        db_session,
        query=ReportQuery(reference=receipt.reference, include_erased=True),
        actor=officer(),
        config=config,
    )
    assert [i.status for i in listed.items] == [CaseStatus.erased]
    with pytest.raises(ReportErasedError):
        service.erase_report(
            db_session,
            reference=receipt.reference,
            actor=ADMIN,
            reason=REASON,
            provider=provider,
            config=config,
        )


def test_only_administrators_erase_with_a_reason(
    db_session: Session, provider: InMemoryKeyProvider, config: ReportingConfig
) -> None:
    receipt = create_public_report(db_session, provider=provider, config=config)
    for actor in (officer(), staff(Role.supervisor), Actor.public()):
        with pytest.raises(ReportingPermissionError):
            service.erase_report(
                db_session,
                reference=receipt.reference,
                actor=actor,
                reason=REASON,
                provider=provider,
                config=config,
            )
    with pytest.raises(ReportNotFoundError):
        service.erase_report(
            db_session,
            reference="SS-00000-00000",
            actor=ADMIN,
            reason=REASON,
            provider=provider,
            config=config,
        )
    with pytest.raises(InvalidInputError, match="reason"):
        service.erase_report(
            db_session,
            reference=receipt.reference,
            actor=ADMIN,
            reason=" ",
            provider=provider,
            config=config,
        )
