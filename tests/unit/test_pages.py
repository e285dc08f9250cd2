"""The web kit's `Pages`: where its templates are found."""

from __future__ import annotations

from safeshare.web.pages import Pages


def test_a_feature_s_pages_are_in_its_folder() -> None:
    assert Pages("ledger", "ledger_flash").template("index.html") == "ledger/index.html"


def test_the_empty_folder_is_the_template_root() -> None:
    assert Pages("", "auth_flash").template("login.html") == "login.html"
