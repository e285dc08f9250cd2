"""SafeShare: safe reporting, a sharing firewall and a tamper-evident ledger for migrant victims."""

__version__ = "0.1.0"
