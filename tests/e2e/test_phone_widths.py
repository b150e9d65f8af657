"""Pages with tables inside cards fit a phone and a tablet: a table wider than its card scrolls inside it.

The account plan (stakeholders, objectives, risks, actions), the account page (committee, opportunities) and the
economics page (unit economics, spend) pushed the whole page sideways at 390 and at 800 px: their tables were not
in a scrolling box, and on phones the single-column grid let a card grow to its widest table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from abe.models import Role, UserPreference
from accounts.imports.services import import_job_create
from analytics.models import SpendEntry
from keyaccounts.models import AccountPlan, PlanRisk
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [390, 800])
def test_pages_with_tables_do_not_scroll_sideways(page, width):
    workspace = WorkspaceFactory(slug="wide")
    user = UserFactory(username="wide")
    MembershipFactory(user=user, workspace=workspace, role=Role.ADMIN)
    account = AccountFactory(workspace=workspace, name="Alpine Analytics Golden", tier="strategic", owner=user)
    for i in range(4):
        ContactFactory(
            account=account,
            first_name="Christopher",
            last_name=f"Montgomery-Wellington {i}",
            title="Chief Marketing and Communications Officer",
            email=f"christopher.montgomery-wellington{i}@alpineanalyticsgolden.example",
            buying_role="decision_maker",
        )
    plan = AccountPlan.objects.create(workspace=workspace, account=account, goals="Grow", owner=user)
    PlanRisk.objects.create(
        workspace=workspace, plan=plan, title="Champion may move to another role", mitigation="Build a second one"
    )
    SpendEntry.objects.create(
        workspace=workspace,
        period_start=dt.date.today() - dt.timedelta(days=30),
        period_end=dt.date.today(),
        category="events",
        amount=Decimal("873127"),
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "wide")
    for path in (f"/key-accounts/plans/{plan.pk}/", f"/accounts/{account.pk}/", "/analytics/economics/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at {width} px"


def test_my_day_alerts_fit_a_phone_without_scrolling_sideways(page):
    """The home's alerts had the time in a column of its own that did not wrap: at 390 px the table scrolled
    sideways inside its card and each title wrapped at two words a line. The time now sits under the title."""
    from activation.models import Alert, AlertRecipient

    workspace = WorkspaceFactory(slug="phone")
    user = UserFactory(username="seller")
    MembershipFactory(user=user, workspace=workspace, role=Role.SALES)
    account = AccountFactory(workspace=workspace, name="Falcon Pharma Falcon", tier="strategic", owner=user)
    for n in range(3):
        alert = Alert.objects.create(
            workspace=workspace,
            dedupe_key=f"phone{n}",
            severity="critical",
            title=f"Engagement at Falcon Pharma Falcon fell 7{n}% in 30 days",
            message="why",
            account=account,
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=17 + n),
        )
        AlertRecipient.objects.create(workspace=workspace, alert=alert, user=user)
    page.set_viewport_size({"width": 390, "height": 900})
    login(page, "seller")
    page.goto("/")
    page.wait_for_selector("#my-alerts")
    page.wait_for_load_state("networkidle")

    wrap = page.locator("#my-alerts").locator("xpath=ancestor::div[contains(@class, 'table-wrap')][1]")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing off to the right
    title = page.locator("#my-alerts a").first
    assert title.evaluate("el => el.getBoundingClientRect().width") > 180  # a title, not a column of words
    assert page.evaluate(OVERFLOW) <= 0


def test_the_import_owners_table_fits_a_phone_in_spanish(page):
    """The mapping page's owners table (each owner of the file and the member it names) scrolled sideways at 390 px
    in Spanish: its "ningún miembro: se deja en blanco" marks did not wrap. They now wrap inside their column."""
    workspace = WorkspaceFactory(slug="owners")
    user = UserFactory(username="importer", first_name="Ana", last_name="Ortega")
    MembershipFactory(user=user, workspace=workspace, role=Role.ADMIN)
    UserPreference.objects.create(user=user, language="es", time_zone="Europe/Madrid")
    data = b"Record ID,Company name,Company owner\n1,Orion,Ana Ortega\n2,Velas,Nobody Here\n3,Kestrel,Someone Else\n"
    job = import_job_create(workspace=workspace, kind="accounts", filename="hubspot.csv", data=data, by=user)
    page.set_viewport_size({"width": 390, "height": 900})
    login(page, "importer")
    page.goto(f"/accounts/import/{job.pk}/")
    page.wait_for_load_state("networkidle")

    section = page.locator("#owner-mapping")
    assert "ningún miembro: se deja en blanco" in section.inner_text()
    wrap = section.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing off to the right
    assert page.evaluate(OVERFLOW) <= 0
