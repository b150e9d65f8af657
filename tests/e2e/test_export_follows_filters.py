"""Browser: a filter changed in place (htmx) on the accounts list and the tier board also changes what their export
links download. The links kept the query the page was served with, so after choosing a tier in place "Export
contacts" downloaded the contacts of every account."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.conftest import login
from tests.factories import AccountFactory, ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _download(page, selector: str) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.click(selector)
    text = open(info.value.path(), encoding="utf-8-sig").read()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("url", ["/accounts/", "/accounts/tiers/"])
def test_the_exports_follow_a_filter_changed_in_place(page, admin_user, workspace, url):
    strategic = AccountFactory(workspace=workspace, name="Initech", tier="strategic")
    standard = AccountFactory(workspace=workspace, name="Retail Co", tier="standard")
    ContactFactory(account=strategic, email="ana@initech.example")
    ContactFactory(account=standard, email="ben@retail.example")
    login(page, "admin1")

    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.select_option("#id_tier", "strategic")
    page.wait_for_url("**tier=strategic**")
    page.wait_for_load_state("networkidle")

    assert [r["email"] for r in _download(page, "#export-contacts")] == ["ana@initech.example"]
    assert [r["name"] for r in _download(page, "#export-csv")] == ["Initech"]
