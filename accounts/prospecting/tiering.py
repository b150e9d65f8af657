"""Priority (a blend of fit and win probability) and automatic tiering within capacities.

priority = 100 * (w_fit * fit/100 + w_pred * p_win) / (w_fit + w_pred); with no model it is the fit score, with
no ICP it is 100 * p_win. Tiering ranks accounts by priority (ties: higher fit, then older account first):

1. pinned accounts stay where they were pinned and use up capacity in their tier;
2. the remaining capacity of strategic, then priority, goes to the unpinned accounts in priority order; the
   rest are standard;
3. a computed move of an account that is pinned, or currently strategic or priority, is not applied: it becomes
   a proposal for the team, and the account holds its current slot until someone decides;
4. a promotion out of standard is applied only while the target tier has a free slot; otherwise it is proposed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Tier

HIGH_TIERS = (Tier.STRATEGIC.value, Tier.PRIORITY.value)


def priority_blend(fit: np.ndarray, p_win: np.ndarray, *, fit_weight: float, predictive_weight: float) -> np.ndarray:
    fit_part = fit / 100.0
    both = ~np.isnan(fit_part) & ~np.isnan(p_win)
    total = (fit_weight + predictive_weight) or 1.0
    blended = (fit_weight * np.nan_to_num(fit_part) + predictive_weight * np.nan_to_num(p_win)) / total
    out = np.where(both, blended, np.where(np.isnan(fit_part), p_win, fit_part))
    return np.round(out * 100.0, 2)


@dataclass(frozen=True)
class Proposal:
    row: int
    proposed: str
    reason: str


@dataclass(frozen=True)
class TierPlan:
    tier: np.ndarray  # the tier each account has after this pass (object array)
    ideal: np.ndarray  # the tier priority alone would give it
    proposals: list[Proposal]


def _rank_tiers(order: np.ndarray, eligible: np.ndarray, capacity: dict[Tier, int], n: int) -> np.ndarray:
    """Fill strategic then priority with the eligible rows in ``order``; everything else standard."""
    tiers = np.full(n, Tier.STANDARD.value, dtype=object)
    ranked = order[eligible[order]]
    s, p = capacity[Tier.STRATEGIC], capacity[Tier.PRIORITY]
    tiers[ranked[:s]] = Tier.STRATEGIC.value
    tiers[ranked[s : s + p]] = Tier.PRIORITY.value
    return tiers


def tier_plan(
    *,
    ids: np.ndarray,
    current: np.ndarray,
    locked: np.ndarray,
    priority: np.ndarray,
    fit: np.ndarray,
    strategic_capacity: int,
    priority_capacity: int,
) -> TierPlan:
    n = len(ids)
    current = np.asarray(current, dtype=object)
    has_priority = ~np.isnan(priority)
    # Sort: priority desc (unknown last), fit desc, id asc.
    order = np.lexsort((ids, -np.nan_to_num(fit, nan=-1.0), -np.nan_to_num(priority, nan=-np.inf)))
    capacity = {Tier.STRATEGIC: strategic_capacity, Tier.PRIORITY: priority_capacity}
    ideal_all = _rank_tiers(order, has_priority, capacity, n)

    left = {t: max(0, capacity[t] - int(np.sum(locked & (current == t.value)))) for t in capacity}
    ideal_free = _rank_tiers(order, has_priority & ~locked, left, n)

    tiers = current.copy()
    proposals: list[Proposal] = []
    for i in np.flatnonzero(locked & (ideal_all != current)):
        proposals.append(Proposal(int(i), str(ideal_all[i]), "pinned"))
    unlocked = ~locked
    held = unlocked & np.isin(current, HIGH_TIERS) & (ideal_free != current)
    for i in np.flatnonzero(held):
        proposals.append(Proposal(int(i), str(ideal_free[i]), "high_tier"))
    # Everyone now in a high tier stays there this pass (pinned, held for a decision, or already right).
    occupancy = {t: int(np.sum(current == t.value)) for t in capacity}
    promotions = unlocked & (current == Tier.STANDARD.value) & (ideal_free != Tier.STANDARD.value)
    for i in order[promotions[order]]:
        target = ideal_free[i]
        t = Tier(target)
        if occupancy[t] < capacity[t]:
            tiers[i] = target
            occupancy[t] += 1
        else:
            proposals.append(Proposal(int(i), str(target), "no_capacity"))
    return TierPlan(tier=tiers, ideal=ideal_all, proposals=proposals)
