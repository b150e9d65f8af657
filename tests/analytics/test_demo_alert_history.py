"""The demo's past alerts come from rules that could have fired on their account (a "Customer going quiet" alert on
a prospect, or a key-accounts-only rule on a standard account, read as a bug)."""

import random
from datetime import UTC, datetime

import pytest

from abe.demo import DemoContext
from activation.models import Alert, ConditionType, Severity
from activation.services.rules import rule_create
from analytics.demo import alert_history
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_past_alerts_only_come_from_rules_whose_filters_hold_their_account(workspace):
    # given owned accounts of every tier, customers and prospects, and three rules: one for key customers, one for
    # any account, one for standard accounts alone
    owner = UserFactory()
    for tier in ("strategic", "priority", "standard"):
        for lifecycle in ("customer", "prospect"):
            AccountFactory.create_batch(3, workspace=workspace, owner=owner, tier=tier, lifecycle=lifecycle)
    quiet = rule_create(
        workspace=workspace,
        name="Customer going quiet",
        condition_type=ConditionType.ENGAGEMENT_DROP,
        params={"percent": 60, "days": 30, "min_events": 4},
        severity=Severity.CRITICAL,
        filter_tiers=["strategic", "priority"],
        filter_lifecycles=["customer"],
    )
    rule_create(
        workspace=workspace,
        name="Hot account",
        condition_type=ConditionType.SCORE_THRESHOLD,
        params={"subject": "account", "threshold": 50},
        severity=Severity.MEDIUM,
    )
    rule_create(
        workspace=workspace,
        name="Standard only",
        condition_type=ConditionType.SCORE_THRESHOLD,
        params={"subject": "account", "threshold": 80},
        severity=Severity.MEDIUM,
        filter_tiers=["standard"],
    )
    ctx = DemoContext(
        workspace=workspace, rng=random.Random(3), users={}, today=datetime.now(UTC).date(), now=datetime.now(UTC)
    )

    # when the demo writes its alert history
    written = alert_history(ctx)

    # then each alert's rule holds its account, and every rule that fits somewhere has alerts
    alerts = list(Alert.objects.for_workspace(workspace).select_related("rule", "account"))
    assert written == len(alerts) > 100
    for alert in alerts:
        rule, account = alert.rule, alert.account
        assert not rule.filter_tiers or account.tier in rule.filter_tiers, (rule.name, account.tier)
        assert not rule.filter_lifecycles or account.lifecycle in rule.filter_lifecycles, (rule.name, account.lifecycle)
    assert any(a.rule_id == quiet.pk for a in alerts) and any(a.rule.name == "Standard only" for a in alerts)
