"""Sealed fields: envelope encryption per subject, key providers, audited reads, shredding."""
