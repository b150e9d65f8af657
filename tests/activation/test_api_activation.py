"""API: rules CRUD (admins and marketing), alerts list/filter/transitions, webhook subscriptions (admins)."""

from __future__ import annotations

import pytest

from activation.models import Alert, Rule, WebhookDelivery
from activation.services.evaluation import rules_evaluate
from tests.factories import AccountFactory, RuleFactory, WebhookSubscriptionFactory

from .conftest import score

pytestmark = pytest.mark.django_db

RULE = {
    "name": "DM on pricing",
    "condition_type": "role_engaged",
    "params": {"buying_role": "decision_maker", "event_type": "pricing_page_visit"},
    "severity": "high",
    "cooldown_hours": 12,
    "filter_tiers": ["strategic", "priority"],
    "notify_team_roles": ["sdr"],
    "recommended_action": "Call within 24 hours.",
}


def test_marketing_creates_a_rule_with_defaults_filled_in(marketing_api, workspace):
    response = marketing_api.post("/api/v1/activation-rules/", RULE, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["params"] == {"buying_role": "decision_maker", "event_type": "pricing_page_visit", "days": 2}
    assert Rule.objects.for_workspace(workspace).get().filter_tiers == ["strategic", "priority"]


def test_bad_params_are_field_errors_not_500s(admin_api):
    response = admin_api.post(
        "/api/v1/activation-rules/",
        {"name": "x", "condition_type": "score_threshold", "params": {"threshold": "lots", "colour": "red"}},
        format="json",
    )

    assert response.status_code == 400
    errors = " ".join(response.json()["params"])
    assert "threshold" in errors and "colour" in errors


@pytest.mark.parametrize("value", ["nan", "inf", "1e999", "Infinity"])
@pytest.mark.parametrize(
    ("condition", "params"),
    [("score_threshold", {"threshold": "X"}), ("spike", {"ratio": "X"}), ("spike", {"ratio": 2, "min_score": "X"})],
)
def test_a_number_that_is_not_finite_is_refused_not_a_500(admin_api, condition, params, value):
    # "nan" and "inf" pass float() and every range check (each comparison with NaN is false), and PostgreSQL's
    # jsonb then refused the rule's parameters: a server error
    sent = {k: (value if v == "X" else v) for k, v in params.items()}

    response = admin_api.post(
        "/api/v1/activation-rules/",
        {"name": "x", "condition_type": condition, "params": sent, "severity": "high"},
        format="json",
    )

    assert response.status_code == 400
    assert "must be a number" in " ".join(response.json()["params"])
    assert not Rule.objects.filter(name="x").exists()


def test_an_outbound_touch_is_not_an_engagement_a_rule_can_wait_for(admin_client, admin_api):
    rule = {**RULE, "params": {"buying_role": "decision_maker", "event_type": "outbound_touch"}}

    response = admin_api.post("/api/v1/activation-rules/", rule, format="json")
    form = admin_client.get("/alerts/rules/new/").content.decode()

    assert response.status_code == 400
    assert "unknown event type" in " ".join(response.json()["params"])
    assert 'value="outbound_touch"' not in form and 'value="pricing_page_visit"' in form


def test_sales_and_viewers_cannot_edit_rules(sales_api, viewer_api, workspace):
    rule = RuleFactory(workspace=workspace)

    assert sales_api.post("/api/v1/activation-rules/", RULE, format="json").status_code == 403
    assert (
        viewer_api.patch(f"/api/v1/activation-rules/{rule.id}/", {"severity": "low"}, format="json").status_code == 403
    )
    assert sales_api.get("/api/v1/activation-rules/").status_code == 200


def test_rules_of_another_workspace_are_404(admin_api, other_workspace):
    rule = RuleFactory(workspace=other_workspace)

    assert admin_api.get(f"/api/v1/activation-rules/{rule.id}/").status_code == 404


def test_alerts_list_filters_and_transitions(sales_api, sales_user, workspace):
    mine = AccountFactory(workspace=workspace, owner=sales_user, name="Mine")
    other = AccountFactory(workspace=workspace, name="Other")
    RuleFactory(workspace=workspace, params={"threshold": 1}, severity="high")
    score(mine, 5)
    score(other, 5)
    rules_evaluate(account_ids=[mine.id, other.id])
    alert = Alert.objects.get(account=mine)

    listed = sales_api.get("/api/v1/alerts/?mine=true&status=open&severity=high").json()
    acked = sales_api.post(f"/api/v1/alerts/{alert.id}/transition/", {"action": "acknowledge"}, format="json")
    snoozed = sales_api.post(
        f"/api/v1/alerts/{alert.id}/transition/", {"action": "snooze", "until": "2000-01-01T00:00:00Z"}, format="json"
    )
    foreign = Alert.objects.get(account=other)
    refused = sales_api.post(f"/api/v1/alerts/{foreign.id}/transition/", {"action": "resolve"}, format="json")

    assert [a["account_name"] for a in listed["results"]] == ["Mine"] and listed["results"][0]["unread"] is True
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert acked.json()["transitions"][0]["by"] == sales_user.username
    assert snoozed.status_code == 400 and "until" in snoozed.json()
    assert refused.status_code == 403


def test_alert_assign_by_marketing(marketing_api, sales_user, workspace):
    account = AccountFactory(workspace=workspace)
    RuleFactory(workspace=workspace, params={"threshold": 1})
    score(account, 5)
    rules_evaluate(account_ids=[account.id])
    alert = Alert.objects.get()

    response = marketing_api.post(f"/api/v1/alerts/{alert.id}/assign/", {"assignee": sales_user.id}, format="json")

    assert response.status_code == 200 and response.json()["assignee"] == sales_user.username


def test_alert_list_query_count_does_not_grow(admin_api, workspace, django_assert_max_num_queries):
    RuleFactory(workspace=workspace, params={"threshold": 1})
    accounts = [AccountFactory(workspace=workspace) for _ in range(25)]
    for account in accounts:
        score(account, 5)
    rules_evaluate(account_ids=[a.id for a in accounts])

    with django_assert_max_num_queries(8):
        response = admin_api.get("/api/v1/alerts/?page_size=25")

    assert response.status_code == 200 and len(response.json()["results"]) == 25


def test_webhook_subscriptions_are_admin_only_and_generate_a_secret(admin_api, marketing_api, key_client):
    created = admin_api.post(
        "/api/v1/webhook-subscriptions/", {"name": "CRM", "url": "http://127.0.0.1:9/hook"}, format="json"
    )

    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    assert marketing_api.get("/api/v1/webhook-subscriptions/").status_code == 403
    assert key_client("read", "write").get("/api/v1/webhook-subscriptions/").status_code == 403
    bad = admin_api.post("/api/v1/webhook-subscriptions/", {"name": "x", "url": "ftp://nope"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()


def test_webhook_test_delivery_and_log(admin_api, workspace, receiver, django_capture_on_commit_callbacks):
    sub = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        queued = admin_api.post(f"/api/v1/webhook-subscriptions/{sub.id}/test/")
    log = admin_api.get(f"/api/v1/webhook-subscriptions/{sub.id}/deliveries/").json()

    assert queued.status_code == 202
    assert log["results"][0]["status"] == "sent" and log["results"][0]["attempt_log"][0]["status_code"] == 200
    assert WebhookDelivery.objects.get().event == "webhook.test"


def test_schema_builds(admin_api):
    response = admin_api.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/alerts/{id}/transition/" in response.content


def test_an_alerts_transitions_null_where_the_schema_says_they_may_be(admin_api, sales_user, workspace):
    """A change the system made (a snooze running out, a job) has no `by`, an unassignment no `assignee`: the schema
    declared both as strings only, so a client generated from it failed on the alert's history."""
    from drf_spectacular.generators import SchemaGenerator

    from activation.services.alerts import alert_assign, alert_transition

    account = AccountFactory(workspace=workspace)
    RuleFactory(workspace=workspace, params={"threshold": 1})
    score(account, 5)
    rules_evaluate(account_ids=[account.id])
    alert = Alert.objects.get()
    alert_assign(alert=alert, assignee=None, by=sales_user)
    alert_transition(alert=alert, action="acknowledge", by=None)

    transitions = admin_api.get(f"/api/v1/alerts/{alert.id}/").json()["transitions"]
    declared = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["AlertTransition"]

    nulls = {name for t in transitions for name, value in t.items() if value is None}
    assert nulls == {"by", "assignee"}
    assert all(declared["properties"][name].get("nullable") for name in nulls)
