"""The per-rule prefilter never hides an account where evaluation would fire or re-arm."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from activation.conditions import candidate_accounts
from activation.models import Alert, RuleState
from activation.services.evaluation import account_rules_evaluate, rules_evaluate
from engagement.models import EngagementEvent
from tests.factories import AccountFactory, ContactFactory, RuleFactory

pytestmark = pytest.mark.django_db


def _world(workspace):
    now = timezone.now()
    accounts = []
    for i in range(12):
        account = AccountFactory(
            workspace=workspace,
            engagement_score=10.0 * i,
            engagement_momentum=(i - 4) / 2,
            lifecycle="customer" if i % 2 else "prospect",
            tier="strategic" if i % 3 == 0 else "standard",
        )
        for j in range(i % 4):
            contact = ContactFactory(account=account, last_engaged_at=now - timedelta(days=j), engagement_score=5.0 * i)
            EngagementEvent.objects.create(
                workspace=workspace,
                account=account,
                contact=contact,
                type="web_visit",
                occurred_at=now - timedelta(days=40 + j),
                source="t",
                external_id=f"old-{i}-{j}",
            )
        accounts.append(account)
    rules = [
        RuleFactory(
            workspace=workspace, condition_type="score_threshold", params={"subject": "account", "threshold": 55}
        ),
        RuleFactory(
            workspace=workspace, condition_type="score_threshold", params={"subject": "contact", "threshold": 30}
        ),
        RuleFactory(workspace=workspace, condition_type="spike", params={"ratio": 2.0, "min_score": 20}),
        RuleFactory(workspace=workspace, condition_type="committee_breadth", params={"members": 2, "days": 14}),
        RuleFactory(
            workspace=workspace, condition_type="engagement_drop", params={"percent": 50, "days": 30, "min_events": 1}
        ),
    ]
    return now, accounts, rules


def test_prefiltered_pass_fires_exactly_what_a_full_pass_fires(workspace):
    now, accounts, rules = _world(workspace)
    ids = [a.id for a in accounts]

    with transaction.atomic():
        for account_id in ids:  # the reference: every rule on every account
            account_rules_evaluate(account_id=account_id, rules=rules, now=now)
        full = set(Alert.objects.values_list("dedupe_key", flat=True))
        transaction.set_rollback(True)

    rules_evaluate(account_ids=ids, now=now)

    assert full and set(Alert.objects.values_list("dedupe_key", flat=True)) == full


def test_an_active_state_keeps_its_account_a_candidate_until_it_re_arms(workspace):
    now, accounts, rules = _world(workspace)
    threshold_rule = rules[0]
    rules_evaluate(account_ids=[a.id for a in accounts], now=now)
    hot = Account.objects.filter(engagement_score__gte=55).first()
    everyone = Account.objects.filter(workspace=workspace)

    assert hot not in candidate_accounts(threshold_rule, everyone, now)  # nothing to change
    Account.objects.filter(pk=hot.pk).update(engagement_score=1.0)
    assert hot in candidate_accounts(threshold_rule, everyone, now)  # fell back: must re-arm

    rules_evaluate(account_ids=[hot.id], now=now)
    assert not RuleState.objects.get(rule=threshold_rule, account=hot).active
