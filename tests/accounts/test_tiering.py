"""Tiering maths: priority blend, capacities, pins, held high-tier accounts and promotions without room."""

import numpy as np

from accounts.prospecting.tiering import priority_blend, tier_plan


def test_priority_blends_fit_and_win_probability_and_falls_back_to_either():
    fit = np.array([80.0, 80.0, np.nan, np.nan])
    p_win = np.array([0.2, np.nan, 0.6, np.nan])

    priority = priority_blend(fit, p_win, fit_weight=1, predictive_weight=3)

    assert priority[:3].tolist() == [35.0, 80.0, 60.0] and np.isnan(priority[3])


def _plan(current, locked, priority, strategic=1, prio=1):
    n = len(current)
    return tier_plan(
        ids=np.arange(1, n + 1),
        current=np.array(current, dtype=object),
        locked=np.array(locked),
        priority=np.array(priority, dtype=float),
        fit=np.zeros(n),
        strategic_capacity=strategic,
        priority_capacity=prio,
    )


def test_first_tiering_fills_tiers_by_priority_within_capacity():
    plan = _plan(["standard"] * 4, [False] * 4, [10, 90, 50, np.nan])

    assert plan.tier.tolist() == ["standard", "strategic", "priority", "standard"]
    assert plan.proposals == []


def test_pins_use_capacity_and_high_tier_moves_become_proposals():
    # 1 is pinned strategic; 2 is priority but now ranks last; 3 ranks first among the unpinned.
    plan = _plan(["strategic", "priority", "standard"], [True, False, False], [5, 10, 95])

    assert plan.tier.tolist() == ["strategic", "priority", "standard"]  # nothing moved silently
    reasons = {(p.row, p.proposed, p.reason) for p in plan.proposals}
    assert reasons == {(0, "standard", "pinned"), (1, "standard", "high_tier"), (2, "priority", "no_capacity")}


def test_promotion_applies_when_a_slot_is_free():
    plan = _plan(["standard", "standard"], [False, False], [60, 40], strategic=0, prio=1)

    assert plan.tier.tolist() == ["priority", "standard"]
