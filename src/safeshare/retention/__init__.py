"""Retention schedule, legal holds and the retention run (DPA 2018 s.39: kept no longer than
necessary)."""
