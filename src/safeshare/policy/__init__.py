"""The firewall: Cedar regimes decide, per data category, what may be shared and why."""
