"""Tamper-evident ledger: an RFC 9162 Merkle log with C2SP signed checkpoints and proofs.

Kept import-free so `safeshare-verify` can load the pure modules without the database stack.
"""
