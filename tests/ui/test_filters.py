"""One FilterSet per list: the accounts page, the tier board, the accounts API and the CSV exports select the
same rows in the same order for the same query; the alerts inbox and API share theirs (severity, then time)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activation.models import Alert, AlertRecipient
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def universe(workspace, admin_user, sales_user):
    rows = []
    for i in range(12):
        rows.append(
            AccountFactory(
                workspace=workspace,
                name=f"Harbor {i:02d}",
                industry="Software" if i % 2 else "Retail",
                employees=i * 10,
                owner=sales_user if i % 3 == 0 else admin_user,
                fit_criteria_met=0b10 if i % 4 == 0 else 0b01,
                tier_locked=i == 4,
            )
        )
    AccountFactory(workspace=workspace, name="Quay", industry="Software", employees=5, owner=sales_user)
    return rows


def _csv_names(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [row["name"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))]


QUERY = "q=harbor&industry=Software&sort=-employees"


def test_page_board_api_and_exports_agree(admin_client, admin_api, universe):
    expected = [f"Harbor {i:02d}" for i in (11, 9, 7, 5, 3, 1)]

    page = [a.name for a in admin_client.get(f"/accounts/?{QUERY}").context["page_obj"]]
    board = [a.name for a in admin_client.get(f"/accounts/tiers/?{QUERY}").context["page_obj"]]
    api = [r["name"] for r in admin_api.get(f"/api/v1/accounts/?{QUERY}").json()["results"]]
    page_csv = _csv_names(admin_client.get(f"/accounts/?{QUERY}&export=csv"))
    board_csv = _csv_names(admin_client.get(f"/accounts/tiers/?{QUERY}&export=csv"))
    api_csv = _csv_names(admin_api.get(f"/api/v1/accounts/export/?{QUERY}"))

    assert page == board == api == page_csv == board_csv == api_csv == expected


def test_icp_criterion_owner_and_pinned_filters_are_the_same_everywhere(sales_api, universe, sales_user, client):
    client.force_login(sales_user)
    query = "owner=me&criterion=0&sort=name"

    page = [a.name for a in client.get(f"/accounts/?{query}").context["page_obj"]]
    board = [a.name for a in client.get(f"/accounts/tiers/?{query}").context["page_obj"]]
    api = [r["name"] for r in sales_api.get("/api/v1/accounts/?owner=me&icp_criterion=0&sort=name").json()["results"]]
    pinned = [a.name for a in client.get("/accounts/tiers/?pinned=on").context["page_obj"]]

    assert page == board == api == ["Harbor 03", "Harbor 06", "Harbor 09"]
    assert pinned == ["Harbor 04"]


def test_api_rejects_a_bad_owner_with_a_400(admin_api, universe):
    response = admin_api.get("/api/v1/accounts/?owner=somebody")

    assert response.status_code == 400 and "owner" in response.json()


def test_api_ordering_parameter_still_works(admin_api, universe):
    names = [r["name"] for r in admin_api.get("/api/v1/accounts/?q=harbor&ordering=employees").json()["results"]]

    assert names[:3] == ["Harbor 00", "Harbor 01", "Harbor 02"]


def _alert(workspace, user, minutes: int, severity: str) -> Alert:
    alert = Alert.objects.create(
        workspace=workspace,
        dedupe_key=f"{severity}{minutes}",
        severity=severity,
        title=f"{severity} {minutes}",
        message="why",
        created_at=timezone.now() - timedelta(minutes=minutes),
    )
    AlertRecipient.objects.create(workspace=workspace, alert=alert, user=user)
    return alert


def test_inbox_orders_by_severity_then_time_and_the_api_shares_the_filter(
    admin_client, admin_api, admin_user, workspace
):
    _alert(workspace, admin_user, 1, "medium")
    _alert(workspace, admin_user, 2, "medium")
    _alert(workspace, admin_user, 30, "critical")
    _alert(workspace, admin_user, 20, "high")
    _alert(workspace, admin_user, 3, "low")

    inbox = [a.title for a in admin_client.get(reverse("activation:inbox")).context["page_obj"]]
    newest = [a.title for a in admin_client.get(reverse("activation:inbox") + "?sort=-created").context["page_obj"]]
    api_default = [r["title"] for r in admin_api.get("/api/v1/alerts/?mine=true").json()["results"]]
    api_severity = [r["title"] for r in admin_api.get("/api/v1/alerts/?mine=true&sort=severity").json()["results"]]

    assert inbox == ["critical 30", "high 20", "medium 1", "medium 2", "low 3"]
    assert newest == ["medium 1", "medium 2", "low 3", "high 20", "critical 30"]
    assert api_default == newest and api_severity == inbox


def test_alert_filter_matches_nothing_for_another_workspaces_rule(admin_api, other_workspace):
    from tests.factories import RuleFactory

    foreign = RuleFactory(workspace=other_workspace)
    response = admin_api.get(f"/api/v1/alerts/?rule={foreign.pk}")

    assert response.status_code == 200 and response.json()["count"] == 0
