"""Hand-written translations of the public pages, one module per language.

Each module holds `MESSAGES`, a dict from the English msgid to its translation (a tuple with
one string per plural form for plural messages). `fill.py` writes them into the gettext
catalogues under src/safeshare/locale and compiles them, so adding a string is one dict entry.
"""
