"""Bulk changes on the tier board: exact results (changed / skipped with the reason), "select all N matching"
resolved from the board's filter, and a background job with true status when the set is large."""

from __future__ import annotations

import pytest
from django.urls import reverse

from abe.models import Job, JobStatus
from accounts.models import Account
from accounts.prospecting import services
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_pin_reports_changed_and_skipped_with_reasons(admin_client, workspace):
    fresh = [AccountFactory(workspace=workspace, tier="standard") for _ in range(12)]
    pinned = [AccountFactory(workspace=workspace, tier="strategic", tier_locked=True) for _ in range(3)]
    ids = [a.pk for a in fresh + pinned]

    response = admin_client.post(
        reverse("accounts:tier_bulk"),
        {"action": "tier", "tier": "strategic", "reason": "Board review", "account": ids},
        follow=True,
    )

    assert "Pinned to Strategic (1:1): 12 changed, 3 skipped: already pinned to Strategic (1:1)." in _messages(response)
    assert Account.objects.filter(pk__in=ids, tier="strategic", tier_locked=True).count() == 15


def test_sales_changes_only_their_accounts_and_hears_why(client, sales_user, admin_user, workspace):
    client.force_login(sales_user)
    mine = [AccountFactory(workspace=workspace, owner=sales_user) for _ in range(2)]
    theirs = [AccountFactory(workspace=workspace, owner=admin_user) for _ in range(3)]

    response = client.post(
        reverse("accounts:tier_bulk"),
        {"action": "owner", "owner": str(admin_user.pk), "account": [a.pk for a in mine + theirs]},
        follow=True,
    )

    text = " ".join(_messages(response))
    assert "2 changed" in text and "3 skipped: not yours to change" in text
    assert Account.objects.filter(owner=admin_user).count() == 5


def test_select_all_matching_applies_to_the_whole_filtered_set(admin_client, admin_user, workspace):
    harbor = [AccountFactory(workspace=workspace, name=f"Harbor {i}", industry="Retail") for i in range(30)]
    other = AccountFactory(workspace=workspace, name="Quay", industry="Retail")

    response = admin_client.post(
        reverse("accounts:tier_bulk"),
        {"action": "owner", "owner": str(admin_user.pk), "scope": "matching", "query": "q=harbor&industry=Retail"},
        follow=True,
    )

    assert "Owner assigned: 30 changed." in _messages(response)
    assert Account.objects.filter(pk__in=[a.pk for a in harbor], owner=admin_user).count() == 30
    other.refresh_from_db()
    assert other.owner is None


def test_large_selection_runs_as_a_job_with_a_summary(
    admin_client, admin_user, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BULK_INLINE_LIMIT", 5)
    monkeypatch.setattr(services, "BULK_CHUNK", 4)
    accounts = [AccountFactory(workspace=workspace, name=f"Harbor {i}") for i in range(10)]
    accounts[0].owner = admin_user
    accounts[0].save()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:tier_bulk"),
            {"action": "owner", "owner": str(admin_user.pk), "scope": "matching", "query": "q=harbor"},
            follow=True,
        )

    job = Job.objects.get(workspace=workspace, kind="accounts_bulk")
    assert job.status == JobStatus.DONE and job.processed == job.total == 10
    who = admin_user.get_full_name() or admin_user.username
    assert job.result == {"changed": 9, "skipped": {f"already owned by {who}": 1}}
    assert job.message.startswith("9 changed, 1 skipped: already owned by")
    assert any("started as a background job" in m for m in _messages(response))
    card = admin_client.get(reverse("job_progress", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "9 changed" in card and 'data-job-status="done"' in card and "hx-trigger" not in card


def test_job_progress_of_another_workspace_is_a_404(admin_client, other_workspace):
    job = Job.objects.create(workspace=other_workspace, kind="x", label="x")

    assert admin_client.get(reverse("job_progress", args=[job.pk])).status_code == 404


def test_viewer_cannot_bulk(client, viewer_user, workspace):
    client.force_login(viewer_user)
    account = AccountFactory(workspace=workspace)

    response = client.post(
        reverse("accounts:tier_bulk"), {"action": "tier", "tier": "strategic", "reason": "x", "account": [account.pk]}
    )

    assert response.status_code == 403


def test_saving_the_icp_rescores_as_a_job_with_its_true_status(
    admin_client, workspace, django_capture_on_commit_callbacks
):
    AccountFactory(workspace=workspace, industry="Software", employees=500)
    criteria = '[{"key": "industry", "label": "Industry", "weight": 100, "bands": [{"label": "Software", "points": 1, "when": {"industry": ["Software"]}}]}]'  # noqa: E501

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:icp_settings"), {"name": "ICP", "criteria": criteria}, follow=True
        )

    job = Job.objects.get(workspace=workspace, kind="prospecting_rescore")
    assert job.status == JobStatus.DONE and job.message.startswith("1 account rescored;")
    html = response.content.decode()
    assert "the rescore&#x27;s status shows below" in html and f'id="job-{job.pk}"' in html
