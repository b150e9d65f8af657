"""Browser journey (issue 11 item 5): the ICP is edited as a form. The weights keep a running total that must reach
100 before saving, or “Normalise to 100” rescales them and shows the resulting weights; criteria are added, moved
and removed; the JSON stays available as import/export; the receipt then shows the weights the editor showed."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from accounts.models import IcpVersion
from accounts.prospecting import services
from tests.factories import AccountFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ICP = [
    {
        "key": "industry",
        "label": "Industry",
        "weight": 60,
        "bands": [{"label": "Software", "points": 1, "when": {"industry": ["Software"]}}],
    },
    {
        "key": "size",
        "label": "Size",
        "weight": 40,
        "bands": [{"label": "Mid-size", "points": 1, "when": {"employees": {"min": 100, "max": 5000}}}],
    },
]


def test_weights_total_and_normalise(page, screenshot, admin_user, workspace):
    services.icp_save(workspace=workspace, criteria=ICP, by=admin_user, rescore=False)
    account = AccountFactory(workspace=workspace, name="Initech", industry="Software", employees=800)
    login(page, "admin1")
    page.goto("/accounts/icp/")

    total = page.locator("#icp-weight-total")
    expect(total).to_have_text("Total 100 of 100")
    expect(page.locator("#icp-save")).to_be_enabled()

    page.locator(".icp-weight").first.fill("95")  # 95 + 40
    expect(total).to_have_text("Total 135 of 100")
    expect(page.locator("#icp-save")).to_be_disabled()
    expect(page.locator("#icp-total-hint")).to_contain_text("Remove 35 points")

    page.click("#icp-add")
    expect(page.locator(".icp-criterion")).to_have_count(3)
    page.locator(".icp-criterion").nth(2).locator(".icp-label").fill("Region")
    page.locator(".icp-criterion").nth(2).locator(".icp-condition select").select_option("country")
    page.locator(".icp-criterion").nth(2).locator(".icp-values").fill("US, CA")
    page.locator(".icp-criterion").nth(2).locator(".icp-weight").fill("15")
    page.locator(".icp-criterion").nth(2).get_by_role("button", name="Move up").click()
    expect(page.locator(".icp-criterion").nth(1).locator(".icp-label")).to_have_value("Region")
    expect(total).to_have_text("Total 150 of 100")
    screenshot("icp-editor-total-1366")

    page.click("#icp-normalise-button")
    expect(total).to_have_text("Total 100 of 100")
    expect(page.locator("#icp-normalised")).to_have_text(
        "Weights normalised to 100: Industry 63.33, Region 10, Size 26.67."
    )
    weights = [float(w) for w in page.locator(".icp-weight").evaluate_all("els => els.map(e => e.value)")]
    assert weights == [63.33, 10, 26.67]
    exported = json.loads(page.locator("#id_criteria").input_value())  # the JSON export follows the form
    assert [(c["key"], c["weight"]) for c in exported] == [("industry", 63.33), ("region", 10), ("size", 26.67)]
    assert exported[1]["bands"][0]["when"] == {"country": ["US", "CA"]}
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("icp-editor-normalised-800")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.locator(".icp-criterion").nth(1).get_by_role("button", name="Remove criterion").click()
    page.click("#icp-normalise-button")
    page.fill("#id_note", "Region dropped")
    page.click("#icp-save")
    page.wait_for_url("**/accounts/icp/")
    version = IcpVersion.objects.get(is_active=True)
    assert [(c["key"], c["weight"]) for c in version.criteria] == [("industry", 70.37), ("size", 29.63)]

    services.prospecting_rescore(workspace=workspace)
    page.goto(f"/accounts/{account.pk}/")
    receipt = page.locator("#fit-panel")
    receipt.wait_for()
    rows = receipt.locator("tbody tr")
    assert rows.nth(0).locator("td").nth(3).inner_text() == "70.4"  # the editor's weight, as the receipt's max
    assert rows.nth(1).locator("td").nth(3).inner_text() == "29.6"


def test_importing_json_updates_the_form(page, admin_user, workspace):
    login(page, "admin1")
    page.goto("/accounts/icp/")
    page.click("details.icp-json summary")
    page.fill("#id_criteria", json.dumps(ICP))
    page.locator("#id_criteria").dispatch_event("input")
    expect(page.locator(".icp-criterion")).to_have_count(2)
    expect(page.locator("#icp-weight-total")).to_have_text("Total 100 of 100")


def test_the_editor_speaks_the_readers_language(page, screenshot, admin_user, workspace):
    """The words the editor writes beside its inputs (a criterion's weight, a band's share, a range's bounds, how
    technologies match) were English on a Spanish page; the stored keys (``min``, ``any``) stay as they are."""
    from abe.models import UserPreference

    UserPreference.objects.create(user=admin_user, language="es")
    tools = {
        "key": "stack",
        "label": "Stack",
        "weight": 10,
        "bands": [{"label": "Salesforce", "points": 1, "when": {"technologies": {"none": ["Salesforce"]}}}],
    }
    criteria = [{**ICP[0], "weight": 50}, ICP[1], tools]
    services.icp_save(workspace=workspace, criteria=criteria, by=admin_user, rescore=False)
    login(page, "admin1")
    page.goto("/accounts/icp/")

    editor = page.locator(".icp-criterion")
    expect(editor.first.locator(".muted").first).to_have_text("peso")
    size = editor.nth(1)
    expect(size.locator(".icp-min")).to_have_attribute("placeholder", "mín.")
    expect(size.locator(".icp-max")).to_have_attribute("aria-label", "Máximo")
    mode = editor.nth(2).get_by_role("combobox", name="Coincidencia")
    assert mode.locator("option").all_inner_texts() == ["alguna de", "todas", "ninguna de"]
    expect(mode).to_have_value("none")
    assert "weight" not in editor.first.inner_text() and "share" not in editor.first.inner_text()
    screenshot("icp-editor-es-1366")
