"""Safe reporting: intake on every pathway, consent per purpose, Victims' Code rights.

Immigration status is never a required question; sensitive answers go to the vault.
"""
