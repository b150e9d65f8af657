"""A health-score drop as an activation condition: the health score is computed by key accounts (above activation);
activation reads its history through ``abe.registry`` and alerts through the normal path (rule state, dedupe,
cool-down, explanation)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activation.models import Alert, AlertRecipient, Rule
from activation.services.evaluation import rules_evaluate
from keyaccounts.models import AccountHealth
from keyaccounts.tasks import key_accounts_daily_task
from tests.factories import AccountFactory, RuleFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _receipt(trend: float, kept: float, coverage: float, renewal: float) -> list[list]:
    return [
        ["Engagement trend", trend, 25, "momentum"],
        ["Check-ins kept", kept, 25, "check-ins"],
        ["Committee coverage", coverage, 25, "roles"],
        ["Renewal proximity", renewal, 25, "renewal"],
    ]


def _reading(account, days_ago: float, receipt: list[list]) -> AccountHealth:
    return AccountHealth.objects.create(
        workspace=account.workspace,
        account=account,
        score=sum(row[1] for row in receipt),
        explanation=receipt,
        computed_at=NOW - dt.timedelta(days=days_ago),
    )


def test_a_drop_within_the_window_fires_once_and_says_what_moved(workspace, admin_user):
    account = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer", tier="strategic")
    _reading(account, 10, _receipt(20, 25, 25, 10))  # 80
    _reading(account, 5, _receipt(20, 25, 20, 10))  # 75
    _reading(account, 0, _receipt(10, 25, 5, 10))  # 50
    steady = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer")
    _reading(steady, 10, _receipt(20, 25, 25, 10))
    _reading(steady, 0, _receipt(15, 25, 25, 10))  # -5 only
    RuleFactory(workspace=workspace, condition_type="health_drop", params={"points": 20, "days": 14})

    rules_evaluate(account_ids=[account.id, steady.id])
    rules_evaluate(account_ids=[account.id, steady.id])

    alert = Alert.objects.get()
    assert alert.account == account
    assert alert.title == f"Health score of {account.name} fell 30.0 points"
    assert "fell from 80.0 on" in alert.message and "to 50.0 on" in alert.message
    assert "What moved: Committee coverage 25 → 5 (roles); Engagement trend 20 → 10 (momentum)." in alert.message
    assert alert.facts["drop"] == 30.0 and alert.facts["from_score"] == 80.0
    assert AlertRecipient.objects.filter(alert=alert, user=admin_user).exists()


def test_an_old_peak_outside_the_window_does_not_count_and_a_recovery_re_arms(workspace, admin_user):
    account = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer")
    _reading(account, 30, _receipt(25, 25, 25, 25))  # 100, outside 14 days
    _reading(account, 7, _receipt(20, 20, 15, 15))  # 70
    latest = _reading(account, 1, _receipt(15, 20, 15, 15))  # 65: -5 within the window
    rule = RuleFactory(workspace=workspace, condition_type="health_drop", params={"points": 20, "days": 14})

    rules_evaluate(account_ids=[account.id])
    assert not Alert.objects.exists()

    latest.delete()
    _reading(account, 0, _receipt(0, 20, 15, 10))  # 45: -25
    rules_evaluate(account_ids=[account.id])
    assert Alert.objects.count() == 1
    _reading(account, -0.01, _receipt(20, 20, 15, 15))  # back to 70: re-armed
    rules_evaluate(account_ids=[account.id], now=NOW + dt.timedelta(hours=1))
    assert rule.states.get().active is False


def test_the_daily_task_computes_health_and_alerts_on_the_drop(workspace, admin_user, admin_client):
    # Given a customer whose health was 90 two days ago and whose engagement has since fallen off a cliff
    account = AccountFactory(
        workspace=workspace, owner=admin_user, lifecycle="customer", tier="priority", engagement_momentum=-0.6
    )
    _reading(account, 2, _receipt(25, 25, 20, 20))
    RuleFactory(workspace=workspace, condition_type="health_drop", params={"points": 15, "days": 7}, cooldown_hours=24)

    # When the daily key-account task runs (twice: it is safe to repeat)
    first = key_accounts_daily_task(workspace.id)
    second = key_accounts_daily_task(workspace.id)

    # Then today's health (trend 0, half the check-in points, no roles, no renewal due: 37.5) is recorded and
    # one alert explains the fall
    assert first["health_computed"] == 1 and first["health_drop_alerts"] == 1
    assert second["health_drop_alerts"] == 0
    alert = Alert.objects.get()
    assert alert.account == account and alert.rule.condition_type == "health_drop"
    assert "fell from 90.0" in alert.message and "to 37.5" in alert.message
    assert "Engagement trend 25 → 0 (momentum -60% against the 4 weeks before)" in alert.message
    # and the account owner reads it in their inbox
    inbox = admin_client.get(reverse("activation:inbox")).content.decode()
    detail = admin_client.get(reverse("activation:detail", args=[alert.pk])).content.decode()
    assert alert.title in inbox
    assert "fell from 90.0" in detail and "What moved" in detail


@pytest.mark.parametrize(
    ("params", "wrong"),
    [
        ({"days": 14}, "points: This setting is required"),
        ({"points": 0, "days": 14}, "points: a health score runs from 0 to 100"),
        ({"points": 150, "days": 14}, "points: a health score runs from 0 to 100"),
        ({"points": "ten", "days": 14}, "points: Not valid."),
        ({"points": 10, "days": 0}, "days: must be between 1 and 365"),
        ({"points": 10}, "days: This setting is required"),
    ],
)
def test_the_api_refuses_bad_settings_with_field_errors(admin_api, params, wrong):
    response = admin_api.post(
        "/api/v1/activation-rules/",
        {"name": "Health falls", "condition_type": "health_drop", "params": params},
        format="json",
    )

    assert response.status_code == 400
    assert wrong in " ".join(response.json()["params"])


def test_the_api_creates_a_health_drop_rule(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/activation-rules/",
        {"name": "Health falls", "condition_type": "health_drop", "params": {"points": 15, "days": 30}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["params"] == {"points": 15.0, "days": 30}


def test_the_rule_editor_creates_a_health_drop_rule_and_lists_it(admin_client):
    form = admin_client.get(reverse("activation:rule_create")).content.decode()
    response = admin_client.post(
        reverse("activation:rule_create"),
        {
            "name": "Health falls",
            "condition_type": "health_drop",
            "severity": "high",
            "cooldown_hours": "24",
            "is_active": "on",
            "notify_owner": "on",
            "points": "12.5",
            "days": "21",
            "missed": "3",
        },
    )
    bad = admin_client.post(
        reverse("activation:rule_create"),
        {
            "name": "Health falls 2",
            "condition_type": "health_drop",
            "severity": "high",
            "cooldown_hours": "24",
            "notify_owner": "on",
            "days": "21",
        },
    )

    assert 'value="health_drop"' in form and 'data-for="health_drop"' in form
    assert response.status_code == 302
    assert Rule.objects.get(name="Health falls").params == {"points": 12.5, "days": 21}
    listing = admin_client.get(reverse("activation:rules")).content.decode()
    assert "Health score drops 12.5+ points within 21 days" in listing
    assert bad.status_code == 200 and "points: This setting is required" in bad.content.decode()


def test_what_moved_reads_in_the_readers_language(workspace, admin_user):
    """Issue 16: the components that moved were written into the alert's reason in English only."""
    from django.utils import translation

    from abe.texts import render
    from keyaccounts.services.postsale import account_health_compute

    account = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer", engagement_momentum=0.2)
    _reading(account, 10, _receipt(25, 25, 25, 25))  # 100, then the computed reading below
    account_health_compute(account=account, now=NOW)
    RuleFactory(workspace=workspace, condition_type="health_drop", params={"points": 5, "days": 14})

    rules_evaluate(account_ids=[account.id])

    alert = Alert.objects.get()
    with translation.override("es"):
        spanish = render(alert.texts.get("message"), alert.message)
    assert "What moved: " in alert.message and "Committee coverage 25 → " in alert.message
    assert "Cobertura del comité 25 → " in spanish and "roles de compra activos en 90 días" in spanish
