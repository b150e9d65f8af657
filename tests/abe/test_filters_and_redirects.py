"""Filters do not tell whether an id exists in another workspace; posted ``next`` values stay on this site."""

from __future__ import annotations

import pytest
from django.utils import timezone

from activation.models import Alert
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path,param",
    [
        ("/api/v1/contacts/", "account"),
        ("/api/v1/alerts/", "account"),
        ("/api/v1/account-team-members/", "account"),
    ],
)
def test_a_foreign_id_and_a_missing_id_get_the_same_answer(admin_api, workspace, other_workspace, path, param):
    foreign = AccountFactory(workspace=other_workspace)
    ContactFactory(account=foreign)

    theirs = admin_api.get(f"{path}?{param}={foreign.pk}")
    missing = admin_api.get(f"{path}?{param}=987654321")
    huge = admin_api.get(f"{path}?{param}=99999999999999999999999")
    not_an_id = admin_api.get(f"{path}?{param}=abc")

    # A well-formed id (the schema says integer) is accepted and matches nothing, wherever it may exist.
    assert theirs.status_code == missing.status_code == huge.status_code == 200
    assert theirs.json() == missing.json() == huge.json()
    assert theirs.json()["count"] == 0
    assert not_an_id.status_code == 400 and param in not_an_id.json()


def test_a_foreign_user_id_reads_as_missing(admin_api, workspace, other_workspace):
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, workspace=other_workspace)

    theirs = admin_api.get(f"/api/v1/alerts/?assignee={outsider.pk}")
    missing = admin_api.get("/api/v1/alerts/?assignee=987654321")

    assert theirs.status_code == missing.status_code == 200
    assert theirs.json() == missing.json() and theirs.json()["count"] == 0


def test_own_ids_still_filter(admin_api, workspace):
    account = AccountFactory(workspace=workspace)
    ContactFactory(account=account)
    ContactFactory(account=AccountFactory(workspace=workspace))

    response = admin_api.get(f"/api/v1/contacts/?account={account.pk}")

    assert response.status_code == 200 and response.json()["count"] == 1


def _alert(workspace):
    account = AccountFactory(workspace=workspace)
    rule = RuleFactory(workspace=workspace)
    return Alert.objects.create(
        workspace=workspace,
        account=account,
        rule=rule,
        title="t",
        message="m",
        dedupe_key="k",
        severity="high",
        created_at=timezone.now(),
    )


@pytest.mark.parametrize(
    "target",
    # "alerts" was a 500: redirect() took a target without a slash for a view name to reverse. Only paths
    # that start with a slash are followed.
    ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)", "alerts", "alerts/?status=open"],
)
def test_the_alert_action_does_not_follow_an_outside_next(admin_client, workspace, target):
    alert = _alert(workspace)

    response = admin_client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": target})

    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"


def test_the_alert_action_follows_a_local_next(admin_client, workspace):
    alert = _alert(workspace)

    response = admin_client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": "/alerts/?status=open"})

    assert response["Location"] == "/alerts/?status=open"


def test_the_rescore_button_does_not_follow_an_outside_next(admin_client):
    response = admin_client.post("/accounts/tiers/rescore/", {"next": "https://evil.example/"})

    assert response["Location"] == "/accounts/tiers/"


def test_the_rescore_button_with_a_next_that_is_no_path_goes_back_to_the_board(admin_client):
    response = admin_client.post("/accounts/tiers/rescore/", {"next": "tier_board"})

    assert response.status_code == 302 and response["Location"] == "/accounts/tiers/"
