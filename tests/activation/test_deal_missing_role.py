"""The 'open deal missing a buying role' condition: an open deal that closes soon with nobody on it in the seat the
rule names (the seed's committee review, turned into an alert before the deal is lost rather than after)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Account
from activation.conditions import LEVEL_CONDITIONS, candidate_accounts
from activation.models import TIME_BASED_CONDITIONS, Alert, Rule, RuleState
from activation.services.evaluation import rules_evaluate, time_based_account_ids
from tests.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityContactFactory,
    OpportunityFactory,
    RuleFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = NOW.date()


def _rule(workspace, **params):
    return RuleFactory(
        workspace=workspace,
        name="No buyer on the deal",
        condition_type="deal_missing_role",
        params=params or {"days": 30},
    )


def _deal(account, name, closes_in, **kwargs):
    return OpportunityFactory(account=account, name=name, close_date=TODAY + timedelta(days=closes_in), **kwargs)


def _level(rule, account, now=NOW):
    (level,) = LEVEL_CONDITIONS["deal_missing_role"](rule, account, now)
    return level


def test_an_open_deal_closing_soon_without_the_role_fires_and_says_who_is_on_it_and_who_could_be(workspace, account):
    _rule(workspace, buying_role="economic_buyer", days=30)
    deal = _deal(account, "Platform renewal", 12)
    champion = ContactFactory(account=account, first_name="Cara", last_name="Ng", buying_role="champion")
    OpportunityContactFactory(opportunity=deal, contact=champion, role="")
    ContactFactory(account=account, first_name="Eve", last_name="Stone", buying_role="economic_buyer")
    _deal(account, "Next year's expansion", 90)  # closes outside the window
    _deal(account, "Lost last month", -30, status="lost")

    result = rules_evaluate(account_ids=[account.id], now=NOW)

    assert len(result.fired) == 1
    alert = Alert.objects.get()
    assert alert.title == "No economic buyer on an open deal at Globex"
    assert alert.message == (
        "1 open deal at Globex closes within 30 days with no economic buyer on it: Platform renewal (closes on "
        f"{TODAY + timedelta(days=12):%Y-%m-%d}, in 12 days; on it: Cara Ng (Champion)). At the account with that "
        "role, on none of these deals: Eve Stone."
    )
    assert alert.facts["deals"] == [
        {"id": deal.id, "name": "Platform renewal", "close_date": f"{deal.close_date:%Y-%m-%d}", "people": 1}
    ]
    assert [c.first_name for c in alert.contacts.all()] == ["Eve"]
    assert alert.recommended_action.startswith("Ask your champion to bring the missing person into the deal")


def test_the_seat_is_the_role_on_the_deal_else_the_persons_own_and_nobody_who_left_holds_it(workspace, account):
    rule = _rule(workspace, buying_role="economic_buyer", days=30)
    by_own_role = _deal(account, "A", 5)
    holder = ContactFactory(account=account, first_name="Abe", last_name="Holder", buying_role="economic_buyer")
    OpportunityContactFactory(opportunity=by_own_role, contact=holder, role="")
    by_deal_role = _deal(account, "B", 6)
    OpportunityContactFactory(
        opportunity=by_deal_role, contact=ContactFactory(account=account, buying_role="end_user"), role="economic_buyer"
    )
    played_another_part = _deal(account, "C", 7)  # their own role is economic buyer, the deal says evaluator
    OpportunityContactFactory(
        opportunity=played_another_part,
        contact=ContactFactory(account=account, buying_role="economic_buyer"),
        role="technical_evaluator",
    )
    gone = _deal(account, "D", 8)
    OpportunityContactFactory(
        opportunity=gone,
        contact=ContactFactory(account=account, first_name="Lou", last_name="Park", left_at=NOW - timedelta(days=3)),
        role="economic_buyer",
    )
    overdue = _deal(account, "E", -4)
    nobody = OpportunityFactory(account=account, name="F", close_date=None)  # no close date: not "closing"
    stale = _deal(account, "G", -31)  # left open in the CRM long after its date

    level = _level(rule, account)

    assert level.active and level.value == 3
    assert [d["name"] for d in level.facts["deals"]] == ["E", "C", "D"]  # soonest close first
    assert f"E (was due to close on {overdue.close_date:%Y-%m-%d}; nobody on it yet)" in level.message.english()
    assert "Lou Park (Economic buyer), who left" in level.message.english()
    assert {nobody.pk, stale.pk}.isdisjoint(d["id"] for d in level.facts["deals"])
    # On C as an evaluator, whatever their own role; the holder on A is at the account, on none of the three.
    assert "C (closes on" in level.message.english() and "(Technical evaluator))" in level.message.english()
    assert level.message.english().endswith("At the account with that role, on none of these deals: Abe Holder.")


def test_putting_the_buyer_on_the_deal_clears_the_state_and_a_new_gap_fires_again(workspace, account):
    _rule(workspace, days=30)
    deal = _deal(account, "Platform renewal", 10)
    eve = ContactFactory(account=account, first_name="Eve", buying_role="economic_buyer")

    first = rules_evaluate(account_ids=[account.id], now=NOW)
    seat = OpportunityContactFactory(opportunity=deal, contact=eve, role="")
    covered = rules_evaluate(account_ids=[account.id], now=NOW)
    state_after_cover = RuleState.objects.get().active
    seat.delete()
    again = rules_evaluate(account_ids=[account.id], now=NOW + timedelta(hours=1))

    assert (len(first.fired), len(covered.fired), len(again.fired)) == (1, 0, 1)
    assert state_after_cover is False
    assert "No economic buyer is mapped" not in Alert.objects.first().message  # Eve is mapped, just not on the deal


def test_the_hourly_pass_fires_as_the_close_date_comes_into_the_window(workspace, account):
    _rule(workspace, buying_role="decision_maker", days=14)
    _deal(account, "Security review", 20)
    elsewhere = AccountFactory(workspace=workspace, name="No deals")

    now_ids = time_based_account_ids(condition_types=TIME_BASED_CONDITIONS)
    early = rules_evaluate(account_ids=now_ids, condition_types=TIME_BASED_CONDITIONS, now=NOW)
    later = rules_evaluate(account_ids=now_ids, condition_types=TIME_BASED_CONDITIONS, now=NOW + timedelta(days=7))

    assert {account.id, elsewhere.id} <= set(now_ids)
    assert (len(early.fired), len(later.fired)) == (0, 1)
    alert = Alert.objects.get()
    assert alert.title == "No decision maker on an open deal at Globex"
    assert "No decision maker is mapped at the account." in alert.message


def test_only_accounts_with_an_open_deal_in_the_window_are_evaluated(workspace, account):
    rule = _rule(workspace, days=30)
    _deal(account, "Soon", 3)
    later = AccountFactory(workspace=workspace)
    _deal(later, "Far", 200)
    won = AccountFactory(workspace=workspace)
    _deal(won, "Done", 2, status="won")
    stale = AccountFactory(workspace=workspace)
    _deal(stale, "Forgotten", -400, created_date=TODAY - timedelta(days=500))

    candidates = candidate_accounts(rule, Account.objects.all(), NOW)

    assert list(candidates) == [account]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"buying_role": "ceo"}, "buying_role"), ({"days": 0}, "days"), ({"days": 400}, "days"), ({"days": "x"}, "days")],
)
def test_the_api_refuses_bad_settings_with_a_400_naming_them(admin_api, params, field):
    response = admin_api.post(
        "/api/v1/activation-rules/",
        {"name": "x", "condition_type": "deal_missing_role", "params": params, "severity": "high"},
        format="json",
    )

    assert response.status_code == 400
    assert field in str(response.json())


def test_the_api_fills_the_defaults(admin_api):
    response = admin_api.post(
        "/api/v1/activation-rules/",
        {"name": "Deals without a buyer", "condition_type": "deal_missing_role", "params": {}, "severity": "high"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["params"] == {"buying_role": "economic_buyer", "days": 30}


def test_the_rule_form_saves_the_condition_with_its_role_and_window(admin_client):

    response = admin_client.post(
        reverse("activation:rule_create"),
        {
            "name": "Deals without a decision maker",
            "condition_type": "deal_missing_role",
            "buying_role": "decision_maker",
            "days": "21",
            "severity": "high",
            "cooldown_hours": "168",
            "notify_owner": "on",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get(name="Deals without a decision maker")
    assert rule.params == {"buying_role": "decision_maker", "days": 21}
    listing = admin_client.get(reverse("activation:rules")).content.decode()
    assert "Open deal closing within 21 days with no decision maker on it" in listing


def test_the_alert_reads_in_the_readers_language(workspace, account):
    rule = _rule(workspace, days=30)
    deal = _deal(account, "Renovación", 1)
    OpportunityContactFactory(
        opportunity=deal,
        contact=ContactFactory(account=account, first_name="Ana", last_name="Ruiz", buying_role="champion"),
        role="",
    )

    level = _level(rule, account)

    close = f"{deal.close_date:%Y-%m-%d}"
    with translation.override("es"):
        assert str(level.title) == "Ningún comprador económico en una oportunidad abierta de Globex"
        assert f"Renovación (se cierra el {close}, en 1 día; en ella: Ana Ruiz (Champion))" in str(level.message)
    with translation.override("pt"):
        assert str(level.title) == "Nenhum comprador económico numa oportunidade aberta de Globex"
    with translation.override("ro"):
        assert str(level.title) == "Niciun cumpărător economic pe o oportunitate deschisă la Globex"


def test_the_alert_page_lists_the_deals_with_a_link_to_put_someone_on_them_for_editors_only(
    client, workspace, account, marketing_user, viewer_user
):
    _rule(workspace, days=30)
    deal = _deal(account, "Platform renewal", 9)
    rules_evaluate(account_ids=[account.id], now=NOW)
    alert = Alert.objects.get()
    add = reverse("accounts:opportunity_contact_add", args=[account.pk, deal.pk]) + "?role=economic_buyer"

    client.force_login(marketing_user)
    as_marketing = client.get(reverse("activation:detail", args=[alert.pk])).content.decode()
    client.force_login(viewer_user)
    as_viewer = client.get(reverse("activation:detail", args=[alert.pk])).content.decode()

    assert 'id="alert-deals"' in as_marketing and "Platform renewal" in as_marketing and add in as_marketing
    assert 'id="alert-deals"' in as_viewer and add not in as_viewer
    client.force_login(marketing_user)
    form = client.get(add).content.decode()
    assert '<option value="economic_buyer" selected>' in form  # the missing seat, chosen already
    assert '<option value="" selected>' in client.get(add.replace("economic_buyer", "ceo")).content.decode()


def test_the_preview_counts_the_accounts_it_would_fire_on_before_saving(admin_api, workspace, account):
    _deal(account, "Platform renewal", 10)
    covered = AccountFactory(workspace=workspace, name="Covered", tier="strategic")
    deal = _deal(covered, "Covered deal", 10)
    OpportunityContactFactory(opportunity=deal, contact=ContactFactory(account=covered), role="economic_buyer")
    _deal(AccountFactory(workspace=workspace, tier="standard"), "Elsewhere", 10)
    body = {"name": "x", "condition_type": "deal_missing_role", "params": {"days": 30}, "severity": "high"}

    every_tier = admin_api.post("/api/v1/activation-rules/preview/", body, format="json")
    key_only = admin_api.post(
        "/api/v1/activation-rules/preview/", {**body, "filter_tiers": ["strategic"]}, format="json"
    )

    assert every_tier.json() == {"accounts": 2, "alerts": 2}
    assert key_only.json() == {"accounts": 1, "alerts": 1}
    assert not Alert.objects.exists()


def test_a_covered_account_costs_two_queries_whatever_its_contacts(workspace, account, django_assert_num_queries):
    """Rules are evaluated after every scoring pass: where every closing deal has the seat, the condition reads the
    deals and their people, not the account's contacts, and writes no text."""
    rule = _rule(workspace, days=30)
    for n in range(3):
        deal = _deal(account, f"Deal {n}", 5 + n)
        OpportunityContactFactory(opportunity=deal, contact=ContactFactory(account=account), role="economic_buyer")
    ContactFactory.create_batch(5, account=account, buying_role="economic_buyer")

    with django_assert_num_queries(2):
        level = _level(rule, account)

    assert not level.active
