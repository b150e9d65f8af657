"""Pipedrive exports (organisations, people, deals): recognised from their "Entity - Field" headers and imported
whole, people and deals linked to their organisation by its name. The files are shaped like Pipedrive's, written
by hand (tests/fixtures/thirdparty/README.md)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.imports.presets import PRESETS, preset_detect, preset_mapping
from accounts.imports.services import import_file
from accounts.models import Account, Contact, Opportunity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"


def _import(workspace, kind, name):
    return import_file(workspace=workspace, kind=kind, data=(FIXTURES / name).read_bytes())


def _header(name):
    return [cell.strip('"') for cell in (FIXTURES / name).read_text(encoding="utf-8").splitlines()[0].split('","')]


@pytest.mark.parametrize(
    "kind, name, expected",
    [
        (
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
    ],
)
def test_pipedrive_exports_are_recognised_from_their_headers(kind, name, expected):
    header = _header(name)

    detected = preset_detect(kind, header)

    assert detected is not None and detected.name == "pipedrive"
    assert preset_mapping(detected, kind, header).items() >= expected.items()


def test_a_deals_export_without_closed_on_takes_the_expected_close_date():
    header = ["Deal - ID", "Deal - Title", "Deal - Organization", "Deal - Expected close date", "Deal - Won time"]

    assert preset_mapping(PRESETS["pipedrive"], "opportunities", header)["close_date"] == "Deal - Expected close date"


def test_other_presets_headers_are_not_taken_for_pipedrive():
    assert preset_detect("accounts", ["Record ID", "Company name", "Company Domain Name"]).name == "hubspot"
    assert preset_detect("accounts", ["Account ID", "Account Name", "Website"]).name == "salesforce_report"


def test_a_pipedrive_workspace_imports_organisations_people_and_deals(workspace):
    accounts, preset = _import(workspace, "accounts", "pipedrive_organizations.csv")

    assert preset == "pipedrive"
    assert accounts.summary()["created"] == 4 and accounts.rejected == 0
    nordwind = Account.objects.for_workspace(workspace).get(external_id="101")
    assert (nordwind.name, nordwind.domain, nordwind.country, nordwind.city) == (
        "Nordwind Logistik GmbH",
        "nordwind-logistik.de",
        "DE",
        "Hamburg",
    )
    assert (nordwind.employees, nordwind.annual_revenue) == (450, Decimal("82000000"))
    brisa = Account.objects.for_workspace(workspace).get(external_id="102")
    assert (brisa.domain, brisa.country, brisa.employees) == ("brisatelecom.pt", "PT", 1200)
    carpatica = Account.objects.for_workspace(workspace).get(external_id="103")
    assert (carpatica.domain, carpatica.country, carpatica.region) == ("carpatica.ro", "RO", "Cluj")

    people, preset = _import(workspace, "contacts", "pipedrive_people.csv")

    assert preset == "pipedrive"
    # The person without an organisation has no account to belong to: rejected with its reason, the rest in.
    assert (people.created, people.rejected) == (4, 1)
    assert [problem["line"] for problem in people.errors] == [6]
    contacts = {c.external_id: c for c in Contact.objects.for_workspace(workspace).select_related("account")}
    assert contacts["501"].account == nordwind and contacts["501"].email == "jana.becker@nordwind-logistik.de"
    assert (contacts["501"].first_name, contacts["501"].last_name, contacts["501"].title) == (
        "Jana",
        "Becker",
        "Head of Operations",
    )
    # No work email: the next email column of the preset (Home) is not read, one column per field.
    assert contacts["502"].account == nordwind and contacts["502"].email == ""
    # Two work addresses in one cell: the first.
    assert contacts["503"].account == brisa and contacts["503"].email == "ines.costa@brisatelecom.pt"

    deals, preset = _import(workspace, "opportunities", "pipedrive_deals.csv")

    assert preset == "pipedrive"
    # Ghost Corp is not an organisation of the workspace: rejected; the two deals sharing a title are two deals.
    assert (deals.created, deals.rejected) == (4, 1)
    opportunities = {o.external_id: o for o in Opportunity.objects.for_workspace(workspace)}
    assert set(opportunities) == {"9001", "9002", "9003", "9004"}
    assert {k: o.status for k, o in opportunities.items()} == {
        "9001": "open",
        "9002": "won",
        "9003": "lost",
        "9004": "open",
    }
    won = opportunities["9002"]
    assert (won.account_id, won.amount, won.created_date, won.close_date) == (
        brisa.pk,
        Decimal("120000"),
        date(2026, 2, 10),
        date(2026, 7, 14),
    )
    assert opportunities["9001"].account_id == opportunities["9004"].account_id == nordwind.pk

    again, _ = _import(workspace, "opportunities", "pipedrive_deals.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("Ines.Costa@Brisa.pt", "ines.costa@brisa.pt"),
        ("a@x.com, b@y.com", "a@x.com"),
        ("a@x.com;b@y.com", "a@x.com"),
        (" a@x.com ; b@y.com ;", "a@x.com"),
        ("", ""),
    ],
)
def test_an_email_cell_gives_one_address(cell, expected):
    from accounts.imports.parsing import email

    assert email(cell) == expected


@pytest.mark.parametrize("cell", ["a@x.com, not an email", "a@x.com, b", "not-an-email", ",", "a@x.com b@y.com"])
def test_an_email_cell_that_is_not_a_list_of_addresses_is_refused(cell):
    from accounts.imports.parsing import CellError, email

    with pytest.raises(CellError):
        email(cell)
