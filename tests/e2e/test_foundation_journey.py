"""Log in, filter the accounts list (htmx, no full reload), open an account, edit a field, see it saved."""

import pytest

from abe.models import Role
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_login_filter_open_edit(page, screenshot):
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    user = UserFactory(username="kam")
    MembershipFactory(user=user, workspace=workspace, role=Role.MARKETING)
    for i in range(30):
        AccountFactory(workspace=workspace, name=f"Retail Co {i:02d}", industry="Retail", country="GB")
    target = AccountFactory(workspace=workspace, name="Umbrella Software", industry="Software", employees=1200)
    ContactFactory(account=target, first_name="Alice", last_name="Wong", title="CMO", buying_role="decision_maker")

    login(page, "kam")
    page.goto("/accounts/")  # login lands on the home page; the journey starts from the list
    page.wait_for_selector("#account-table")
    screenshot("accounts-list")
    page.evaluate("window.__no_reload_marker = 1")

    page.select_option("#id_industry", "Software")
    page.wait_for_function("document.querySelectorAll('#account-table tbody tr').length === 1")
    assert page.evaluate("window.__no_reload_marker") == 1  # the list updated in place
    assert "industry=Software" in page.url
    page.fill("#id_q", "umbrella")
    page.wait_for_url("**q=umbrella**")

    page.click("text=Umbrella Software")
    page.wait_for_selector("#committee")
    assert page.is_visible("text=Alice Wong") and page.is_visible("text=Decision maker")
    screenshot("account-detail")

    page.click("a.btn:has-text('Edit')")
    page.fill("#id_city", "")
    page.fill("#id_name", "")
    page.click("button:has-text('Save')")
    assert page.is_visible(".field.has-error:has-text('This field is required')")
    screenshot("account-form-errors")

    page.fill("#id_name", "Umbrella Software")
    page.fill("#id_employees", "1500")
    page.fill("#id_city", "Leeds")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Account saved.")
    assert page.is_visible("dd:has-text('Leeds')") and page.is_visible("dd:has-text('1,500')")
    target.refresh_from_db()
    assert (target.city, target.employees) == ("Leeds", 1500)


def test_tablet_width_keeps_the_list_usable(page, screenshot):
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    MembershipFactory(user=UserFactory(username="kam"), workspace=workspace, role=Role.SALES)
    AccountFactory(workspace=workspace, name="Tablet Account")
    page.set_viewport_size({"width": 800, "height": 1000})

    login(page, "kam")
    page.goto("/accounts/")

    assert page.is_visible("text=Tablet Account")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot("accounts-list-tablet")
