"""A page's form post with a NUL character in a value is a 400 and saves nothing (PostgreSQL cannot store NUL:
the outreach template and play editors were a 500). The API is not concerned: its serializers refuse NUL."""

from __future__ import annotations

import pytest

from activation.models import AlertTransition
from content.models import OutreachTemplate, Play

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/content/outreach/new/", {"name": "Intro\x00", "subject": "Hello", "body": "Hi there"}),
        ("/content/plays/new/", {"name": "Play\x00", "description": "", "exit_stage": ""}),
    ],
)
def test_a_form_post_with_a_nul_is_refused_and_saves_nothing(admin_client, url, data):
    response = admin_client.post(url, data)

    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert not OutreachTemplate.objects.exists() and not Play.objects.exists()


def test_an_alert_note_with_a_nul_is_refused(admin_client, workspace):
    from tests.abe.test_filters_and_redirects import _alert

    alert = _alert(workspace)

    response = admin_client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "seen\x00"})

    alert.refresh_from_db()
    assert response.status_code == 400 and alert.status == "open"
    assert not AlertTransition.objects.filter(alert=alert).exists()


def test_the_same_form_without_the_nul_saves(admin_client):
    response = admin_client.post("/content/outreach/new/", {"name": "Intro", "subject": "Hello", "body": "Hi there"})

    assert response.status_code == 302 and OutreachTemplate.objects.filter(name="Intro").exists()


def test_the_api_answers_a_nul_itself(admin_api):
    response = admin_api.post(
        "/api/v1/outreach-templates/", {"name": "Intro\x00", "subject": "Hello", "body": "Hi"}, format="json"
    )

    assert response.status_code == 400 and "name" in response.json()


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/content/outreach/new/", {"name": "n" * 121, "subject": "Hello", "body": "Hi there"}, "name"),
        ("/content/plays/new/", {"name": "p" * 121, "description": "", "exit_stage": ""}, "name"),
    ],
)
def test_a_name_longer_than_its_column_is_a_field_error(admin_client, url, data, field):
    """The editors compared an over-long name in the database before anything checked its length: a 500."""
    response = admin_client.post(url, data)

    assert response.status_code == 200 and "At most 120 characters." in response.content.decode()
    assert not OutreachTemplate.objects.exists() and not Play.objects.exists()


def test_a_task_action_and_a_tier_proposal_follow_only_local_paths(admin_client, workspace, admin_user):
    from tests.factories import AccountFactory
    from work.services import task_create

    account = AccountFactory(workspace=workspace)
    task = task_create(workspace=workspace, title="Call", account=account, assignee=admin_user)

    done = admin_client.post(f"/tasks/{task.pk}/complete/", {"next": "99999999999999999999"})
    proposed = admin_client.post(
        f"/key-accounts/accounts/{account.pk}/propose/",
        {"next": "https://evil.example/", "proposed_tier": "strategic", "reason": "Big"},
    )

    assert done.status_code == 302 and done["Location"].startswith("/")
    assert proposed.status_code == 302 and proposed["Location"] == "/key-accounts/pareto/"
