"""The account health score of a customer, from plain figures, explained point by point (like the fit receipt).

Four components, 25 points each (100 in all):
- engagement trend: the engagement momentum (this week against the 4 weeks before); -50% or worse gives 0,
  flat gives 15, +25% or better gives 25 (linear in between);
- check-ins kept: the share of post-sale activities due in the last 180 days that were done (no activity due:
  half the points, since nothing is known);
- committee coverage: distinct buying roles among the contacts engaged in the last 90 days, out of 4 (economic
  buyer, decision maker, champion, user or influencer count alike);
- renewal proximity: no renewal within 90 days gives all points; a renewal due within 90 days gives points in
  proportion to the days left, plus half back when a renewal opportunity is already open.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HealthInputs:
    momentum: float | None
    check_ins_due: int
    check_ins_done: int
    roles_engaged: int
    renewal_days: int | None
    renewal_open: bool


def _clip(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def health_score(inputs: HealthInputs) -> tuple[float, list[list]]:
    """Return (score 0..100, receipt [[component, points, max, why], ...]) whose points add up to the score."""
    receipt: list[list] = []
    m = inputs.momentum
    if m is None:
        trend, why = 12.5, "no engagement baseline yet (half the points)"
    elif m <= 0:
        trend = 15 * _clip((m + 0.5) / 0.5, 0, 1)
        why = f"momentum {m:+.0%} against the 4 weeks before"
    else:
        trend = 15 + 10 * _clip(m / 0.25, 0, 1)
        why = f"momentum {m:+.0%} against the 4 weeks before"
    receipt.append(["Engagement trend", round(trend, 1), 25, why])
    if inputs.check_ins_due:
        kept = 25 * inputs.check_ins_done / inputs.check_ins_due
        why = f"{inputs.check_ins_done} of {inputs.check_ins_due} post-sale activities due in 180 days done"
    else:
        kept, why = 12.5, "no post-sale activity was due in the last 180 days (half the points)"
    receipt.append(["Check-ins kept", round(kept, 1), 25, why])
    roles = min(inputs.roles_engaged, 4)
    receipt.append(
        ["Committee coverage", round(25 * roles / 4, 1), 25, f"{inputs.roles_engaged} buying roles engaged in 90 days"]
    )
    days = inputs.renewal_days
    if days is None or days > 90:
        renewal, why = 25.0, "no renewal due within 90 days" if days is None else f"renewal in {days} days"
    else:
        renewal = 25 * _clip(days / 90, 0, 1)
        why = f"renewal due in {days} days"
        if inputs.renewal_open:
            renewal = min(25.0, renewal + (25 - renewal) / 2)
            why += ", renewal opportunity open"
    receipt.append(["Renewal proximity", round(renewal, 1), 25, why])
    score = round(sum(row[1] for row in receipt), 1)
    return score, receipt
