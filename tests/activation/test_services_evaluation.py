"""Every condition type fires on its trigger with a message that says why; crossings fire once; cool-down holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import Account
from activation.models import TIME_BASED_CONDITIONS, Alert, AlertRecipient, AlertStatus, EmailDelivery, RuleState
from activation.services.evaluation import rules_evaluate, time_based_account_ids
from activation.tasks import rules_evaluate_scheduled_task, rules_evaluate_task
from tests.factories import AccountFactory, ContactFactory, RuleFactory

from .conftest import event, score, stage_change

pytestmark = pytest.mark.django_db


def evaluate(account, **kwargs):
    return rules_evaluate(account_ids=[account.id], **kwargs)


def test_account_threshold_fires_once_per_crossing_and_rearms_below(workspace, account, kam, sdr):
    RuleFactory(workspace=workspace, params={"subject": "account", "threshold": 60})
    score(account, 72.5)

    first = evaluate(account)
    again = evaluate(account)
    score(account, 40)
    below = evaluate(account)
    score(account, 65)
    second = evaluate(account)

    assert (len(first.fired), len(again.fired), len(below.fired), len(second.fired)) == (1, 0, 0, 1)
    alert = Alert.objects.get(pk=first.fired[0])
    assert "72.5" in alert.message and "60" in alert.message
    assert alert.recommended_action
    assert set(alert.recipients.values_list("user__username", flat=True)) == {"kam"}
    assert Alert.objects.count() == 2


def test_contact_threshold_fires_per_contact(workspace, account):
    RuleFactory(workspace=workspace, params={"subject": "contact", "threshold": 30})
    hot = ContactFactory(account=account, first_name="Hana", engagement_score=31)
    ContactFactory(account=account, engagement_score=10)

    result = evaluate(account)
    score(hot, 50)
    repeat = evaluate(account)

    assert len(result.fired) == 1 and len(repeat.fired) == 0
    alert = Alert.objects.get()
    assert list(alert.contacts.all()) == [hot]
    assert "Hana" in alert.title and "31.0" in alert.message


def test_spike_fires_at_the_momentum_ratio(workspace, account):
    RuleFactory(workspace=workspace, condition_type="spike", params={"ratio": 2.0})
    score(account, 40, engagement_momentum=0.5)  # engagement stores the relative change: +50% is 1.5×
    calm = evaluate(account)
    score(account, 55, engagement_momentum=1.4)

    spike = evaluate(account)

    assert (len(calm.fired), len(spike.fired)) == (0, 1)
    assert "2.4×" in Alert.objects.get().message


def test_committee_breadth_counts_distinct_members_in_the_window(workspace, account):
    RuleFactory(workspace=workspace, condition_type="committee_breadth", params={"members": 3, "days": 14})
    now = timezone.now()
    for name, days_ago in [("Ann", 1), ("Bob", 3), ("Cid", 30)]:
        ContactFactory(account=account, first_name=name, last_engaged_at=now - timedelta(days=days_ago))
    two = evaluate(account)
    ContactFactory(account=account, first_name="Dee", buying_role="economic_buyer", last_engaged_at=now)

    three = evaluate(account)

    assert (len(two.fired), len(three.fired)) == (0, 1)
    alert = Alert.objects.get()
    assert "3 distinct members" in alert.message and "Economic buyer" in alert.message
    assert alert.contacts.count() == 3


def test_role_engaged_with_event_type_fires_for_a_decision_maker_on_pricing(workspace, account):
    RuleFactory(
        workspace=workspace,
        condition_type="role_engaged",
        params={"buying_role": "decision_maker", "event_type": "pricing_page_visit"},
    )
    dm = ContactFactory(account=account, first_name="Dora", buying_role="decision_maker")
    user = ContactFactory(account=account, buying_role="end_user")
    event(account, type="pricing_page_visit", contact=user)
    event(account, type="web_visit", contact=dm)
    nothing = evaluate(account)
    visit = event(account, type="pricing_page_visit", contact=dm)

    fired = evaluate(account)

    assert (len(nothing.fired), len(fired.fired)) == (0, 1)
    alert = Alert.objects.get()
    assert "Dora" in alert.message and "pricing page visit" in alert.message
    assert alert.facts["event"]["id"] == visit.id


def test_role_engaged_without_event_type_takes_any_event(workspace, account):
    RuleFactory(workspace=workspace, condition_type="role_engaged", params={"buying_role": "economic_buyer"})
    eb = ContactFactory(account=account, buying_role="economic_buyer")
    event(account, type="email_click", contact=eb)

    assert len(evaluate(account).fired) == 1


def test_stage_entered_fires_once_per_stage_change(workspace, account):
    RuleFactory(workspace=workspace, condition_type="stage_entered", params={"stage": "mqa"})
    stage_change(account, "engaged", from_stage="aware")
    before = evaluate(account)
    stage_change(account, "mqa")

    entered = evaluate(account)
    replay = evaluate(account)

    assert (len(before.fired), len(entered.fired), len(replay.fired)) == (0, 1, 0)
    assert "from Engaged to MQA" in Alert.objects.get().message


def test_trigger_event_filters_by_kind(workspace, account):
    RuleFactory(workspace=workspace, condition_type="trigger_event", params={"kinds": ["funding"]})
    event(account, type="trigger_event", kind="product_launch", title="New app")
    event(account, type="trigger_event", kind="funding", title="Series C, $80M")

    result = evaluate(account)

    assert len(result.fired) == 1
    alert = Alert.objects.get()
    assert alert.title == "Funding round at Globex" and "Series C, $80M" in alert.message
    with translation.override("es"):  # the reader's language, from the stored key and parameters
        assert alert.message_text.startswith("Ronda de financiación en Globex el ")
        assert "Series C, $80M" in alert.message_text


def test_engagement_drop_on_customer_accounts_only(workspace, kam):
    RuleFactory(workspace=workspace, condition_type="engagement_drop", params={"percent": 50, "days": 30})
    now = timezone.now()
    customer = AccountFactory(workspace=workspace, lifecycle="customer", owner=kam)
    prospect = AccountFactory(workspace=workspace, lifecycle="prospect", owner=kam)
    for acct in (customer, prospect):
        for days_ago in (35, 40, 45, 50, 55, 58):
            event(acct, at=now - timedelta(days=days_ago))
        event(acct, at=now - timedelta(days=2))

    result = rules_evaluate(account_ids=[customer.id, prospect.id], now=now)

    assert len(result.fired) == 1
    alert = Alert.objects.get()
    assert alert.account == customer
    assert "6 interactions" in alert.message and "1 in the last 30 days" in alert.message and "83%" in alert.message
    with translation.override("ro"):
        assert alert.message_text.startswith("Risc de pierdere: ") and "o scădere de 83%" in alert.message_text


def test_missing_role_on_a_strategic_account_after_the_grace_period(workspace, kam):
    RuleFactory(workspace=workspace, condition_type="missing_role", params={"days": 30})
    now = timezone.now()
    old = AccountFactory(workspace=workspace, tier="strategic", owner=kam)
    Account.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=90))
    ContactFactory(
        account=old, first_name="Eve", buying_role="economic_buyer", last_engaged_at=now - timedelta(days=60)
    )
    young = AccountFactory(workspace=workspace, tier="strategic", owner=kam)
    standard = AccountFactory(workspace=workspace, tier="standard", owner=kam)
    Account.objects.filter(pk=standard.pk).update(created_at=now - timedelta(days=90))

    result = rules_evaluate(account_ids=[old.id, young.id, standard.id], now=now)

    assert len(result.fired) == 1
    alert = Alert.objects.get()
    assert alert.account_id == old.id
    assert "90 days" in alert.message and "Eve" in alert.message and "economic buyer" in alert.message


def test_replaying_the_same_scoring_pass_fires_nothing_new(workspace, account):
    RuleFactory(workspace=workspace, params={"subject": "account", "threshold": 10})
    RuleFactory(workspace=workspace, condition_type="trigger_event", params={})
    score(account, 20)
    event(account, type="trigger_event", kind="expansion")

    for _ in range(3):
        rules_evaluate_task.delay(workspace_id=workspace.id, account_ids=[account.id, account.id])

    assert Alert.objects.count() == 2
    assert RuleState.objects.get().crossings == 1


def test_cooldown_suppresses_a_second_alert_for_the_same_account_and_rule(workspace, account):
    RuleFactory(workspace=workspace, condition_type="trigger_event", params={}, cooldown_hours=24)
    event(account, type="trigger_event", kind="funding")
    first = evaluate(account)
    event(account, type="trigger_event", kind="acquisition")

    second = evaluate(account)
    later = evaluate(account, now=timezone.now() + timedelta(hours=1))

    assert (len(first.fired), len(second.fired), len(second.suppressed), len(later.fired)) == (1, 0, 1, 0)
    suppressed = Alert.objects.get(status=AlertStatus.SUPPRESSED)
    assert not AlertRecipient.objects.filter(alert=suppressed).exists()
    assert not EmailDelivery.objects.filter(alert=suppressed).exists()


def test_cooldown_is_per_account(workspace, account, kam):
    RuleFactory(workspace=workspace, condition_type="trigger_event", params={}, cooldown_hours=24)
    other = AccountFactory(workspace=workspace, owner=kam)
    event(account, type="trigger_event", kind="funding")
    event(other, type="trigger_event", kind="funding")

    result = rules_evaluate(account_ids=[account.id, other.id])

    assert len(result.fired) == 2


def test_filters_by_tier_lifecycle_and_owner(workspace, account, kam, sdr):
    RuleFactory(workspace=workspace, params={"threshold": 1}, filter_tiers=["priority"])
    RuleFactory(workspace=workspace, params={"threshold": 1}, filter_lifecycles=["customer"])
    RuleFactory(workspace=workspace, params={"threshold": 1}, filter_owner=sdr)
    matching = RuleFactory(
        workspace=workspace,
        params={"threshold": 1},
        filter_tiers=["strategic"],
        filter_owner=kam,
        filter_lifecycles=["prospect"],
    )
    score(account, 5)

    result = evaluate(account)

    assert [Alert.objects.get(pk=pk).rule_id for pk in result.fired] == [matching.id]


def test_alert_goes_to_owner_and_chosen_team_roles_with_instant_email(
    workspace, account, kam, sdr, django_capture_on_commit_callbacks
):
    RuleFactory(workspace=workspace, params={"threshold": 1}, notify_team_roles=["sdr"], severity="high")
    score(account, 5)

    with django_capture_on_commit_callbacks(execute=True):
        evaluate(account)

    alert = Alert.objects.get()
    assert set(alert.recipients.values_list("user__username", flat=True)) == {"kam", "sdr"}
    assert sorted(m.to[0] for m in mail.outbox) == ["kam@example.com", "sdr@example.com"]
    assert "High" in mail.outbox[0].subject and "/alerts/" in mail.outbox[0].body
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_inactive_rules_and_other_workspaces_are_ignored(workspace, other_workspace, account):
    RuleFactory(workspace=workspace, params={"threshold": 1}, is_active=False)
    RuleFactory(workspace=other_workspace, params={"threshold": 1})
    score(account, 5)

    assert evaluate(account).fired == []


def test_the_after_scoring_hook_names_an_importable_task_taking_workspace_and_account_ids(
    workspace, other_workspace, account
):
    from django.utils.module_loading import import_string

    from abe.registry import after_scoring_tasks

    RuleFactory(workspace=workspace, params={"threshold": 1})
    score(account, 5)
    tasks = [import_string(path) for path in after_scoring_tasks()]

    # exactly what engagement does after a scoring pass; another workspace's id evaluates nothing
    for task in tasks:
        task.delay(workspace_id=other_workspace.id, account_ids=[account.id])
    assert Alert.objects.count() == 0
    for task in tasks:
        task.delay(workspace_id=workspace.id, account_ids=[account.id])

    assert rules_evaluate_task in tasks and Alert.objects.count() == 1


def test_the_schedule_rearms_time_based_rules_so_a_later_crossing_fires_again(workspace, account):
    RuleFactory(
        workspace=workspace,
        condition_type="committee_breadth",
        params={"members": 2, "days": 7},
        filter_tiers=["strategic"],
    )
    AccountFactory(workspace=workspace, tier="standard")
    now = timezone.now()
    ann = ContactFactory(account=account, first_name="Ann", last_engaged_at=now)
    bob = ContactFactory(account=account, first_name="Bob", last_engaged_at=now)
    first = evaluate(account, now=now)

    in_scope = time_based_account_ids(condition_types=TIME_BASED_CONDITIONS)
    quiet = rules_evaluate(account_ids=in_scope, condition_types=TIME_BASED_CONDITIONS, now=now + timedelta(days=10))
    later = now + timedelta(days=11)
    for contact in (ann, bob):
        score(contact, 5, last_engaged_at=later)
    again = rules_evaluate(account_ids=in_scope, condition_types=TIME_BASED_CONDITIONS, now=later)

    assert in_scope == [account.id] and rules_evaluate_scheduled_task() == 1
    assert (len(first.fired), len(quiet.fired), len(again.fired)) == (1, 0, 1)
    assert RuleState.objects.get().crossings == 2
