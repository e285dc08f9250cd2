"""Support: the directory of specialist 'by and for' services, live refuge capacity, referrals
with outcomes, directory releases cascaded to officers, and per-service performance data.

Other features and the web layer use it through `safeshare.support.service` only. Wiring:
call `service.subscribe_to_events()` once at startup (victims' consent withdrawals then close
their referrals); mount `safeshare.support.cli.app` as `safeshare support`.
"""
