"""Exact alert forecast (issue 11 item 3): the engagement settings preview counts the alerts that saving would
fire, for every rule type, with cool-downs, dedupe and rule filters applied, because it is a dry run of the real
rule pass over the would-be state; the rule preview likewise. After saving, exactly that many alerts fire (or,
without per-account alerts, are held back)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from abe.models import Role
from accounts.models import Account, Contact
from activation.models import Alert, AlertKind, AlertStatus, Rule, RuleState
from activation.services.evaluation import rules_evaluate
from activation.services.forecast import rule_forecast
from engagement.models import JourneyStageChange
from engagement.services import accounts_score, engagement_config_preview, engagement_config_update, events_ingest
from engagement.services.scoring import scoring_rules
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db

STAGES = [
    {"key": "customer", "name": "Customer", "opportunity": "won"},
    {"key": "opportunity", "name": "Opportunity", "opportunity": "open"},
    {"key": "mqa", "name": "MQA", "min_score": 100000, "min_breadth": 2},
    {"key": "engaged", "name": "Engaged", "min_score": 1},
    {"key": "aware", "name": "Aware"},
]


@pytest.fixture
def world(workspace):
    """Four engaged accounts (two strategic), below the MQA line; events this week and a few weeks back."""
    kam = UserFactory(username="kam", email="kam@example.com")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    engagement_config_update(workspace=workspace, stages=STAGES)
    now = timezone.now()
    accounts = []
    for n in range(4):
        tier = "strategic" if n < 2 else "standard"
        account = AccountFactory(workspace=workspace, name=f"Acct {n}", owner=kam, tier=tier)
        people = [
            ContactFactory(account=account, buying_role=role, seniority="director")
            for role in ("decision_maker", "champion", "end_user")
        ]
        recent = [(i % 3, now - timedelta(hours=3 + 20 * i)) for i in range(6 + n)]
        older = [(i % 3, now - timedelta(days=10 + 4 * i)) for i in range(3)]
        events_ingest(
            workspace=workspace,
            events=[
                {
                    "source": "t",
                    "external_id": f"{n}-{i}",
                    "type": "meeting",
                    "contact_email": people[who].email,
                    "occurred_at": at.isoformat(),
                }
                for i, (who, at) in enumerate(recent + older)
            ],
        )
        accounts.append(account)
    accounts_score(workspace=workspace, account_ids=[a.pk for a in accounts])
    for account in accounts:
        account.refresh_from_db()
    assert {a.journey_stage for a in accounts} == {"engaged"}
    return {"kam": kam, "accounts": accounts}


def _change(workspace) -> dict:
    """MQA within reach and meetings worth three times as much."""
    meeting = scoring_rules(workspace=workspace).weights["meeting"]
    stages = [dict(s) for s in STAGES]
    stages[2]["min_score"] = 1
    return {"stages": stages, "weights": {"meeting": meeting * 3}}


def _rule(workspace, world, kind: str) -> Rule:
    scores = sorted(a.engagement_score for a in world["accounts"])
    line = scores[-1] * 1.5  # above every score now; tripled meetings lift them over it
    contact_line = max(Contact.objects.values_list("engagement_score", flat=True)) * 1.2
    specs = {
        "stage_entered": {"condition_type": "stage_entered", "params": {"stage": "mqa", "days": 7}},
        "score_threshold": {"params": {"subject": "account", "threshold": line}},
        "contact_threshold": {"params": {"subject": "contact", "threshold": contact_line}},
        "spike": {"condition_type": "spike", "params": {"ratio": 1.0, "min_score": line}},
        "committee_breadth": {"condition_type": "committee_breadth", "params": {"members": 2, "days": 7}},
        "role_engaged": {
            "condition_type": "role_engaged",
            "params": {"buying_role": "decision_maker", "event_type": "meeting", "days": 2},
        },
        "tier_limited": {"params": {"subject": "account", "threshold": line}, "filter_tiers": ["strategic"]},
        "cooldown": {"params": {"subject": "account", "threshold": line}, "cooldown_hours": 48},
    }
    rule = RuleFactory(workspace=workspace, name=kind, **specs[kind])
    first = world["accounts"][0]
    if kind == "cooldown":  # a delivered alert of this rule on the first account an hour ago: it is cooling down
        Alert.objects.create(
            workspace=workspace,
            rule=rule,
            account=first,
            dedupe_key=f"earlier-{rule.pk}",
            severity=rule.severity,
            title="earlier",
            created_at=timezone.now() - timedelta(hours=1),
        )
    else:  # the first account was evaluated already: what fired there must not count again (dedupe, states)
        rules_evaluate(account_ids=[first.pk], workspace_id=workspace.pk)
    return rule


KINDS = [
    "stage_entered",
    "score_threshold",
    "contact_threshold",
    "spike",
    "committee_breadth",
    "role_engaged",
    "tier_limited",
    "cooldown",
]


def _state(workspace):
    return (
        sorted(Account.objects.for_workspace(workspace).values_list("pk", "engagement_score", "journey_stage")),
        JourneyStageChange.objects.count(),
        Alert.objects.count(),
        RuleState.objects.count(),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_settings_preview_counts_exactly_what_saving_fires(workspace, world, kind, django_capture_on_commit_callbacks):
    rule = _rule(workspace, world, kind)
    before = set(Alert.objects.values_list("pk", flat=True))
    state = _state(workspace)

    forecast = engagement_config_preview(workspace=workspace, data=_change(workspace))

    assert _state(workspace) == state  # a dry run: nothing kept
    assert forecast.stages.moved == 4
    with django_capture_on_commit_callbacks(execute=True):
        engagement_config_update(workspace=workspace, per_account_alerts=True, **_change(workspace))
    fired = Alert.objects.filter(kind=AlertKind.RULE, rule=rule, status=AlertStatus.OPEN).exclude(pk__in=before)
    assert forecast.alerts == fired.count()
    expected_min = {"tier_limited": 1, "cooldown": 1}.get(kind, 1)
    assert forecast.alerts >= expected_min
    if kind == "tier_limited":
        assert {a.account.tier for a in fired} == {"strategic"}
    if kind in ("cooldown", "role_engaged", "committee_breadth"):
        assert world["accounts"][0].pk not in {a.account_id for a in fired}


@pytest.mark.parametrize("kind", ["stage_entered", "cooldown", "role_engaged"])
def test_held_back_alerts_match_the_forecast_and_are_labelled_as_such(
    workspace, world, kind, django_capture_on_commit_callbacks
):
    rule = _rule(workspace, world, kind)
    before = set(Alert.objects.values_list("pk", flat=True))
    forecast = engagement_config_preview(workspace=workspace, data=_change(workspace))

    with django_capture_on_commit_callbacks(execute=True):
        engagement_config_update(workspace=workspace, per_account_alerts=False, **_change(workspace))

    held = Alert.objects.filter(rule=rule, status=AlertStatus.HELD_BACK)
    assert forecast.alerts > 0 and held.count() == forecast.alerts
    assert not Alert.objects.filter(rule=rule, status=AlertStatus.OPEN).exclude(pk__in=before).exists()
    if kind == "cooldown":  # muted by the cool-down is not "held back"
        assert Alert.objects.filter(rule=rule, status=AlertStatus.SUPPRESSED).count() == 1
    assert AlertStatus.HELD_BACK.label == "Held back (configuration change)"
    notice = Alert.objects.get(kind=AlertKind.SYSTEM)
    assert notice.facts["held_back"] == forecast.alerts


@pytest.mark.parametrize("kind", ["score_threshold", "role_engaged", "committee_breadth", "cooldown"])
def test_rule_preview_counts_exactly_what_its_next_evaluation_fires(workspace, world, kind):
    rule = _rule(workspace, world, kind)
    rule.is_active = False
    rule.save()
    # Lower the line so that the threshold rules fire with the scores as they are.
    if "threshold" in rule.params:
        rule.params = {**rule.params, "threshold": 1}
        rule.save()
    state = _state(workspace)

    forecast = rule_forecast(workspace=workspace, data={"is_active": True}, rule=rule)

    assert _state(workspace) == state
    rule.is_active = True
    rule.save()
    result = rules_evaluate(account_ids=[a.pk for a in world["accounts"]], workspace_id=workspace.pk)
    assert forecast.alerts == len(result.fired) > 0
    assert forecast.accounts == len({Alert.objects.get(pk=pk).account_id for pk in result.fired})


def test_capacity_preview_counts_the_alerts_tier_limited_rules_would_add(workspace, admin_user):
    from accounts.prospecting import services as prospecting

    software = [
        {"key": "software", "weight": 100, "bands": [{"label": "Software", "when": {"industry": ["Software"]}}]}
    ]
    for n in range(6):
        AccountFactory(
            workspace=workspace,
            name=f"Co {n}",
            industry="Software" if n % 2 == 0 else "Retail",
            tier="standard",
            engagement_score=80,
        )
    prospecting.icp_save(workspace=workspace, criteria=software, by=admin_user, rescore=False)
    prospecting.prospecting_settings_update(
        workspace=workspace, rescore=False, strategic_capacity=0, priority_capacity=0
    )
    prospecting.prospecting_rescore(workspace=workspace)
    Account.objects.update(tier="standard")
    RuleFactory(
        workspace=workspace,
        name="Hot strategic",
        params={"subject": "account", "threshold": 50},
        filter_tiers=["strategic"],
    )
    RuleFactory(workspace=workspace, name="Hot anywhere", params={"subject": "account", "threshold": 50})
    ids = list(Account.objects.values_list("pk", flat=True))
    assert len(rules_evaluate(account_ids=ids, workspace_id=workspace.pk).fired) == 6  # "anywhere" is due anyway
    state = _state(workspace)

    preview = prospecting.prospecting_preview(workspace=workspace, settings={"strategic_capacity": 2})

    assert _state(workspace) == state
    prospecting.prospecting_settings_update(workspace=workspace, rescore=False, strategic_capacity=2)
    prospecting.prospecting_rescore(workspace=workspace)
    assert Account.objects.filter(tier="strategic").count() == 2
    fired = rules_evaluate(account_ids=ids, workspace_id=workspace.pk).fired
    assert preview.alerts == len(fired) == 2
