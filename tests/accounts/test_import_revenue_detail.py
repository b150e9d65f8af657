"""Opportunity imports carry the revenue detail of key accounts: product, type, gross margin (amount or %), contract
start and end, read from the column names CRMs export them under, with a per-row report for bad values.

Fixtures (tests/fixtures/thirdparty, see its README): a Salesforce "Opportunities with Products" report export (US
dates, thousands commas) and a European HubSpot deals export (``;``, decimal commas, dd.mm.yyyy dates).
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.imports.presets import preset_detect, preset_mapping
from accounts.imports.services import import_file
from accounts.models import Opportunity, Product
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
SF_REPORT = FIXTURES / "opportunities_products_sfreport.csv"
HUBSPOT_EU = FIXTURES / "opportunities_products_hubspot_eu.csv"


@pytest.fixture
def catalogue(workspace):
    for name in ("Analytics Suite", "Data Connectors", "Training Pack", "Platform Enterprise"):
        Product.objects.create(workspace=workspace, name=name)
    return {p.name: p for p in Product.objects.for_workspace(workspace)}


@pytest.fixture
def crm_accounts(workspace):
    return {
        "northwind": AccountFactory(workspace=workspace, name="Northwind Traders", external_id="0015g00000ABCD1AAA"),
        "contoso": AccountFactory(workspace=workspace, name="Contoso Ltd", external_id="0015g00000ABCD2AAA"),
        "fabrikam": AccountFactory(workspace=workspace, name="Fabrikam", domain="fabrikam.example"),
    }


def _row(workspace, external_id):
    return (
        Opportunity.objects.for_workspace(workspace)
        .filter(external_id=external_id)
        .values_list("product__name", "type", "gross_margin", "gross_margin_pct", "contract_start", "contract_end")
        .get()
    )


def test_the_salesforce_report_columns_are_recognised():
    headers = SF_REPORT.read_text().splitlines()[0].replace('"', "").split(",")

    preset = preset_detect("opportunities", headers)

    assert preset is not None and preset.name == "salesforce_report"
    assert (
        preset_mapping(preset, "opportunities", headers).items()
        >= {
            "product": "Product Name",
            "type": "Type",
            "gross_margin": "Gross Margin",
            "gross_margin_pct": "Gross Margin %",
            "contract_start": "Contract Start Date",
            "contract_end": "Contract End Date",
        }.items()
    )


def test_a_salesforce_report_imports_revenue_detail_and_reports_bad_rows_by_line(workspace, catalogue, crm_accounts):
    first, preset = import_file(workspace=workspace, kind="opportunities", data=SF_REPORT.read_bytes())
    second, _ = import_file(workspace=workspace, kind="opportunities", data=SF_REPORT.read_bytes())

    assert preset == "salesforce_report"
    assert first.summary() == {"created": 6, "updated": 0, "unchanged": 0, "rejected": 6, "warned": 1, "duplicates": 0}
    assert [(e["line"], e["reason"]) for e in first.errors] == [
        (8, "Gross margin % “135%” is not between -100% and 100%"),
        (9, "Gross margin “20%” is a percentage: map this column to Gross margin %"),
        (10, "Contract start “31/31/2026” is not a date (use YYYY-MM-DD)"),
        (11, "Contract end 2027-02-28 is before contract start 2027-03-01"),
        (12, "Gross margin “n/a” is not a number"),
        (13, "Gross margin 5000.00 is above the amount 1000.00"),
    ]
    assert [(w["line"], w["reason"]) for w in first.warnings] == [
        (7, "No product “Premium Support” in the catalogue: product left blank (add it, then re-import)")
    ]
    assert _row(workspace, "0065g00000XYZ01AAA") == (
        "Analytics Suite",
        "new_business",
        Decimal("48000.00"),
        None,
        date(2026, 4, 1),
        date(2027, 3, 31),
    )
    # the catalogue name matches whatever the case; "35%" is 35 per cent of the amount
    assert _row(workspace, "0065g00000XYZ02AAA") == (
        "Data Connectors",
        "up_sell",
        None,
        Decimal("35.00"),
        date(2026, 7, 1),
        date(2027, 3, 31),
    )
    assert _row(workspace, "0065g00000XYZ03AAA")[:2] == ("Analytics Suite", "renewal")
    assert _row(workspace, "0065g00000XYZ04AAA")[1:4] == ("cross_sell", None, Decimal("62.50"))
    assert _row(workspace, "0065g00000XYZ06AAA")[0] is None
    opportunity = Opportunity.objects.for_workspace(workspace).get(external_id="0065g00000XYZ02AAA")
    assert opportunity.margin_amount == Decimal("10500.00")
    # re-importing the same file changes nothing and creates no duplicate
    assert second.summary() == {"created": 0, "updated": 0, "unchanged": 6, "rejected": 6, "warned": 1, "duplicates": 0}
    assert Opportunity.objects.for_workspace(workspace).count() == 6


def test_a_re_import_updates_product_margin_and_contract(workspace, catalogue, crm_accounts):
    import_file(workspace=workspace, kind="opportunities", data=SF_REPORT.read_bytes())
    changed = (
        SF_REPORT.read_text()
        .replace('"data connectors","","35%","7/1/2026","3/31/2027"', '"Platform Enterprise","","41,5%","7/1/2026",""')
        .encode()
    )

    result, _ = import_file(workspace=workspace, kind="opportunities", data=changed)

    assert result.summary()["updated"] == 1
    # an empty cell leaves the stored contract end as it was (imports fill, never clear)
    assert _row(workspace, "0065g00000XYZ02AAA") == (
        "Platform Enterprise",
        "up_sell",
        None,
        Decimal("41.50"),
        date(2026, 7, 1),
        date(2027, 3, 31),
    )


def test_a_european_hubspot_export_reads_decimal_commas_percent_signs_and_day_first_dates(
    workspace, catalogue, crm_accounts
):
    result, preset = import_file(
        workspace=workspace,
        kind="opportunities",
        data=HUBSPOT_EU.read_bytes(),
        preset="hubspot",
        mapping={"account_domain": "Company Domain Name"},
    )

    assert preset == "hubspot"
    assert result.summary()["created"] == 3 and result.summary()["rejected"] == 2
    assert [(e["line"], e["reason"]) for e in result.errors] == [
        (4, "Gross margin % “viel” is not a number"),
        (5, "Contract end “2027-02-30” is not a date (use YYYY-MM-DD)"),
    ]
    assert _row(workspace, "HS-9001") == (
        "Analytics Suite",
        "new_business",
        Decimal("19400.00"),
        None,
        date(2026, 4, 1),
        date(2027, 3, 31),
    )
    assert _row(workspace, "HS-9002")[2:] == (None, Decimal("37.50"), date(2026, 3, 1), date(2027, 2, 28))
    assert Opportunity.objects.for_workspace(workspace).get(external_id="HS-9001").amount == Decimal("48500.00")
    assert _row(workspace, "HS-9005")[2] == Decimal("-2000.00")  # a loss-making deal
