"""Imports of third-party-shaped CRM exports (tests/fixtures/thirdparty, written by hand, see its README).

Exact counts, idempotence, chunk-size independence, references by name, stages, warnings and odd files.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from abe.services import workspace_create
from accounts.imports import parsing
from accounts.imports.services import import_file
from accounts.models import Account, Opportunity

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
ACCOUNT_MAP = {
    "name": "account",
    "industry": "sector",
    "founded_year": "year_established",
    "annual_revenue": "revenue",
    "employees": "employees",
    "country": "office_location",
    "parent_name": "subsidiary_of",
}
OPPORTUNITY_MAP = {
    "external_id": "opportunity_id",
    "name": "product",
    "account_name": "account",
    "stage": "deal_stage",
    "created_date": "engage_date",
    "close_date": "close_date",
    "amount": "close_value",
}
MILLIONS = {"annual_revenue": "1000000"}


def _accounts(ws, name="accounts.csv", **kwargs):
    data = (FIXTURES / name).read_bytes()
    return import_file(workspace=ws, kind="accounts", data=data, mapping=ACCOUNT_MAP, scales=MILLIONS, **kwargs)[0]


def _opportunities(ws, name="opportunities.csv", **kwargs):
    data = (FIXTURES / name).read_bytes()
    return import_file(workspace=ws, kind="opportunities", data=data, mapping=OPPORTUNITY_MAP, **kwargs)[0]


def _snapshot(ws):
    accounts = sorted(
        Account.objects.for_workspace(ws).values_list(
            "name", "industry", "founded_year", "annual_revenue", "employees", "country", "parent__name"
        )
    )
    opportunities = sorted(
        Opportunity.objects.for_workspace(ws).values_list(
            "external_id", "account__name", "name", "status", "stage", "created_date", "close_date", "amount"
        )
    )
    return accounts, opportunities


def test_name_only_accounts_import_with_exact_counts_and_twice_without_duplicates(workspace):
    first = _accounts(workspace)
    second = _accounts(workspace)

    assert first.summary() == {"created": 17, "updated": 0, "unchanged": 1, "rejected": 0, "warned": 4, "duplicates": 1}
    assert first.rows == 18
    assert [(w["line"], w["reason"]) for w in first.warnings] == [
        (9, "No parent account “Genco Pharmaceuticals”: parent left blank"),
        (13, "Unknown country “Atlantis”: left blank"),
        (16, "Duplicate of line 15: counted once"),
        (18, "Employees “n/a” is not a number: left blank"),
    ]
    assert second.summary() == {
        "created": 0,
        "updated": 0,
        "unchanged": 18,
        "rejected": 0,
        "warned": 4,
        "duplicates": 1,
    }
    accounts = Account.objects.for_workspace(workspace)
    assert accounts.count() == 17
    acme = accounts.get(name="Acme Corporation")
    assert (acme.annual_revenue, acme.employees, acme.founded_year) == (Decimal("1100040000.00"), 2822, 1996)
    countries = dict(accounts.values_list("name", "country"))
    assert (countries["Codehow"], countries["Conecon"], countries["Dalttechnology"]) == ("PH", "JO", "PA")
    assert (countries["Bubba Gump"], countries["Hottechi"], countries["Isdom"]) == ("KR", "BR", "")
    parents = dict(accounts.filter(parent__isnull=False).values_list("name", "parent__name"))
    assert parents == {"Codehow": "Acme Corporation", "Zumgoity": "Acme Corporation", "Dalttechnology": "Golddex"}


def test_opportunities_reference_accounts_by_name_and_distinct_ids_are_never_merged(workspace):
    _accounts(workspace)

    first = _opportunities(workspace)
    second = _opportunities(workspace)

    assert first.summary() == {"created": 13, "updated": 0, "unchanged": 1, "rejected": 4, "warned": 1, "duplicates": 1}
    assert first.rows == 18
    assert [(e["line"], e["reason"]) for e in first.errors] == [
        (7, "No account named “Ron-tech”"),
        (10, "No account for this opportunity: give the account's CRM id, domain or name"),
        (11, "No account for this opportunity: give the account's CRM id, domain or name"),
        (15, "No account for this opportunity: give the account's CRM id, domain or name"),
    ]
    assert second.summary() == {
        "created": 0,
        "updated": 0,
        "unchanged": 14,
        "rejected": 4,
        "warned": 1,
        "duplicates": 1,
    }
    opps = Opportunity.objects.for_workspace(workspace)
    statuses = {s: opps.filter(status=s).count() for s in ("won", "lost", "open")}
    assert statuses == {"won": 7, "lost": 3, "open": 3}
    # Same account, same product, same engage date, different ids: two deals, the won one stays won.
    cancity = opps.filter(account__name="Cancity", name="GTX Plus Basic").order_by("external_id")
    assert [(o.external_id, o.status) for o in cancity] == [("1C1I7A6R", "won"), ("UP409DSB", "open")]
    assert opps.get(external_id="0AQV6D9A").amount == Decimal("3393.00")


def test_the_result_does_not_depend_on_the_chunk_size(workspace, admin_user):
    snapshots = []
    for size in (1, 7, 5000):
        ws = workspace_create(name=f"Chunk {size}", owner=admin_user)
        a = _accounts(ws, chunk_size=size)
        o = _opportunities(ws, chunk_size=size)
        snapshots.append((a.summary(), o.summary(), a.problems, o.problems, _snapshot(ws)))

    assert snapshots[0] == snapshots[1] == snapshots[2]
    assert len(snapshots[0][4][0]) == 17 and len(snapshots[0][4][1]) == 13


def test_cr_only_line_endings_read_like_lf(workspace, admin_user):
    _accounts(workspace)
    _opportunities(workspace)
    other = workspace_create(name="CR endings", owner=admin_user)

    accounts = _accounts(other, "accounts_cr.csv")
    opportunities = _opportunities(other, "opportunities_cr.csv")

    assert (accounts.created, opportunities.created, opportunities.rejected) == (17, 13, 4)
    assert _snapshot(other) == _snapshot(workspace)


def test_european_excel_file_semicolons_decimal_commas_and_windows_1252(workspace):
    result = _accounts(workspace, "accounts_eu_cp1252.csv")

    assert result.summary()["created"] == 4 and result.rejected == 0
    rows = {a.name: a for a in Account.objects.for_workspace(workspace)}
    assert set(rows) == {"Müller Maschinenbau", "Société Générale Tech", "São Paulo Comércio Ltda", "Café; Bar & Co"}
    assert rows["Müller Maschinenbau"].annual_revenue == Decimal("1234560000.00")
    assert rows["Société Générale Tech"].annual_revenue == Decimal("12500000.00")
    assert rows["Café; Bar & Co"].employees == 1200 and rows["Café; Bar & Co"].country == "ES"
    assert rows["São Paulo Comércio Ltda"].parent == rows["Müller Maschinenbau"]
    assert (rows["Müller Maschinenbau"].country, rows["Société Générale Tech"].country) == ("DE", "FR")


def test_utf8_bom_tab_delimited_with_a_quoted_newline(workspace):
    data = (FIXTURES / "accounts_bom_tab.csv").read_bytes()
    mapping = {"name": "account", "industry": "sector", "annual_revenue": "revenue", "country": "office_location"}

    result, _ = import_file(workspace=workspace, kind="accounts", data=data, mapping=mapping)

    assert result.created == 2 and result.rejected == 0
    assert dict(Account.objects.for_workspace(workspace).values_list("name", "country")) == {
        "Tabbed Ltd": "PT",
        "Quoted\nNewline Inc": "PE",
    }


@pytest.mark.parametrize(
    "name, message",
    [
        ("binary.csv", "This file is not a CSV: it looks like a PNG image."),
        ("empty.csv", "The file is empty."),
        ("header_only.csv", "The file has a header row but no data rows."),
    ],
)
def test_unreadable_files_are_a_clear_validation_error(workspace, name, message):
    with pytest.raises(ValidationError) as exc:
        import_file(workspace=workspace, kind="accounts", data=(FIXTURES / name).read_bytes(), mapping=ACCOUNT_MAP)

    assert exc.value.message_dict == {"file": [message]}


def test_nul_bytes_never_fail_the_other_rows(workspace):
    data = b"name,industry\nGood\x00 One,Soft\x00ware\nOther,Retail\n"

    result, _ = import_file(workspace=workspace, kind="accounts", data=data)

    assert result.created == 2
    assert dict(Account.objects.for_workspace(workspace).values_list("name", "industry")) == {
        "Good One": "Software",
        "Other": "Retail",
    }


def test_a_name_matching_several_accounts_rejects_the_row_naming_them(workspace):
    import_file(workspace=workspace, kind="accounts", data=b"external_id,name\nA1,Initech\nA2,Initech\n")

    result, _ = import_file(workspace=workspace, kind="accounts", data=b"name,industry\nINITECH,Software\n")

    assert result.errors == [{"line": 2, "reason": "The name “INITECH” matches 2 accounts: Initech (A1), Initech (A2)"}]


def test_name_matching_attaches_a_crm_id_to_a_name_only_account_but_never_merges_two_ids(workspace):
    import_file(workspace=workspace, kind="accounts", data=b"name\nGlobex Corp.\n")

    first, _ = import_file(workspace=workspace, kind="accounts", data=b"external_id,name\nG1,globex corp\n")
    second, _ = import_file(workspace=workspace, kind="accounts", data=b"external_id,name\nG2,Globex Corp\n")

    assert (first.updated, second.created) == (1, 1)
    assert sorted(Account.objects.for_workspace(workspace).values_list("external_id", flat=True)) == ["G1", "G2"]


def test_stage_mapping_synonyms_and_explicit_choices(workspace):
    import_file(workspace=workspace, kind="accounts", data=b"name\nAcme\n")
    data = (
        b"id,deal,account,stage,closed\n1,D1,Acme,Ganado,2024-01-02\n2,D2,Acme,Perdida,2024-01-02\n"
        b"3,D3,Acme,Ganho,2024-01-02\n4,D4,Acme,Closed Lost,2024-01-02\n5,D5,Acme,Signed off,2024-01-02\n"
        b"6,D6,Acme,Prospecting,\n"
    )
    mapping = {"external_id": "id", "name": "deal", "account_name": "account", "stage": "stage", "close_date": "closed"}

    import_file(workspace=workspace, kind="opportunities", data=data, mapping=mapping, stage_map={"Signed off": "won"})

    statuses = dict(Opportunity.objects.for_workspace(workspace).values_list("external_id", "status"))
    assert statuses == {"1": "won", "2": "lost", "3": "won", "4": "lost", "5": "won", "6": "open"}


@pytest.mark.parametrize(
    "text, decimal_comma, expected",
    [
        ("1,234.56", False, 1234.56),
        ("1.234,56", False, 1234.56),
        ("1,5", False, 1.5),
        ("1,234", False, 1234),
        ("1,234", True, 1.234),
        ("1.200", True, 1200),
        ("1.234.567", False, 1234567),
        ("$ 8.48E10", False, 8.48e10),
        ("1 234,5 €", True, 1234.5),
    ],
)
def test_numbers_as_spreadsheets_write_them(text, decimal_comma, expected):
    assert parsing.number(text, "X", decimal_comma) == pytest.approx(expected)


def test_dates_and_created_after_close_are_kept_consistent(workspace):
    import_file(workspace=workspace, kind="accounts", data=b"name\nAcme\n")
    data = b"id,deal,account,created,closed,stage\n1,D1,Acme,2024-05-01,2024-03-01,Won\n"
    mapping = {
        "external_id": "id",
        "name": "deal",
        "account_name": "account",
        "created_date": "created",
        "close_date": "closed",
        "stage": "stage",
    }

    first, _ = import_file(workspace=workspace, kind="opportunities", data=data, mapping=mapping)
    second, _ = import_file(workspace=workspace, kind="opportunities", data=data, mapping=mapping)

    assert (first.created, second.unchanged) == (1, 1)
    opp = Opportunity.objects.for_workspace(workspace).get()
    assert (opp.created_date, opp.close_date) == (date(2024, 3, 1), date(2024, 3, 1))


def test_contacts_reference_their_account_by_name_and_accounts_their_parent_by_crm_id(workspace):
    import_file(
        workspace=workspace, kind="accounts", data=b"external_id,name,parent_external_id\nP1,Holding,\nS1,Sub,P1\n"
    )
    data = b"first_name,last_name,email,account_name\nAna,Ortega,ana@sub.example,sub\nBo,Li,bo@x.example,Nobody\n"

    result, _ = import_file(workspace=workspace, kind="contacts", data=data)

    assert (result.created, result.rejected) == (1, 1)
    assert result.errors == [{"line": 3, "reason": "No account named “Nobody”"}]
    sub = Account.objects.for_workspace(workspace).get(external_id="S1")
    assert sub.parent.external_id == "P1" and sub.contacts.get().email == "ana@sub.example"
