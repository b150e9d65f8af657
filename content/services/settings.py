"""Content settings: effort allowed per tier, journey stage -> content stage, movement window, ranking prior."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from abe.models import Workspace

from ..models import BuyingStage, ContentSettings, Effort

TIERS = ("strategic", "priority", "standard")


def _number(value: Any, *, low: float, high: float, integer: bool) -> float | int | None:
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@transaction.atomic
def content_settings_save(
    *,
    workspace: Workspace,
    by: User | None = None,
    effort_by_tier: dict[str, str] | None = None,
    stage_map: dict[str, str] | None = None,
    movement_days: Any = None,
    prior_weight: Any = None,
) -> ContentSettings:
    settings, _ = ContentSettings.objects.select_for_update().get_or_create(workspace=workspace)
    errors: dict[str, str] = {}
    if effort_by_tier is not None:
        if not isinstance(effort_by_tier, dict) or set(effort_by_tier) - set(TIERS):
            errors["effort_by_tier"] = gettext("Give an effort for the tiers %(tiers)s.") % {"tiers": ", ".join(TIERS)}
        elif any(v not in Effort.values for v in effort_by_tier.values()):
            errors["effort_by_tier"] = gettext("Effort must be one of: %(choices)s.") % {
                "choices": ", ".join(Effort.values)
            }
        else:
            settings.effort_by_tier = dict(effort_by_tier)
    if stage_map is not None:
        if not isinstance(stage_map, dict) or any(not isinstance(k, str) or len(k) > 40 for k in stage_map):
            errors["stage_map"] = gettext("Map journey stage keys to content stages.")
        elif any(v not in BuyingStage.values for v in stage_map.values()):
            errors["stage_map"] = gettext("Content stages are: %(stages)s.") % {"stages": ", ".join(BuyingStage.values)}
        else:
            settings.stage_map = dict(stage_map)
    if movement_days not in (None, ""):
        days = _number(movement_days, low=1, high=365, integer=True)
        if days is None:
            errors["movement_days"] = gettext("A whole number of days from 1 to 365.")
        else:
            settings.movement_days = days
    if prior_weight not in (None, ""):
        weight = _number(prior_weight, low=0, high=1000, integer=False)
        if weight is None:
            errors["prior_weight"] = gettext("A number from 0 to 1,000.")
        else:
            settings.prior_weight = weight
    if errors:
        raise ValidationError(errors)
    settings.save()
    return settings
