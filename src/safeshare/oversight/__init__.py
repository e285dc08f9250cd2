"""Oversight: statistics with disclosure control, outcomes after a share, Victims' Code
compliance, cross-force comparison and the inspection recommendations tracker."""
