"""Programme impact on planted data: a real lift is found with an interval above zero; no lift is not claimed."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from accounts.models import Tier, TierChange
from analytics import kpis
from analytics.selectors.filters import KpiFilters
from analytics.selectors.impact import programme_impact
from analytics.services.rollups import facts_rebuild
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
FILTERS = KpiFilters(start=TODAY - dt.timedelta(days=179), end=TODAY)


def _plant(workspace, *, target_opps, standard_opps, target_win, standard_win, seed=3):
    rng = random.Random(seed)
    for tier, opps, win in ((Tier.STRATEGIC, target_opps, target_win), (Tier.STANDARD, standard_opps, standard_win)):
        for _ in range(40):
            account = AccountFactory(workspace=workspace, tier=tier)
            for _ in range(opps + rng.choice((-1, 0, 1))):
                created = TODAY - dt.timedelta(days=rng.randint(60, 170))
                closed = created + dt.timedelta(days=rng.randint(20, 50))
                OpportunityFactory(
                    account=account,
                    amount=Decimal(rng.randint(40, 60) * 1000),
                    created_date=created,
                    close_date=closed,
                    status="won" if rng.random() < win else "lost",
                )
    facts_rebuild(workspace=workspace)


def _by_name(rows):
    return {row["name"]: row for row in rows}


def test_a_planted_lift_is_found_with_an_interval_above_zero(workspace):
    _plant(workspace, target_opps=4, standard_opps=2, target_win=0.6, standard_win=0.2)

    impact = _by_name(programme_impact(workspace=workspace, filters=FILTERS)["target_vs_standard"])

    opps = impact["opportunities_per_account"]
    assert opps["lift_found"] and opps["status"] == "lift"
    assert opps["interval"][0] > 0
    assert opps["relative"] == pytest.approx(1.0, abs=0.35)
    assert opps["cited"] == 0.70
    assert impact["win_rate"]["lift_found"] and impact["win_rate"]["interval"][0] > 0


def test_no_lift_is_claimed_when_there_is_none(workspace):
    _plant(workspace, target_opps=3, standard_opps=3, target_win=0.4, standard_win=0.4)

    impact = _by_name(programme_impact(workspace=workspace, filters=FILTERS)["target_vs_standard"])

    for name in ("opportunities_per_account", "win_rate", "acv"):
        row = impact[name]
        assert not row["lift_found"], name
        assert row["interval"][0] < 0 < row["interval"][1], name


def test_too_few_accounts_say_not_enough_data(workspace):
    OpportunityFactory(account=AccountFactory(workspace=workspace, tier=Tier.STRATEGIC), created_date=TODAY)
    facts_rebuild(workspace=workspace)

    impact = _by_name(programme_impact(workspace=workspace, filters=FILTERS)["target_vs_standard"])

    assert impact["opportunities_per_account"]["status"] == "not_enough_data"
    assert impact["opportunities_per_account"]["lift_found"] is False


def test_before_and_after_entering_a_target_tier(workspace):
    entered = TODAY - dt.timedelta(days=90)
    for i in range(20):
        account = AccountFactory(workspace=workspace, tier=Tier.PRIORITY)
        change = TierChange.objects.create(
            workspace=workspace, account=account, old_tier="standard", new_tier="priority", source="manual"
        )
        TierChange.objects.filter(pk=change.pk).update(created_at=dt.datetime.combine(entered, dt.time(), dt.UTC))
        OpportunityFactory(account=account, created_date=entered - dt.timedelta(days=30 + i))
        for k in range(2 + i % 2):
            OpportunityFactory(account=account, created_date=entered + dt.timedelta(days=10 + k))
    facts_rebuild(workspace=workspace)

    before_after = programme_impact(workspace=workspace, filters=FILTERS)["before_after"]

    opps = _by_name(before_after["lifts"])["opportunities_per_account"]
    assert before_after["accounts"] == 20
    assert (opps["before_mean"], opps["after_mean"]) == (1.0, 2.5)
    assert opps["lift_found"] and opps["interval"][0] > 0


def test_interval_maths_against_hand_values():
    low, high = kpis.wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    diff = kpis.mean_difference(kpis.Moments(3, 6, 14), kpis.Moments(3, 3, 5))
    # Means 2 and 1, variances 1 and 1: half-width 1.96 * sqrt(2/3).
    assert diff[0] == 1 and diff[2] - diff[0] == pytest.approx(1.959964 * (2 / 3) ** 0.5, abs=1e-5)
    assert kpis.ltv_cac_band(3.0) == "on_track" and kpis.ltv_cac_band(1.5) == "below"
    assert kpis.change(120, 100) == 0.2
