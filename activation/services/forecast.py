"""How many alerts a change would set off, before it is saved (reads only; nothing is written).

``alerts_forecast`` is registered with ``abe.registry.alert_forecast_register``: the engagement settings preview
calls it with the stage moves and the scores a candidate configuration would give. It counts, per active rule and
within the rule's filters, the crossings the recompute would cause: entering the rule's stage, or rising over a
score or momentum line that is not already crossed. Cool-downs are not applied, so it is an upper bound.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Account

from ..conditions import rule_scope
from ..models import ConditionType, Rule, RuleState


def alerts_forecast(
    *, workspace_id: int, moves: dict[int, tuple[str, str]], scores: dict[int, tuple[float, float]]
) -> int:
    rules = list(
        Rule.objects.for_workspace(workspace_id)
        .filter(is_active=True)
        .filter(
            Q(condition_type__in=[ConditionType.STAGE_ENTERED, ConditionType.SPIKE])
            | Q(condition_type=ConditionType.SCORE_THRESHOLD, params__subject="account")
        )
    )
    total = 0
    for rule in rules:
        params = rule.params or {}
        if rule.condition_type == ConditionType.STAGE_ENTERED:
            ids = [pk for pk, (_, new) in moves.items() if new == params.get("stage")]
        else:
            if rule.condition_type == ConditionType.SCORE_THRESHOLD:
                threshold = float(params.get("threshold") or 0)
                ids = [pk for pk, (score, _) in scores.items() if score >= threshold]
            else:
                ratio, min_score = float(params.get("ratio") or 1), float(params.get("min_score") or 0)
                ids = [pk for pk, (score, mom) in scores.items() if mom >= ratio - 1 and score >= min_score]
            crossed = set(
                RuleState.objects.filter(rule=rule, active=True, contact__isnull=True).values_list(
                    "account_id", flat=True
                )
            )
            ids = [pk for pk in ids if pk not in crossed]
        if ids:
            total += Account.objects.filter(rule_scope(rule), pk__in=ids).count()
    return total
