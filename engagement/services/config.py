"""Writes on a workspace's scoring configuration; a saved change triggers one full recompute after commit."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from abe import texts
from abe.models import Job, Workspace
from abe.registry import alert_forecasts
from personas.models import BuyingRole, Seniority

from ..models import SCORED_EVENT_TYPES, EngagementConfig
from ..rules import DEFAULT_STAGES, OPPORTUNITY_CONDITIONS, ScoringRules
from .scoring import StagePreview, scores_dry_run, scores_preview

CONFIG_FIELDS = {
    "weights",
    "half_lives",
    "daily_caps",
    "role_multipliers",
    "seniority_multipliers",
    "breadth_bonus_per_role",
    "stages",
    "create_unknown_contacts",
}


def engagement_config_get(*, workspace: Workspace) -> EngagementConfig:
    config, _ = EngagementConfig.objects.get_or_create(workspace=workspace)
    return config


def _numbers(
    name: str,
    values: Mapping[str, Any],
    keys: set[str],
    errors: dict[str, Any],
    *,
    low: float,
    high: float,
    integer: bool = False,
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if values is None:
        return cleaned
    if not isinstance(values, Mapping):
        errors[name] = gettext("Give an object of numbers, keyed by %(keys)s.") % {"keys": ", ".join(sorted(keys))}
        return cleaned
    for key, value in values.items():
        if key not in keys:
            errors[name] = gettext("Unknown key “%(key)s”.") % {"key": key}
            continue
        try:
            number = int(value) if integer else float(value)
        except (TypeError, ValueError):
            errors[name] = gettext("“%(key)s” must be a number.") % {"key": key}
            continue
        if not math.isfinite(number) or not low <= number <= high:
            errors[name] = gettext("“%(key)s” must be between %(low)s and %(high)s.") % {
                "key": key,
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
            continue
        cleaned[key] = number
    return cleaned


def stages_clean(stages: Any) -> list[dict[str, Any]]:
    """Check a stage list: unique keys, known conditions, and a last stage that always matches."""
    if not stages:
        return [dict(s) for s in DEFAULT_STAGES]
    if not isinstance(stages, list):
        raise ValidationError({"stages": gettext("Give a list of stages, top stage first.")})
    cleaned, keys = [], set()
    for i, stage in enumerate(stages):
        if not isinstance(stage, Mapping):
            raise ValidationError(
                {
                    "stages": gettext("Stage %(number)s: give an object with a key, a name and thresholds.")
                    % {"number": i + 1}
                }
            )
        key = str(stage.get("key", "")).strip()
        name = str(stage.get("name", "")).strip() or key.capitalize()
        if not key or not key.replace("_", "").isalnum() or len(key) > 40:
            raise ValidationError(
                {
                    "stages": gettext("Stage %(number)s: a key of letters, digits and underscores is required.")
                    % {"number": i + 1}
                }
            )
        if key in keys:
            raise ValidationError({"stages": gettext("Stage key “%(key)s” is used twice.") % {"key": key}})
        keys.add(key)
        opportunity = stage.get("opportunity") or ""
        if not isinstance(opportunity, str) or opportunity not in OPPORTUNITY_CONDITIONS:
            raise ValidationError(
                {
                    "stages": gettext("Stage “%(name)s”: the opportunity condition must be won, open or empty.")
                    % {"name": name}
                }
            )
        min_score = stage.get("min_score")
        min_breadth = stage.get("min_breadth")
        try:
            min_score = None if min_score in (None, "") else float(min_score)
            min_breadth = None if min_breadth in (None, "") else int(min_breadth)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(
                {"stages": gettext("Stage “%(name)s”: thresholds must be numbers.") % {"name": name}}
            ) from None
        if (min_score is not None and not math.isfinite(min_score)) or isinstance(stage.get("min_breadth"), bool):
            raise ValidationError({"stages": gettext("Stage “%(name)s”: thresholds must be numbers.") % {"name": name}})
        if (min_score is not None and min_score < 0) or (min_breadth is not None and min_breadth < 0):
            raise ValidationError(
                {"stages": gettext("Stage “%(name)s”: thresholds cannot be negative.") % {"name": name}}
            )
        if (min_score is not None and min_score > 1_000_000) or (min_breadth is not None and min_breadth > 100):
            raise ValidationError(
                {
                    "stages": gettext("Stage “%(name)s”: use a minimum score up to 1,000,000 and at most 100 roles.")
                    % {"name": name}
                }
            )
        cleaned.append(
            {"key": key, "name": name, "opportunity": opportunity, "min_score": min_score, "min_breadth": min_breadth}
        )
    last = cleaned[-1]
    if last["opportunity"] or last["min_score"] or last["min_breadth"]:
        raise ValidationError(
            {"stages": gettext("The last stage must have no condition, so every account has a stage.")}
        )
    return cleaned


def engagement_config_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a (partial) configuration; raises ValidationError with one message per field."""
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": gettext("Give an object of settings.")})
    unknown = set(data) - CONFIG_FIELDS
    if unknown:
        raise ValidationError(
            {"non_field_errors": gettext("Unknown setting(s): %(values)s.") % {"values": ", ".join(sorted(unknown))}}
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    types = set(SCORED_EVENT_TYPES)
    if "weights" in data:
        cleaned["weights"] = _numbers("weights", data["weights"], types, errors, low=0, high=1000)
    if "half_lives" in data:
        cleaned["half_lives"] = _numbers("half_lives", data["half_lives"], types, errors, low=0.25, high=3650)
    if "daily_caps" in data:
        cleaned["daily_caps"] = _numbers(
            "daily_caps", data["daily_caps"], types, errors, low=1, high=10_000, integer=True
        )
    if "role_multipliers" in data:
        cleaned["role_multipliers"] = _numbers(
            "role_multipliers", data["role_multipliers"], set(BuyingRole.values), errors, low=0, high=10
        )
    if "seniority_multipliers" in data:
        cleaned["seniority_multipliers"] = _numbers(
            "seniority_multipliers", data["seniority_multipliers"], set(Seniority.values), errors, low=0, high=10
        )
    if "breadth_bonus_per_role" in data:
        bonus = _numbers("breadth_bonus_per_role", {"b": data["breadth_bonus_per_role"]}, {"b"}, errors, low=0, high=5)
        if "b" in bonus:
            cleaned["breadth_bonus_per_role"] = bonus["b"]
    if "stages" in data:
        try:
            cleaned["stages"] = stages_clean(data["stages"])
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if "create_unknown_contacts" in data:
        if not isinstance(data["create_unknown_contacts"], bool):
            errors["create_unknown_contacts"] = gettext("Give true or false.")
        else:
            cleaned["create_unknown_contacts"] = data["create_unknown_contacts"]
    if errors:
        raise ValidationError(errors)
    return cleaned


def engagement_config_rules(*, config: EngagementConfig, data: Mapping[str, Any]) -> ScoringRules:
    """The rules ``config`` would have with ``data`` applied (for a preview; nothing is saved)."""
    cleaned = engagement_config_clean(data)
    values = {f: getattr(config, f) for f in CONFIG_FIELDS - {"create_unknown_contacts"}}
    values.update({k: v for k, v in cleaned.items() if k != "create_unknown_contacts"})
    return ScoringRules.from_values(daily_caps=values.pop("daily_caps"), version=config.version, **values)


@transaction.atomic
def engagement_config_update(
    *, workspace: Workspace, by: User | None = None, per_account_alerts: bool = False, **data: Any
) -> EngagementConfig:
    """Save scoring settings; a change to the maths triggers one full recompute once committed.

    The recompute records every stage change, but the alerts it would set off are held back: the admins and the
    owners of the moved accounts get one summary notice instead, unless ``per_account_alerts`` is asked for.
    """
    cleaned = engagement_config_clean(data)
    config = EngagementConfig.objects.select_for_update().get(pk=engagement_config_get(workspace=workspace).pk)
    # Compared as they apply (defaults filled in): saving the values shown, or a default spelled out, changes nothing.
    before = ScoringRules.from_config(config)
    for key, value in cleaned.items():
        setattr(config, key, value)
    maths_changed = ScoringRules.from_config(config) != before
    config.updated_by = by if by is not None and by.is_authenticated else None
    if maths_changed:
        config.version += 1
    config.save()
    if maths_changed:
        change = {
            "key": f"engagement_settings:v{config.version}",
            "label": gettext_noop("Engagement scoring settings"),  # shown translated in the notice's title
            "by": config.updated_by.pk if config.updated_by else None,
            "per_account_alerts": bool(per_account_alerts),
        }
        engagement_recompute_later(workspace=workspace, change=change, by=config.updated_by)
    return config


@dataclass
class ConfigPreview:
    """What saving a candidate configuration would do: the stage moves, and the alerts the rules would fire."""

    stages: StagePreview
    alerts: int  # alerts the after-scoring rule pass would deliver (cool-downs and dedupe applied)


def engagement_config_preview(
    *, workspace: Workspace, data: Mapping[str, Any], progress: Callable[[int], None] | None = None
) -> ConfigPreview:
    """Preview a (partial) configuration: nothing is saved. ValidationError as ``engagement_config_update`` raises.

    The alerts are counted by a dry run: the candidate configuration and the scores, stages and stage changes
    its recompute would write are written in a transaction, the registered alert forecasts
    (``abe.registry.alert_forecast_register``: activation runs its real rule pass) count what would fire on the
    accounts that changed, and the transaction is rolled back. ``progress`` is called with the steps done (1 once
    the would-be scores are known, 2 once the dry run is over)."""
    config = engagement_config_get(workspace=workspace)
    cleaned = engagement_config_clean(data)
    candidate = engagement_config_rules(config=config, data=data)
    preview = scores_preview(workspace=workspace, rules=candidate)
    if progress is not None:
        progress(1)

    def probe(account_ids: list[int], now: datetime) -> int:
        if not account_ids:
            return 0
        return sum(
            int(import_string(path)(workspace_id=workspace.pk, account_ids=account_ids, now=now))
            for path in alert_forecasts()
        )

    with transaction.atomic():
        try:
            locked = EngagementConfig.objects.select_for_update().get(pk=config.pk)
            for key, value in cleaned.items():
                setattr(locked, key, value)
            locked.save()
            alerts = scores_dry_run(workspace=workspace, preview=preview, probe=probe)
        finally:
            transaction.set_rollback(True)
    if progress is not None:
        progress(2)
    return ConfigPreview(stages=preview, alerts=alerts)


def engagement_config_preview_result(preview: ConfigPreview) -> dict[str, Any]:
    """A preview as JSON (a job's result): the stages (key, name, now, after), the moves in and out, the alerts."""
    return {
        "stages": [list(row) for row in preview.stages.stages],
        "entering": dict(preview.stages.entering),
        "leaving": dict(preview.stages.leaving),
        "moved": preview.stages.moved,
        "alerts": preview.alerts,
    }


PREVIEW_JOB = "engagement_preview"


def engagement_config_preview_later(
    *, workspace: Workspace, data: Mapping[str, Any], by: User | None, per_account_alerts: bool = False
) -> Job:
    """The settings page's preview as a job: the dry run takes seconds on thousands of accounts, so on the real
    stack a worker runs it and the page polls the job; its result is :func:`engagement_config_preview_result`.
    The values are checked first (ValidationError at once, no job). On the embedded default it runs inline."""
    from abe.jobs import job_create
    from accounts.models import Account

    from ..tasks import engagement_preview_job_task

    engagement_config_clean(data)
    total = Account.objects.for_workspace(workspace).count()
    job = job_create(
        workspace=workspace,
        kind=PREVIEW_JOB,
        label=texts.msg_plural(
            texts.ngettext_noop(
                "Preview of the scoring settings on %(count)s account (nothing is saved)",
                "Preview of the scoring settings on %(count)s accounts (nothing is saved)",
            ),
            total,
        ),
        total=PREVIEW_STEPS,
        params={"data": dict(data), "per_account_alerts": bool(per_account_alerts)},
        by=by if by is not None and by.is_authenticated else None,
        task=engagement_preview_job_task,
    )
    if job.inline:
        # Embedded default: run it now, whatever transaction the caller is in, so that the answer holds the result;
        # the eager task published on commit then finds the job finished and leaves it alone.
        engagement_preview_job_task(job.pk)
        job.refresh_from_db()
    return job


PREVIEW_STEPS = 2  # the would-be scores and stages; the dry run of the rescore and the rules


RECOMPUTE_JOB = "engagement_recompute"


def engagement_recompute_later(*, workspace: Workspace, change: dict[str, Any] | None, by: User | None) -> Job:
    """The full recompute as a job (after commit): the settings page shows its true status and progress."""
    from abe.jobs import job_create
    from accounts.models import Account

    from ..tasks import engagement_recompute_job_task

    total = Account.objects.for_workspace(workspace).count()
    label = texts.msg_plural(
        texts.ngettext_noop("Rescore engagement of %(count)s account", "Rescore engagement of %(count)s accounts"),
        total,
    )
    if change is not None:
        label = texts.msg_plural(
            texts.ngettext_noop(
                "Rescore engagement of %(count)s account (%(what)s changed)",
                "Rescore engagement of %(count)s accounts (%(what)s changed)",
            ),
            total,
            what=texts.label(str(change.get("label") or gettext_noop("Settings")), lower=True),
        )
    return job_create(
        workspace=workspace,
        kind=RECOMPUTE_JOB,
        label=label,
        total=total,
        params={"change": change},
        by=by,
        task=engagement_recompute_job_task,
    )
