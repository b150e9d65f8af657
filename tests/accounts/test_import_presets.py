"""Which preset a CRM's file is read with: recognised from its header row (``preset_detect``), and the columns
each field then takes (``preset_mapping``). The files are shaped like each CRM's exports, written by hand
(tests/fixtures/thirdparty/README.md)."""

import csv
import io
from pathlib import Path

import pytest

from accounts.imports.presets import PRESETS, kind_detect, preset_detect, preset_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"


def _header(name):
    first_line = (FIXTURES / name).read_bytes().splitlines()[0].decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(first_line)))


@pytest.mark.parametrize(
    "preset, kind, name, expected",
    [
        (
            "pipedrive",
            "accounts",
            "pipedrive_organizations.csv",
            {
                "external_id": "Organization - ID",
                "name": "Organization - Name",
                "domain": "Organization - Website",
                "country": "Organization - Address - Country",
                "city": "Organization - Address - City/town/village/locality",
                "employees": "Organization - Number of employees",
            },
        ),
        (
            "pipedrive",
            "contacts",
            "pipedrive_people.csv",
            {
                "external_id": "Person - ID",
                "email": "Person - Email - Work",
                "title": "Person - Job title",
                "account_name": "Person - Organization",
            },
        ),
        (
            "pipedrive",
            "opportunities",
            "pipedrive_deals.csv",
            {
                "external_id": "Deal - ID",
                "name": "Deal - Title",
                "account_name": "Deal - Organization",
                "status": "Deal - Status",
                "created_date": "Deal - Deal created",
                "close_date": "Deal - Closed on",
            },
        ),
        (
            "zoho",
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
            "zoho",
            "contacts",
            "zoho_contacts.csv",
            {"external_id": "Record Id", "email": "Email", "account_external_id": "Account Name.id"},
        ),
        (
            "zoho",
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
        (
            "dynamics",
            "accounts",
            "dynamics_accounts.csv",
            {
                "external_id": "(Do Not Modify) Account",
                "name": "Account Name",
                "country": "Address 1: Country/Region",
                "city": "Address 1: City",
                "lifecycle": "Relationship Type",
                "owner": "Owner",
                "parent_name": "Parent Account",
            },
        ),
        (
            "dynamics",
            "contacts",
            "dynamics_contacts.csv",
            {
                "external_id": "(Do Not Modify) Contact",
                "full_name": "Full Name",
                "email": "Email",
                "other_email": "Email Address 2",
                "account_name": "Company Name",
            },
        ),
        (
            "dynamics",
            "opportunities",
            "dynamics_opportunities.csv",
            {
                "external_id": "(Do Not Modify) Opportunity",
                "name": "Topic",
                "account_name": "Potential Customer",
                "amount": "Est. Revenue",
                "status": "Status",
                "close_date": "Actual Close Date",
                "created_date": "Created On",
            },
        ),
    ],
)
def test_crm_exports_are_recognised_from_their_headers(preset, kind, name, expected):
    header = _header(name)

    detected = preset_detect(kind, header)

    assert detected is not None and detected.name == preset
    assert preset_mapping(detected, kind, header).items() >= expected.items()


def test_a_pipedrive_deals_export_without_closed_on_takes_the_expected_close_date():
    header = ["Deal - ID", "Deal - Title", "Deal - Organization", "Deal - Expected close date", "Deal - Won time"]

    assert preset_mapping(PRESETS["pipedrive"], "opportunities", header)["close_date"] == "Deal - Expected close date"


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
    "kind, header, preset, expected",
    [
        (
            "accounts",
            "Record ID,Company name,Company Domain Name,Country/Region,Number of Employees",
            "hubspot",
            {"external_id": "Record ID", "name": "Company name", "domain": "Company Domain Name"},
        ),
        ("accounts", "Record ID,Company name,Company Domain Name", "hubspot", {"external_id": "Record ID"}),
        (
            "accounts",
            "Record ID,Company name,Company Domain Name,Industry,City,Annual Revenue",
            "hubspot",
            {"name": "Company name", "city": "City"},
        ),
        (
            "accounts",
            "Account ID,Account Name,Website,Billing Country,Employees",
            "salesforce_report",
            {"external_id": "Account ID", "name": "Account Name", "country": "Billing Country"},
        ),
        ("accounts", "Account ID,Account Name,Website", "salesforce_report", {"external_id": "Account ID"}),
        (
            "accounts",
            "Account ID,Account Name,Website,Industry,Billing City,Employees",
            "salesforce_report",
            {"external_id": "Account ID", "city": "Billing City"},
        ),
        (
            "contacts",
            "Contact ID,First Name,Last Name,Email,Title,Account ID,Email Opt Out",
            "salesforce_report",
            {"external_id": "Contact ID", "account_external_id": "Account ID", "do_not_contact": "Email Opt Out"},
        ),
        (
            "opportunities",
            "Record ID,Deal Name,Deal Stage,Amount,Close Date,Associated Company ID",
            "hubspot",
            {"name": "Deal Name", "stage": "Deal Stage", "account_external_id": "Associated Company ID"},
        ),
        (
            "accounts",
            "ID,NAME,WEBSITE,INDUSTRY,BILLINGCOUNTRY",
            "salesforce_dataloader",
            {"external_id": "ID", "name": "NAME"},
        ),
        ("accounts", "external_id,name,domain", "abe", {"external_id": "external_id", "name": "name"}),
    ],
)
def test_presets_are_recognised_from_the_header_row(kind, header, preset, expected):
    """Salesforce (both formats), HubSpot and this portal's own CSV keep their presets beside Pipedrive and Zoho."""
    detected = preset_detect(kind, header.split(","))

    assert detected.name == preset
    assert preset_mapping(detected, kind, header.split(",")).items() >= expected.items()


@pytest.mark.parametrize(
    "kind, name",
    [
        ("accounts", "salesforce/accountData.csv"),
        ("opportunities", "salesforce/opportunityData.csv"),
        ("accounts", "thirdparty/accounts.csv"),
        ("opportunities", "thirdparty/opportunities.csv"),
        ("opportunities", "thirdparty/opportunities_products_sfreport.csv"),
        ("accounts", "thirdparty/pipedrive_organizations.csv"),
        ("contacts", "thirdparty/pipedrive_people.csv"),
        ("opportunities", "thirdparty/pipedrive_deals.csv"),
        ("accounts", "thirdparty/zoho_accounts.csv"),
        ("contacts", "thirdparty/zoho_contacts.csv"),
        ("opportunities", "thirdparty/zoho_deals.csv"),
        ("accounts", "thirdparty/dynamics_accounts.csv"),
        ("contacts", "thirdparty/dynamics_contacts.csv"),
        ("opportunities", "thirdparty/dynamics_opportunities.csv"),
    ],
)
def test_a_file_uploaded_as_what_it_holds_is_not_said_to_look_like_another_kind(kind, name):
    assert kind_detect(kind, _header(f"../{name}")) is None


@pytest.mark.parametrize(
    "kind, name, other",
    [
        ("accounts", "zoho_deals.csv", "opportunities"),
        ("contacts", "zoho_deals.csv", "opportunities"),
        ("accounts", "pipedrive_people.csv", "contacts"),
        ("opportunities", "zoho_accounts.csv", "accounts"),
        ("accounts", "dynamics_opportunities.csv", "opportunities"),
        ("accounts", "dynamics_contacts.csv", "contacts"),
    ],
)
def test_a_file_uploaded_as_another_kind_is_said_to_look_like_what_it_holds(kind, name, other):
    assert kind_detect(kind, _header(name)) == other


def test_a_column_two_fields_take_counts_once_in_the_presets_score():
    """``preset_detect`` counts the file's columns: a Pipedrive people file without a work address maps its home
    address to both ``email`` and ``other_email``, which must not weigh twice against another kind's presets."""
    from accounts.imports.presets import _preset_best

    header = ["Person - ID", "Person - Name", "Person - Email - Home"]
    mapping = preset_mapping(PRESETS["pipedrive"], "contacts", header)

    assert mapping["email"] == mapping["other_email"] == "Person - Email - Home"
    assert _preset_best("contacts", header) == (PRESETS["pipedrive"], 6.0)  # three columns, each an exact match
