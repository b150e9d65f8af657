"""Browser journey: a third-party CRM export nobody here wrote. Upload the accounts (mapped by hand, revenue in
millions), then the opportunities (accounts by name), map the stages, read the report and download every
problem as CSV; a binary file gets a clear message."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account, Opportunity
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"


def _upload(page, kind: str, name: str) -> None:
    page.goto("/accounts/import/")
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", str(FIXTURES / name))
    page.click("text=Upload and preview")


def test_third_party_export_upload_map_stages_report_and_problems_download(
    page, screenshot, marketing_user, workspace, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.set_default_timeout(30_000)  # a loaded shared machine; nothing here should take this long
    login(page, "marketing1")

    _upload(page, "accounts", "binary.csv")
    expect(page.locator("#upload")).to_contain_text("This file is not a CSV: it looks like a PNG image.")
    screenshot("import-binary-file")

    _upload(page, "accounts", "accounts.csv")
    expect(page.locator("#preview")).to_contain_text("Acme Corporation")
    for field, column in [
        ("name", "account"),
        ("industry", "sector"),
        ("founded_year", "year_established"),
        ("annual_revenue", "revenue"),
        ("employees", "employees"),
        ("country", "office_location"),
        ("parent_name", "subsidiary_of"),
    ]:
        page.select_option(f"#map_{field}", column)
    page.select_option("#scale_annual_revenue", "1000000")
    page.click("#confirm-import")
    expect(page.locator("#count-created")).to_have_text("17")
    expect(page.locator("#import-arithmetic")).to_contain_text(
        "17 created + 0 updated + 1 unchanged + 0 rejected = 18 rows"
    )
    screenshot("import-accounts-report")

    _upload(page, "opportunities", "opportunities.csv")
    for field, column in [
        ("external_id", "opportunity_id"),
        ("name", "product"),
        ("account_name", "account"),
        ("stage", "deal_stage"),
        ("created_date", "engage_date"),
        ("close_date", "close_date"),
        ("amount", "close_value"),
    ]:
        page.select_option(f"#map_{field}", column)
    page.click("#show-stages")
    stages = page.locator("#stage-mapping")
    expect(stages).to_contain_text("Engaging")
    expect(stages).to_contain_text("Prospecting")
    expect(page.locator("#map_account_name")).to_have_value("account")
    expect(page.get_by_label("Status of Won")).to_have_value("won")
    expect(page.get_by_label("Status of Lost")).to_have_value("lost")
    expect(page.get_by_label("Status of Engaging")).to_have_value("open")
    expect(page.get_by_label("Status of Prospecting")).to_have_value("open")
    screenshot("import-stage-mapping")
    page.click("#confirm-import")
    expect(page.locator("#count-created")).to_have_text("13")
    expect(page.locator("#count-rejected")).to_have_text("4")
    expect(page.locator("#import-errors")).to_contain_text("No account named “Ron-tech”")
    screenshot("import-opportunities-report")

    with page.expect_download() as info:
        page.click("#download-problems")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("line,problem,reason,opportunity_id,sales_agent,product,account")
    assert len(lines) == 1 + 5 and "7,rejected,No account named “Ron-tech”,ZNBS69V1" in text
    assert Opportunity.objects.filter(workspace=workspace, status="won").count() == 7
    assert Account.objects.filter(workspace=workspace, lifecycle="customer").count() == 6
