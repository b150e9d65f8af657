"""Zoho CRM exports (accounts, contacts, deals): recognised from ``Record Id`` and the ``<lookup>.id`` columns, and
imported whole, contacts and deals linked to their account by its Zoho id. The files are shaped like Zoho's
module exports, written by hand (tests/fixtures/thirdparty/README.md)."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.imports.presets import preset_detect, preset_mapping
from accounts.imports.services import import_file
from accounts.models import Account, Contact, Opportunity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"


def _import(workspace, kind, name):
    return import_file(workspace=workspace, kind=kind, data=(FIXTURES / name).read_bytes())


def _header(name):
    return next(csv.reader(io.StringIO((FIXTURES / name).read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    "kind, name, expected",
    [
        (
            "accounts",
            "zoho_accounts.csv",
            {
                "external_id": "Record Id",
                "name": "Account Name",
                "domain": "Website",
                "country": "Billing Country",
                "parent_external_id": "Parent Account.id",
            },
        ),
        (
            "contacts",
            "zoho_contacts.csv",
            {"external_id": "Record Id", "email": "Email", "account_external_id": "Account Name.id"},
        ),
        (
            "opportunities",
            "zoho_deals.csv",
            {
                "external_id": "Record Id",
                "name": "Deal Name",
                "account_external_id": "Account Name.id",
                "close_date": "Closing Date",
                "created_date": "Created Time",
            },
        ),
    ],
)
def test_zoho_exports_are_recognised_from_their_headers(kind, name, expected):
    header = _header(name)

    detected = preset_detect(kind, header)

    assert detected is not None and detected.name == "zoho"
    assert preset_mapping(detected, kind, header).items() >= expected.items()


def test_a_zoho_accounts_export_without_its_parent_columns_is_still_zohos():
    """Salesforce's report labels name most of these columns too (Account Name, Website, Industry, Billing City);
    the Zoho id decides, however many candidates each preset lists."""
    header = [
        "Record Id",
        "Account Name",
        "Website",
        "Account Type",
        "Industry",
        "Employees",
        "Annual Revenue",
        "Billing City",
        "Billing State",
        "Billing Country",
    ]

    assert preset_detect("accounts", header).name == "zoho"


@pytest.mark.parametrize(
    "kind, header, preset",
    [
        ("accounts", "Account ID,Account Name,Website,Industry,Billing City,Employees", "salesforce_report"),
        ("contacts", "Contact ID,First Name,Last Name,Email,Title,Account ID,Email Opt Out", "salesforce_report"),
        ("accounts", "Record ID,Company name,Company Domain Name,Industry,City,Annual Revenue", "hubspot"),
        ("opportunities", "Record ID,Deal Name,Deal Stage,Amount,Close Date,Associated Company ID", "hubspot"),
        ("accounts", "ID,NAME,WEBSITE,INDUSTRY,BILLINGCOUNTRY", "salesforce_dataloader"),
    ],
)
def test_the_other_crms_files_keep_their_presets(kind, header, preset):
    assert preset_detect(kind, header.split(",")).name == preset


def test_a_zoho_workspace_imports_accounts_contacts_and_deals(workspace):
    accounts, preset = _import(workspace, "accounts", "zoho_accounts.csv")

    assert preset == "zoho"
    assert (accounts.created, accounts.rejected) == (3, 0)
    by_id = {a.external_id: a for a in Account.objects.for_workspace(workspace)}
    ridge, cedar, hansen = by_id["4876876000000111"], by_id["4876876000000112"], by_id["4876876000000113"]
    assert (ridge.name, ridge.domain, ridge.country, ridge.region, ridge.city) == (
        "Ridge Property Group",
        "ridgepg.com",
        "US",
        "OH",
        "Columbus",
    )
    assert cedar.parent_id == ridge.pk
    assert (hansen.name, hansen.domain, hansen.country, hansen.employees, hansen.annual_revenue) == (
        "Hansen & Berg AS",
        "hansenberg.no",
        "NO",
        2400,
        Decimal("950000000"),
    )

    contacts, preset = _import(workspace, "contacts", "zoho_contacts.csv")

    assert preset == "zoho"
    # Jo has no account; Ola names an account id the workspace does not hold: both rejected, with their reasons.
    assert (contacts.created, contacts.rejected) == (2, 2)
    reasons = {problem["line"]: problem["reason"] for problem in contacts.errors}
    assert set(reasons) == {3, 5} and "4876876000999999" in reasons[5]
    people = {c.external_id: c for c in Contact.objects.for_workspace(workspace)}
    assert (people["4876876000000212"].account_id, people["4876876000000212"].do_not_contact) == (ridge.pk, False)
    assert (people["4876876000000214"].account_id, people["4876876000000214"].do_not_contact) == (hansen.pk, True)

    deals, preset = _import(workspace, "opportunities", "zoho_deals.csv")

    assert preset == "zoho"
    # Two deals of one account share a name: two deals, told apart by their ids.
    assert (deals.created, deals.rejected) == (3, 0)
    opportunities = {o.external_id: o for o in Opportunity.objects.for_workspace(workspace)}
    won, second, lost = (opportunities[k] for k in ("4876876000000301", "4876876000000302", "4876876000000303"))
    assert (won.status, won.account_id, won.amount, won.created_date, won.close_date) == (
        "won",
        ridge.pk,
        Decimal("42000"),
        date(2025, 11, 3),
        date(2026, 3, 31),
    )
    assert (second.status, second.account_id, second.close_date) == ("open", ridge.pk, date(2027, 2, 15))
    assert (lost.status, lost.account_id) == ("lost", hansen.pk)

    again, _ = _import(workspace, "opportunities", "zoho_deals.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
