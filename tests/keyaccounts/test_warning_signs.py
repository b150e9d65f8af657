"""Key-account warning signs as activation conditions: key contact quiet, renewal with falling engagement,
missed check-ins. Each fires once when it becomes true, with a message that says why."""

import datetime as dt

import pytest
from django.utils import timezone

from activation.models import Alert
from activation.services.evaluation import rules_evaluate
from activation.services.rules import rule_params_clean
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, RuleFactory
from work.models import Task

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_a_champion_gone_quiet_on_a_key_account_fires_once(workspace, admin_user):
    account = AccountFactory(workspace=workspace, tier="strategic", owner=admin_user)
    champion = ContactFactory(
        account=account,
        first_name="Cara",
        last_name="Chen",
        buying_role="champion",
        last_engaged_at=timezone.now() - dt.timedelta(days=45),
    )
    ContactFactory(account=account, buying_role="champion", last_engaged_at=timezone.now())
    standard = AccountFactory(workspace=workspace, tier="standard")
    ContactFactory(account=standard, buying_role="champion", last_engaged_at=timezone.now() - dt.timedelta(days=90))
    RuleFactory(workspace=workspace, condition_type="key_contact_quiet", params={"days": 30})

    rules_evaluate(account_ids=[account.id, standard.id])
    rules_evaluate(account_ids=[account.id, standard.id])

    alert = Alert.objects.get()
    assert alert.account == account and list(alert.contacts.all()) == [champion]
    assert "Cara Chen (Champion) last engaged on" in alert.message


def test_a_decision_maker_who_left_fires_even_while_recently_engaged(workspace, admin_user):
    account = AccountFactory(workspace=workspace, tier="priority", owner=admin_user)
    gone = ContactFactory(
        account=account,
        first_name="Dan",
        last_name="Diaz",
        buying_role="decision_maker",
        last_engaged_at=timezone.now() - dt.timedelta(days=2),
        left_at=TODAY - dt.timedelta(days=1),
    )
    ContactFactory(account=account, buying_role="decision_maker", last_engaged_at=timezone.now())
    RuleFactory(workspace=workspace, condition_type="key_contact_quiet", params={"days": 30})

    rules_evaluate(account_ids=[account.id])
    rules_evaluate(account_ids=[account.id])

    alert = Alert.objects.get()
    assert list(alert.contacts.all()) == [gone]
    assert alert.title.startswith("Dan Diaz") and "has left" in alert.title
    assert "find and meet their successor" in alert.message


def test_renewal_with_falling_engagement(workspace, admin_user):
    falling = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer", engagement_momentum=-0.4)
    steady = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer", engagement_momentum=0.05)
    for account in (falling, steady):
        OpportunityFactory(
            account=account,
            name=f"{account.name} 2026",
            status="won",
            close_date=TODAY - dt.timedelta(days=300),
            created_date=TODAY - dt.timedelta(days=330),
            contract_end=TODAY + dt.timedelta(days=45),
        )
    RuleFactory(workspace=workspace, condition_type="renewal_risk", params={"days": 60, "percent": 25})

    rules_evaluate(account_ids=[falling.id, steady.id])

    alert = Alert.objects.get()
    assert alert.account == falling
    assert "45 days" in alert.message and "-40%" in alert.message


def test_missed_check_ins(workspace, admin_user):
    account = AccountFactory(workspace=workspace, owner=admin_user, lifecycle="customer")
    for days_late in (30, 20, 3):
        Task.objects.create(
            workspace=workspace,
            account=account,
            title="Executive check-in",
            source="check_in",
            due_date=TODAY - dt.timedelta(days=days_late),
        )
    RuleFactory(workspace=workspace, condition_type="missed_check_ins", params={"missed": 2, "days": 7})

    rules_evaluate(account_ids=[account.id])

    alert = Alert.objects.get()
    assert alert.title == f"2 missed check-ins at {account.name}"


def test_warning_sign_settings_are_checked():
    assert rule_params_clean("missed_check_ins", {"missed": 2}) == {"missed": 2, "days": 7}
    with pytest.raises(Exception) as exc:
        rule_params_clean("renewal_risk", {"days": 0})
    assert "percent" in str(exc.value) and "days" in str(exc.value)
