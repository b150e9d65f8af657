"""Consequences before saving a rule (issue 11 item 3): the rule form and the API say on how many accounts a new,
changed or re-activated rule would fire now, without saving anything."""

from __future__ import annotations

import pytest

from accounts.models import Account
from activation.models import Alert, Rule, RuleState
from tests.factories import AccountFactory, RuleFactory

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Hot accounts",
    "condition_type": "score_threshold",
    "params": {"subject": "account", "threshold": 50},
    "severity": "high",
    "notify_owner": True,
}


@pytest.fixture
def scored(workspace):
    for n, score in enumerate([10, 55, 70, 90]):
        AccountFactory(workspace=workspace, name=f"Acct {n}", engagement_score=score, tier="strategic")
    AccountFactory(workspace=workspace, name="Acct standard", engagement_score=95, tier="standard")


def test_api_previews_a_new_rule_without_saving_it(admin_api, scored):
    response = admin_api.post("/api/v1/activation-rules/preview/", RULE, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {"accounts": 4, "alerts": 4}
    narrowed = admin_api.post(
        "/api/v1/activation-rules/preview/", {**RULE, "filter_tiers": ["strategic"]}, format="json"
    )
    assert narrowed.json() == {"accounts": 3, "alerts": 3}
    assert not Rule.objects.exists() and not Alert.objects.exists()


def test_api_preview_validates_like_create(admin_api, viewer_api, scored):
    bad = admin_api.post("/api/v1/activation-rules/preview/", {**RULE, "params": {"threshold": -1}}, format="json")
    assert bad.status_code == 400 and "params" in bad.json()
    assert viewer_api.post("/api/v1/activation-rules/preview/", RULE, format="json").status_code == 403


def test_activating_a_rule_counts_only_crossings_not_yet_alerted(admin_api, workspace, scored):
    rule = RuleFactory(workspace=workspace, params={"subject": "account", "threshold": 50}, is_active=False)
    crossed = Account.objects.get(name="Acct 3")
    RuleState.objects.create(
        workspace=workspace, rule=rule, account=crossed, active=True, changed_at=crossed.created_at
    )

    response = admin_api.post(f"/api/v1/activation-rules/{rule.pk}/preview/", {"is_active": True}, format="json")

    assert response.json() == {"accounts": 3, "alerts": 3}
    rule.refresh_from_db()
    assert rule.is_active is False


def test_the_rule_form_preview_says_how_many_accounts(client, marketing_user, viewer_user, scored):
    client.force_login(marketing_user)
    form = client.get("/alerts/rules/new/").content.decode()
    assert 'id="rule-preview-button"' in form
    data = {
        "name": "Hot",
        "condition_type": "score_threshold",
        "subject": "account",
        "threshold": "60",
        "severity": "high",
        "cooldown_hours": "24",
        "is_active": "on",
        "notify_owner": "on",
    }

    html = client.post("/alerts/rules/preview/", data).content.decode()

    assert '<strong id="rule-preview-alerts">3</strong> alerts on <strong id="rule-preview-accounts">3</strong>' in html
    assert "switched off" in client.post("/alerts/rules/preview/", {**data, "is_active": ""}).content.decode()
    assert not Rule.objects.exists()
    client.force_login(viewer_user)
    assert client.post("/alerts/rules/preview/", data).status_code == 403
