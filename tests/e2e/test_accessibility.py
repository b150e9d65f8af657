"""Accessibility (issue 16): axe-core, vendored in tests/vendor/axe-core, runs on every main page of the demo
workspace and fails on serious or critical violations; a keyboard-only journey from login to acknowledging an
alert, on a small workspace of its own (the journey is the same on the demo's 2,000 accounts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from abe.models import Role, Workspace
from accounts.models import Account, OpportunityContact
from activation.models import Alert, AlertRecipient
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MembershipFactory,
    RuleFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
AXE_OPTIONS = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"
PAGE_NAMES = [
    "home",
    "accounts:list",
    "accounts:contacts",
    "accounts:tier_board",
    "accounts:icp_settings",
    "accounts:model",
    "accounts:import",
    "accounts:tier_proposals",
    "personas:list",
    "content:list",
    "content:heatmap",
    "content:gaps",
    "content:won_lost",
    "content:plays",
    "content:templates",
    "content:performance",
    "engagement:settings",
    "engagement:upload",
    "activation:inbox",
    "activation:rules",
    "activation:webhooks",
    "work:list",
    "keyaccounts:index",
    "keyaccounts:pareto",
    "keyaccounts:qualification",
    "keyaccounts:postsale",
    "analytics:overview",
    "analytics:maturity",
    "settings:index",
    "settings:locale",
    "preferences",
]


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"async () => await axe.run(document, {AXE_OPTIONS})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"][:3]
    ]


@pytest.fixture
def demo():
    call_command("load_demo", "--reset", verbosity=0)
    return Workspace.objects.get(slug="demo")


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_every_main_page_passes_axe(page, demo, live_server):
    page.goto("/login/")
    found = {"/login/": axe_violations(page)}
    _login(page, "admin")
    account = Account.objects.filter(workspace=demo, tier="strategic").order_by("id").first()
    alert = Alert.objects.filter(workspace=demo).order_by("id").first()
    deal = OpportunityContact.objects.filter(workspace=demo).order_by("id").first().opportunity
    deal_alert = Alert.objects.filter(workspace=demo, rule__condition_type="deal_missing_role").order_by("id").first()
    urls = [reverse(name) for name in PAGE_NAMES] + [
        f"/accounts/{account.pk}/",
        f"/alerts/{alert.pk}/",
        f"/alerts/{deal_alert.pk}/",  # its deals, each with a link to put someone on it
        f"/accounts/{deal.account_id}/",  # its deals' people
        f"/accounts/{deal.account_id}/opportunities/{deal.pk}/contacts/add/",
    ]
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        found[url] = axe_violations(page)

    failing = {url: problems for url, problems in found.items() if problems}
    assert not failing, "\n".join(f"{url}\n  " + "\n  ".join(p) for url, p in failing.items())


@pytest.fixture
def alerted_salesperson():
    """A salesperson with thirty accounts, one of them with its committee and an open alert for them: what the
    keyboard journey walks through (the demo's 2,000 accounts add nothing to it but a ~40 s load)."""
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    sales = UserFactory(username="sales", first_name="Sam", last_name="Sales")
    MembershipFactory(user=sales, workspace=workspace, role=Role.SALES)
    accounts = [
        AccountFactory(workspace=workspace, name=f"Northwind {i:02d}", owner=sales, tier="strategic") for i in range(30)
    ]
    account = accounts[7]
    for role in ("decision_maker", "champion", "technical_evaluator"):
        ContactFactory(account=account, buying_role=role)
    rule = RuleFactory(workspace=workspace, name="Decision maker on pricing", severity="high")
    alert = Alert.objects.create(
        workspace=workspace,
        rule=rule,
        account=account,
        dedupe_key="keyboard",
        severity="high",
        title=f"Decision maker at {account.name}: pricing page visit",
        created_at=timezone.now(),
    )
    AlertRecipient.objects.create(workspace=workspace, alert=alert, user=sales)
    return alert


def test_keyboard_only_login_accounts_account_and_acknowledge(page, alerted_salesperson):
    alert = alerted_salesperson

    def tab_to(predicate_js: str, limit: int = 200) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }})()"):
                return
        raise AssertionError(f"never reached by Tab: {predicate_js}")

    page.goto("/login/")
    tab_to("el.id === 'id_username'")
    page.keyboard.type("sales")
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)

    tab_to("el.getAttribute('href') === '/accounts/'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/")
    tab_to("el.id === 'id_q'")
    page.keyboard.type(alert.account.name)
    page.wait_for_url("**q=**")
    page.wait_for_load_state("networkidle")
    tab_to(f"el.tagName === 'A' && el.getAttribute('href') === '/accounts/{alert.account_id}/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{alert.account_id}/")
    page.wait_for_selector("#account-alerts")

    tab_to(f"el.tagName === 'A' && el.getAttribute('href') === '/alerts/{alert.pk}/'", limit=400)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/alerts/{alert.pk}/")
    tab_to("el.tagName === 'BUTTON' && !!el.form && el.form.action.endsWith('/acknowledge/')")
    with page.expect_navigation():  # the form's POST and its redirect ("networkidle" alone can come before them)
        page.keyboard.press("Enter")

    alert.refresh_from_db()
    assert alert.status == "acknowledged"
