"""Role-aware pages: every page rendered as every role shows no form, button or link that the same role would
get a 403 from. The test crawls from the main pages (two levels of links), GETs every same-site link and
hx-get, and POSTs to every form action (inside a rolled-back transaction), failing on any 403."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activation.models import Alert, AlertRecipient
from tests.factories import (
    AccountFactory,
    AccountPlanFactory,
    AccountTeamMemberFactory,
    ContactFactory,
    ContentAssetFactory,
    OpportunityFactory,
    PersonaFactory,
    RuleFactory,
    WebhookSubscriptionFactory,
)
from work.models import Task

pytestmark = pytest.mark.django_db

SEEDS = [
    "/",
    "/accounts/",
    "/accounts/tiers/",
    "/personas/",
    "/content/",
    "/alerts/",
    "/analytics/",
    "/key-accounts/",
    "/settings/",
]
SKIP = ("/logout/", "/admin/", "/api/", "/static/", "/workspace/switch/", "/media/")
LINK = re.compile(r"<(a|form|button|input|select|div|span|section|tr|td)\b([^>]*)>", re.I)
ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
MAX_PAGES = 300


@pytest.fixture
def world(workspace, admin_user, sales_user, marketing_user):
    owned = AccountFactory(workspace=workspace, name="Owned by sales", owner=sales_user)
    # Strategic: the key-accounts page lists it among the key accounts without a plan.
    other = AccountFactory(workspace=workspace, name="Owned by admin", owner=admin_user, tier="strategic")
    AccountTeamMemberFactory(account=other, user=marketing_user)
    ContactFactory(account=owned, workspace=workspace)
    # Work on the account sales may not change: a plan on another key account, a deal, a task, a contact.
    planned = AccountFactory(workspace=workspace, name="Planned by admin", owner=admin_user, tier="priority")
    AccountPlanFactory(account=planned, workspace=workspace)
    OpportunityFactory(account=other, workspace=workspace, status="open")
    ContactFactory(account=other, workspace=workspace)
    Task.objects.create(workspace=workspace, account=other, title="Call back", assignee=admin_user)
    PersonaFactory(workspace=workspace)
    ContentAssetFactory(workspace=workspace)
    RuleFactory(workspace=workspace)
    WebhookSubscriptionFactory(workspace=workspace)
    for user in (admin_user, sales_user, marketing_user):
        alert = Alert.objects.create(
            workspace=workspace,
            dedupe_key=f"a{user.pk}",
            title="Alert",
            message="why",
            account=owned,
            created_at=timezone.now(),
        )
        AlertRecipient.objects.create(workspace=workspace, alert=alert, user=user)
    return owned, other


def _targets(base: str, html: str) -> list[tuple[str, str]]:
    """(method, url) of every link, hx-get/hx-post and form of the page (same site only)."""
    found = []
    for _tag, attrs in LINK.findall(html):
        values = {k.lower(): unescape(v) for k, v in ATTR.findall(attrs)}
        if _tag.lower() == "a" and values.get("href"):
            found.append(("get", values["href"]))
        if values.get("hx-get"):
            found.append(("get", values["hx-get"]))
        if values.get("hx-post"):
            found.append(("post", values["hx-post"]))
        if _tag.lower() == "form" and values.get("method", "get").lower() == "post":
            found.append(("post", values.get("action") or base))
    out = []
    for method, href in found:
        if href.startswith(("#", "mailto:", "javascript:")) or "export=csv" in href:
            continue
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP):
            continue
        out.append((method, path))
    return out


@pytest.mark.parametrize("role", ["viewer", "sales", "marketing", "admin"])
def test_no_page_offers_what_the_role_is_refused(client, request, role, world):
    client.force_login(request.getfixturevalue(f"{role}_user"))
    owned, other = world
    seeds = SEEDS + [
        reverse("accounts:detail", args=[owned.pk]),
        reverse("accounts:detail", args=[other.pk]),
        "/accounts/icp/",
        "/accounts/model/",
        "/accounts/import/",
        "/alerts/rules/",
    ]
    seen_get: set[str] = set()
    seen_post: set[str] = set()
    queue = [(path, 0) for path in seeds]
    refused = []
    while queue and len(seen_get) < MAX_PAGES:
        path, depth = queue.pop(0)
        if path in seen_get:
            continue
        seen_get.add(path)
        response = client.get(path)
        if response.status_code == 403:
            refused.append(f"GET {path} (linked) -> 403")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for method, target in _targets(path, response.content.decode()):
            if method == "get" and target not in seen_get and depth < 2:
                queue.append((target, depth + 1))
            elif method == "post" and target not in seen_post:
                seen_post.add(target)
                with transaction.atomic():
                    answer = client.post(target, {})
                    transaction.set_rollback(True)
                if answer.status_code == 403:
                    refused.append(f"POST {target} (form on {path}) -> 403")

    assert not refused, f"{role} is offered what refuses it:\n" + "\n".join(refused)
    assert len(seen_get) > 15
