"""What retention keeps and does: the record types, the actions, and when each record's
clock starts."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class RecordType(StrEnum):
    report = "report"
    sealed_field = "sealed_field"
    draft = "draft"
    decision = "decision"
    referral = "referral"
    consent_record = "consent_record"
    user_account = "user_account"
    ledger_reference = "ledger_reference"
    feedback = "feedback"


class RetentionAction(StrEnum):
    review = "review"
    delete = "delete"
    crypto_shred = "crypto_shred"


# When each record's retention clock starts (documented in docs/retention.md).
AGE_FROM: Mapping[RecordType, str] = {
    RecordType.report: "when it was reported",
    RecordType.sealed_field: "when its report was reported",
    RecordType.draft: "when it was last saved",
    RecordType.decision: "when it was made",
    RecordType.referral: "when it was closed",
    RecordType.consent_record: "when the consent was withdrawn",
    RecordType.user_account: "when it was last used (or created, if never used)",
    RecordType.ledger_reference: "when the entry was appended",
    RecordType.feedback: "the day it was given",
}
