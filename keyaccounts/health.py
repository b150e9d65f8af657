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
from typing import Any

from django.utils.translation import gettext, gettext_noop

from abe.texts import Msg, msg, num, render


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


# The component names (receipt rows keep them in English: the API's words; pages translate them when shown).
COMPONENTS = (
    gettext_noop("Engagement trend"),
    gettext_noop("Check-ins kept"),
    gettext_noop("Committee coverage"),
    gettext_noop("Renewal proximity"),
)


def health_score(inputs: HealthInputs) -> tuple[float, list[list]]:
    """Return (score 0..100, receipt [[component, points, max, why], ...]) whose points add up to the score."""
    score, receipt, _ = health_score_texts(inputs)
    return score, receipt


def health_score_texts(inputs: HealthInputs) -> tuple[float, list[list], list[dict[str, Any]]]:
    """:func:`health_score` plus each row's ``why`` as a message key and parameters (``abe.texts``), so pages
    show it in the reader's language while the stored receipt keeps the API's English."""
    whys: list[Msg] = []
    m = inputs.momentum
    if m is None:
        trend, why = 12.5, msg(gettext_noop("no engagement baseline yet (half the points)"))
    else:
        trend = 15 * _clip((m + 0.5) / 0.5, 0, 1) if m <= 0 else 15 + 10 * _clip(m / 0.25, 0, 1)
        why = msg(gettext_noop("momentum %(momentum)s against the 4 weeks before"), momentum=f"{m:+.0%}")
    whys.append(why)
    if inputs.check_ins_due:
        kept = 25 * inputs.check_ins_done / inputs.check_ins_due
        why = msg(
            gettext_noop("%(done)s of %(due)s post-sale activities due in 180 days done"),
            done=num(inputs.check_ins_done),
            due=num(inputs.check_ins_due),
        )
    else:
        kept, why = 12.5, msg(gettext_noop("no post-sale activity was due in the last 180 days (half the points)"))
    whys.append(why)
    roles = min(inputs.roles_engaged, 4)
    whys.append(msg(gettext_noop("%(roles)s buying roles engaged in 90 days"), roles=num(inputs.roles_engaged)))
    days = inputs.renewal_days
    if days is None or days > 90:
        renewal = 25.0
        why = (
            msg(gettext_noop("no renewal due within 90 days"))
            if days is None
            else msg(gettext_noop("renewal in %(days)s days"), days=num(days))
        )
    else:
        renewal = 25 * _clip(days / 90, 0, 1)
        if inputs.renewal_open:
            renewal = min(25.0, renewal + (25 - renewal) / 2)
            why = msg(gettext_noop("renewal due in %(days)s days, renewal opportunity open"), days=num(days))
        else:
            why = msg(gettext_noop("renewal due in %(days)s days"), days=num(days))
    whys.append(why)
    points = [round(trend, 1), round(kept, 1), round(25 * roles / 4, 1), round(renewal, 1)]
    receipt = [[name, p, 25, why.english()] for name, p, why in zip(COMPONENTS, points, whys, strict=True)]
    score = round(sum(points), 1)
    return score, receipt, [why.spec() for why in whys]


def explanation_rows(explanation: list[list], whys: list[dict[str, Any]]) -> list[tuple[str, Any, Any, str]]:
    """The receipt as shown: component names and reasons in the active language (the stored English where a
    reading has no keys, e.g. one computed before they were kept)."""
    rows = []
    for i, row in enumerate(explanation):
        if len(row) < 4:
            continue
        spec = whys[i] if i < len(whys) else None
        rows.append((gettext(str(row[0])), row[1], row[2], render(spec, str(row[3]))))
    return rows
