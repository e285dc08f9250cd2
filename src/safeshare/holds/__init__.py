"""Holds on a report's records: legal holds (retention keeps them) and restrictions of
processing (the Firewall refuses every new share). Below policy, so a decision can ask."""
