"""CRM workspaces' exports imported whole, each kind after the one it links to (accounts, then their people, then
their deals), as a customer moving from that CRM does (which preset reads each file:
tests/accounts/test_import_presets.py). The files are shaped like each CRM's exports, written by hand
(tests/fixtures/thirdparty/README.md).

- Pipedrive links a person or a deal to its organisation by the organisation's name;
- Zoho CRM by the account's Zoho id (``Account Name.id``);
- Salesforce links an account to its parent by id (Data Loader's ``PARENTID``, a report's ``Parent Account ID``) or,
  in a report, by name (``Parent Account``).
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from accounts.imports.services import import_file
from accounts.models import Account, Contact, Opportunity
from tests.factories import MembershipFactory, UserFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"


def _import(workspace, kind, name):
    return import_file(workspace=workspace, kind=kind, data=(FIXTURES / name).read_bytes())


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
    # No work email: the home one, the preset's other email column.
    assert contacts["502"].account == nordwind and contacts["502"].email == "lukas.wolf@example.org"
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
    # The open deals have no "Closed on": they keep their expected close date.
    closes = (opportunities["9001"].close_date, opportunities["9004"].close_date)
    assert closes == (date(2027, 1, 31), date(2027, 3, 31))
    assert opportunities["9003"].close_date == date(2026, 9, 3)

    again, _ = _import(workspace, "opportunities", "pipedrive_deals.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


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
    assert (contacts.created, contacts.rejected) == (3, 2)
    reasons = {problem["line"]: problem["reason"] for problem in contacts.errors}
    assert set(reasons) == {3, 5} and "4876876000999999" in reasons[5]
    people = {c.external_id: c for c in Contact.objects.for_workspace(workspace)}
    assert (people["4876876000000212"].account_id, people["4876876000000212"].do_not_contact) == (ridge.pk, False)
    assert (people["4876876000000214"].account_id, people["4876876000000214"].do_not_contact) == (hansen.pk, True)
    # Kari's Email is empty: her Secondary Email, the preset's other email column.
    assert (people["4876876000000216"].account_id, people["4876876000000216"].email) == (
        hansen.pk,
        "kari.berg@hansenberg.no",
    )

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


def test_a_salesforce_data_loader_export_keeps_its_account_hierarchy(workspace):
    """Data Loader's ``PARENTID`` names the parent by its Salesforce id: the real export's header, with three
    accounts where a subsidiary comes before its parent in the file."""
    real = (FIXTURES.parent / "salesforce" / "accountData.csv").read_bytes().decode("cp1252").splitlines()
    header = real[0].split(",")
    rows = []
    for account_id, name, parent in [
        ("001x00000SUB1AAA", "Globex Iberia", "001x00000PARNTAA"),
        ("001x00000PARNTAA", "Globex Holdings", ""),
        ("001x00000SUB2AAA", "Globex Nordics", "001x00000PARNTAA"),
    ]:
        cells = dict.fromkeys(header, '""')
        cells.update({'"ID"': f'"{account_id}"', '"NAME"': f'"{name}"', '"PARENTID"': f'"{parent}"'})
        rows.append(",".join(cells[h] for h in header))
    data = ("\n".join([real[0], *rows]) + "\n").encode()

    result, preset = import_file(workspace=workspace, kind="accounts", data=data)

    assert preset == "salesforce_dataloader" and (result.created, result.rejected, result.warnings) == (3, 0, [])
    by_id = {a.external_id: a for a in Account.objects.for_workspace(workspace)}
    holdings = by_id["001x00000PARNTAA"]
    assert by_id["001x00000SUB1AAA"].parent_id == by_id["001x00000SUB2AAA"].parent_id == holdings.pk
    assert holdings.parent_id is None


def test_a_salesforce_report_links_an_account_to_its_parent_by_name_or_id(workspace):
    header = "Account ID,Account Name,Website,Parent Account,Parent Account ID"
    lines = [
        "001A,Initech Group,initech.example,,",
        "001B,Initech Labs,labs.initech.example,Initech Group,",
        "001C,Initech Cloud,cloud.initech.example,,001A",
    ]
    data = ("\n".join([header, *lines]) + "\n").encode()

    result, preset = import_file(workspace=workspace, kind="accounts", data=data)

    assert preset == "salesforce_report" and (result.created, result.rejected) == (3, 0)
    by_id = {a.external_id: a for a in Account.objects.for_workspace(workspace)}
    assert by_id["001B"].parent_id == by_id["001C"].parent_id == by_id["001A"].pk


def test_salesforce_reports_with_their_default_columns_link_contacts_and_deals_by_account_name(workspace):
    """Salesforce's report types show the account's name, not its id, unless the user adds the column: a contacts
    or opportunities report with the default columns links each line to the account of that name."""
    accounts = (
        "Account ID,Account Name,Website\n001A,Initech Group,initech.example\n001B,Umbrella Corp,umbrella.example\n"
    )
    contacts = (
        "First Name,Last Name,Title,Account Name,Email\n"
        "Peter,Gibbons,Engineer,Initech Group,peter@initech.example\n"
        "Alice,Abernathy,CSO,Umbrella Corp,alice@gmail.example\n"
        "Bill,Lumbergh,VP,Initrode,bill@initech.example\n"
        "Nobody,Known,CEO,Initrode,nobody@nowhere.example\n"
    )
    deals = (
        "Opportunity Owner,Account Name,Opportunity Name,Stage,Fiscal Period,Amount,Probability (%),Age,"
        "Close Date,Created Date,Next Step,Lead Source,Type\n"
        'Ana Ruiz,Initech Group,Initech - TPS 2027,Closed Won,Q1-2027,"12,000.00",100,30,3/31/2027,1/15/2027,,Web,'
        "New Business\n"
        'Ana Ruiz,Umbrella Corp,Umbrella - Pilot,Prospecting,Q2-2027,"5,000.00",10,3,6/30/2027,2/1/2027,,Web,'
        "New Business\n"
        "Ana Ruiz,Ghost Inc,Ghost - Deal,Prospecting,Q2-2027,1.00,10,3,6/30/2027,2/1/2027,,Web,New Business\n"
    )
    import_file(workspace=workspace, kind="accounts", data=accounts.encode())

    people, preset = import_file(workspace=workspace, kind="contacts", data=contacts.encode())

    assert preset == "salesforce_report"
    # Bill's account name is unknown but his email's domain is an account's: that one, as without a name, and his
    # line says so. Nobody's is neither: rejected with the name it gave.
    assert (people.created, people.rejected) == (3, 1)
    assert [(e["line"], e["reason"]) for e in people.errors] == [(5, "No account named “Initrode”")]
    assert [(w["line"], w["reason"]) for w in people.warnings] == [
        (4, "No account named “Initrode”: linked by the email's domain, initech.example")
    ]
    by_email = {c.email: c.account.name for c in Contact.objects.for_workspace(workspace).select_related("account")}
    assert by_email == {
        "peter@initech.example": "Initech Group",
        "alice@gmail.example": "Umbrella Corp",
        "bill@initech.example": "Initech Group",
    }

    opportunities, preset = import_file(workspace=workspace, kind="opportunities", data=deals.encode())

    assert preset == "salesforce_report"
    assert (opportunities.created, opportunities.rejected) == (2, 1)
    assert "Ghost Inc" in opportunities.errors[0]["reason"]
    names = dict(Opportunity.objects.for_workspace(workspace).values_list("name", "account__name"))
    assert names == {"Initech - TPS 2027": "Initech Group", "Umbrella - Pilot": "Umbrella Corp"}

    again, _ = import_file(workspace=workspace, kind="opportunities", data=deals.encode())

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 1)


def test_a_hubspot_contacts_export_with_its_default_columns_links_each_contact_to_its_company(workspace):
    """HubSpot's contacts export names the company by ``Primary Associated Company ID`` and ``Associated Company``
    (the header below is the export's default columns)."""
    companies = "Record ID,Company name,Company Domain Name\n8001,Vandelay Industries,vandelay.example\n"
    contacts = (
        '"Record ID","First Name","Last Name","Email","Phone Number","Contact owner","Primary Associated Company ID",'
        '"Last Activity Date","Lead Status","Marketing contact status","Create Date","Associated Company"\n'
        '"101","Art","Vandelay","art@vandelay.example","","Ana Ruiz","8001","","NEW","Marketing contact",'
        '"2026-01-02 10:00","Vandelay Industries"\n'
        '"102","George","Costanza","george@gmail.example","","","","","","Non-marketing contact","2026-01-03 10:00",'
        '"Vandelay Industries"\n'
        '"103","Kel","Varnsen","kel@gmail.example","","","9999","","","","2026-01-04 10:00","Kel Varnsen Co"\n'
    )
    import_file(workspace=workspace, kind="accounts", data=companies.encode())

    people, preset = import_file(workspace=workspace, kind="contacts", data=contacts.encode())

    assert preset == "hubspot"
    assert (people.created, people.rejected) == (2, 1)
    assert [(e["line"], e["reason"]) for e in people.errors] == [(4, "No account with CRM id 9999")]
    assert set(Contact.objects.for_workspace(workspace).values_list("email", "account__name")) == {
        ("art@vandelay.example", "Vandelay Industries"),
        ("george@gmail.example", "Vandelay Industries"),
    }


def test_a_dynamics_365_workspace_imports_accounts_contacts_and_opportunities(workspace):
    """Dynamics 365's "Export to Excel" saved as CSV (UTF-8 with its BOM, CRLF): the record id in the hidden
    "(Do Not Modify)" column, lookups by display name, date-times like "10/1/2026 9:15 AM"."""
    ana = UserFactory(username="aseller", first_name="Ana", last_name="Seller")
    MembershipFactory(user=ana, workspace=workspace, role="sales")

    accounts, preset = _import(workspace, "accounts", "dynamics_accounts.csv")

    assert preset == "dynamics"
    assert (accounts.created, accounts.rejected) == (4, 0)
    by_id = {a.external_id: a for a in Account.objects.for_workspace(workspace)}
    contoso = by_id["475b158c-541c-e511-80d3-3863bb347ba8"]
    nordic, iberia = by_id["4f5b158c-541c-e511-80d3-3863bb347ba8"], by_id["515b158c-541c-e511-80d3-3863bb347ba8"]
    assert (contoso.name, contoso.domain, contoso.country, contoso.region, contoso.city) == (
        "Contoso Ltd",
        "contoso.com",
        "US",
        "Washington",
        "Redmond",
    )
    assert (contoso.employees, contoso.annual_revenue, contoso.owner_id) == (1500, Decimal("250000000"), ana.pk)
    assert (iberia.annual_revenue, iberia.owner_id, nordic.parent_id, nordic.owner_id) == (
        Decimal("45000000"),
        None,  # Ben Closer is no member here: left blank, with the line's warning
        iberia.pk,  # named by the parent's name, further down the file
        ana.pk,
    )
    assert [w["line"] for w in accounts.warnings] == [4]

    people, preset = _import(workspace, "contacts", "dynamics_contacts.csv")

    assert preset == "dynamics"
    assert (people.created, people.rejected) == (3, 1)
    assert [(e["line"], e["reason"]) for e in people.errors] == [(5, "No account named “Litware, Inc.”")]
    emails = dict(Contact.objects.for_workspace(workspace).values_list("last_name", "email"))
    assert emails == {
        "McKay": "yvonne.mckay@contoso.com",
        "Alves": "pedro.alves@gmail.com",  # only Email Address 2
        "Berg": "lena.berg@fabrikam.se",
    }

    deals, preset = _import(workspace, "opportunities", "dynamics_opportunities.csv")

    assert preset == "dynamics"
    assert (deals.created, deals.rejected) == (3, 1)
    opportunities = {o.external_id[:4]: o for o in Opportunity.objects.for_workspace(workspace)}
    assert {k: (o.account_id, o.status) for k, o in opportunities.items()} == {
        "c15d": (contoso.pk, "open"),
        "c35d": (contoso.pk, "won"),
        "c55d": (iberia.pk, "lost"),
    }
    won = opportunities["c35d"]
    assert (won.name, won.amount, won.created_date, won.close_date) == (
        "Renewal 2026",
        Decimal("120000"),
        date(2026, 1, 10),
        date(2026, 6, 12),
    )
    # The open deal has no actual close date: it keeps its estimated one.
    open_deal = opportunities["c15d"]
    assert (open_deal.created_date, open_deal.close_date) == (date(2026, 10, 1), date(2027, 3, 31))
    assert opportunities["c55d"].close_date == date(2026, 5, 20)

    again, _ = _import(workspace, "opportunities", "dynamics_opportunities.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_an_expected_close_date_fills_only_an_open_deals_empty_close_date(workspace):
    """A closed deal without its close date is not given the day it was expected to close: analytics would count
    the win in the wrong period. An open deal with a close date keeps it."""
    Account.objects.create(workspace=workspace, name="Nordwind", domain="nordwind.de", external_id="101")
    data = (
        b"Deal - ID,Deal - Title,Deal - Organization ID,Deal - Status,Deal - Expected close date,Deal - Closed on\n"
        b"1,Open,101,Open,2027-01-31,\n"
        b"2,Won undated,101,Won,2026-06-30,\n"
        b"3,Open dated,101,Open,2027-02-28,2026-12-01\n"
        b"4,Open bad,101,Open,someday,\n"
    )

    result, preset = import_file(workspace=workspace, kind="opportunities", data=data)

    assert preset == "pipedrive"
    assert (result.created, result.rejected) == (4, 0)
    closes = dict(Opportunity.objects.for_workspace(workspace).values_list("external_id", "close_date"))
    assert closes == {"1": date(2027, 1, 31), "2": None, "3": date(2026, 12, 1), "4": None}
    assert [w["line"] for w in result.warnings] == [5]


def test_a_won_deal_takes_what_it_was_won_for_where_the_view_has_both_revenues(workspace):
    """Dynamics 365's Est. Revenue is the estimate; a won deal's Actual Revenue is what it was won for (the key
    accounts' revenue counts it). Open and lost deals keep their estimate (a lost deal's actual revenue is 0)."""
    Account.objects.create(workspace=workspace, name="Contoso Ltd", domain="contoso.com")
    data = (
        b"(Do Not Modify) Opportunity,Topic,Potential Customer,Status,Est. Revenue,Actual Revenue,Actual Close Date\n"
        b'o-1,Open deal,Contoso Ltd,Open,"$60,000.00",,\n'
        b'o-2,Won deal,Contoso Ltd,Won,"$120,000.00","$110,500.00",6/12/2026\n'
        b'o-3,Lost deal,Contoso Ltd,Lost,"$35,000.00",$0.00,5/20/2026\n'
    )

    result, preset = import_file(workspace=workspace, kind="opportunities", data=data)

    assert preset == "dynamics" and (result.created, result.rejected) == (3, 0)
    amounts = dict(Opportunity.objects.for_workspace(workspace).values_list("external_id", "amount"))
    assert amounts == {"o-1": Decimal("60000"), "o-2": Decimal("110500"), "o-3": Decimal("35000")}
