"""Writes on activation rules: create, update, delete, with each condition's settings checked by type."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from abe.models import Membership, Workspace
from accounts.models import Lifecycle, TeamRole, Tier
from engagement.models import SCORED_EVENT_TYPES, TriggerKind
from personas.models import BuyingRole

from ..models import ConditionType, Rule, RuleState, Severity

RULE_FIELDS = {
    "name",
    "description",
    "condition_type",
    "params",
    "filter_tiers",
    "filter_lifecycles",
    "filter_owner",
    "severity",
    "cooldown_hours",
    "recommended_action",
    "notify_owner",
    "notify_team_roles",
    "is_active",
}

# Per condition: parameter -> (kind, required, default). Kinds: float, int, choice lists, free text.
PARAM_SPECS: dict[str, dict[str, tuple[str, bool, Any]]] = {
    ConditionType.SCORE_THRESHOLD: {"subject": ("subject", False, "account"), "threshold": ("positive", True, None)},
    ConditionType.SPIKE: {"ratio": ("ratio", True, None), "min_score": ("nonnegative", False, 0)},
    ConditionType.COMMITTEE_BREADTH: {"members": ("count", True, None), "days": ("days", True, None)},
    ConditionType.ROLE_ENGAGED: {
        "buying_role": ("role", True, None),
        "event_type": ("event_type", False, ""),
        "days": ("days", False, 2),
    },
    ConditionType.STAGE_ENTERED: {"stage": ("stage", True, None), "days": ("days", False, 7)},
    ConditionType.TRIGGER_EVENT: {"kinds": ("kinds", False, []), "days": ("days", False, 7)},
    ConditionType.ENGAGEMENT_DROP: {
        "percent": ("percent", True, None),
        "days": ("days", True, None),
        "min_events": ("count", False, 3),
    },
    ConditionType.MISSING_ROLE: {
        "buying_role": ("role", False, BuyingRole.ECONOMIC_BUYER),
        "days": ("days", True, None),
    },
    ConditionType.DEAL_MISSING_ROLE: {
        "buying_role": ("role", False, BuyingRole.ECONOMIC_BUYER),
        "days": ("days", False, 30),
    },
    ConditionType.KEY_CONTACT_QUIET: {"days": ("days", True, None)},
    ConditionType.RENEWAL_RISK: {"days": ("days", True, None), "percent": ("percent", True, None)},
    ConditionType.MISSED_CHECK_INS: {"missed": ("count", True, None), "days": ("days", False, 7)},
    ConditionType.HEALTH_DROP: {"points": ("points", True, None), "days": ("days", True, None)},
}


def _param(kind: str, value: Any) -> Any:
    """One parameter, converted and checked; raises ValueError with a message for the user."""
    if kind in {"positive", "nonnegative", "ratio", "percent", "points"}:
        number = float(value)
        # "nan" and "inf" pass float() and every comparison below, then jsonb refuses them
        if not math.isfinite(number):
            raise ValueError("must be a number")
        if kind == "positive" and number <= 0:
            raise ValueError("must be above 0")
        if kind == "nonnegative" and number < 0:
            raise ValueError("must be 0 or more")
        if kind == "ratio" and number < 1:
            raise ValueError("a spike ratio is 1.0 or more (1.5 means 50% above the usual week)")
        if kind == "percent" and not 0 < number <= 100:
            raise ValueError("must be between 1 and 100")
        if kind == "points" and not 0 < number <= 100:
            raise ValueError("a health score runs from 0 to 100: a drop is above 0 and at most 100 points")
        return number
    if kind in {"count", "days"}:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("must be a whole number")
        number = int(value)
        if number < 1 or (kind == "days" and number > 365):
            raise ValueError("must be between 1 and 365" if kind == "days" else "must be 1 or more")
        return number
    if kind == "subject":
        if value not in ("account", "contact"):
            raise ValueError("must be “account” or “contact”")
        return value
    if kind == "role":
        if value not in BuyingRole.values:
            raise ValueError(f"unknown buying role “{value}”")
        return value
    if kind == "event_type":
        if value and value not in SCORED_EVENT_TYPES:
            # Outbound touches are the team's own actions, never a contact's engagement.
            raise ValueError(f"unknown event type “{value}”")
        return value or ""
    if kind == "stage":
        stage = str(value).strip().lower()
        if not stage:
            raise ValueError("name the journey stage")
        return stage
    if kind == "kinds":
        kinds = list(dict.fromkeys(value or []))
        unknown = [k for k in kinds if k not in TriggerKind.values]
        if unknown:
            raise ValueError(f"unknown trigger kind(s): {', '.join(map(str, unknown))}")
        return kinds
    raise ValueError("unknown parameter kind")


def rule_params_clean(condition_type: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The condition's parameters with defaults filled in; ValidationError naming each bad parameter."""
    spec = PARAM_SPECS.get(condition_type)
    if spec is None:
        raise ValidationError(
            {"condition_type": gettext("Unknown condition “%(condition_type)s”.") % {"condition_type": condition_type}}
        )
    params = dict(params or {})
    unknown = set(params) - set(spec)
    errors: dict[str, str] = {}
    if unknown:
        errors["params"] = gettext("Not a setting of this condition: %(names)s.") % {
            "names": ", ".join(sorted(unknown))
        }
    cleaned = {}
    for name, (kind, required, default) in spec.items():
        value = params.get(name)
        if value is None or value == "" and kind not in ("event_type",):
            if required:
                errors[name] = gettext("This setting is required for this condition.")
                continue
            value = default
        try:
            cleaned[name] = _param(kind, value)
        except (TypeError, ValueError) as exc:
            errors[name] = str(exc) if str(exc) and not str(exc).startswith(("could not", "invalid")) else "Not valid."
    if errors:
        raise ValidationError({"params": [f"{k}: {v}" if k != "params" else v for k, v in errors.items()]})
    return cleaned


def journey_stage_names(*, workspace: Workspace | int) -> dict[str, str]:
    """The journey stages configured for the workspace (key -> name): the only stages a rule may name."""
    from engagement.services.scoring import scoring_rules

    if isinstance(workspace, int):
        workspace = Workspace.objects.get(pk=workspace)
    return scoring_rules(workspace=workspace).stage_names()


def configured_event_types(*, workspace: Workspace | int) -> dict[str, str]:
    """The engagement types the workspace's scoring counts (weight above 0), value -> label: the only event types
    a rule may wait for. Outbound touches are never among them (they are the team's own actions)."""
    from engagement.models import SCORED_EVENT_CHOICES
    from engagement.services.scoring import scoring_rules

    if isinstance(workspace, int):
        workspace = Workspace.objects.get(pk=workspace)
    weights = scoring_rules(workspace=workspace).weights
    return {value: str(label) for value, label in SCORED_EVENT_CHOICES if weights.get(value, 0) > 0}


def _clean_rule(rule: Rule) -> None:
    errors: dict[str, Any] = {}
    rule.name = (rule.name or "").strip()
    if not rule.name:
        errors["name"] = gettext("A rule needs a name.")
    else:
        clash = Rule.objects.for_workspace(rule.workspace_id).filter(name__iexact=rule.name)
        if rule.pk:
            clash = clash.exclude(pk=rule.pk)
        if clash.exists():
            errors["name"] = gettext("A rule called “%(name)s” already exists.") % {"name": rule.name}
    try:
        rule.params = rule_params_clean(rule.condition_type, rule.params)
        if rule.condition_type == ConditionType.STAGE_ENTERED:
            stages = journey_stage_names(workspace=rule.workspace_id)
            if rule.params.get("stage") not in stages:
                choices = ", ".join(f"{k} ({v})" for k, v in stages.items())
                wrong = rule.params.get("stage")
                raise ValidationError(
                    {"params": [f"stage: “{wrong}” is not a stage of the journey; choose one of: {choices}."]}
                )
        event_type = rule.params.get("event_type")
        if rule.condition_type == ConditionType.ROLE_ENGAGED and event_type:
            types = configured_event_types(workspace=rule.workspace_id)
            if event_type not in types:
                raise ValidationError(
                    {
                        "params": [
                            f"event_type: “{event_type}” is not an event type this workspace scores; choose one of: "
                            f"{', '.join(types)}."
                        ]
                    }
                )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checks = (
        ("filter_tiers", Tier.values, gettext("Unknown tier(s): %(values)s.")),
        ("filter_lifecycles", Lifecycle.values, gettext("Unknown lifecycle stage(s): %(values)s.")),
        ("notify_team_roles", TeamRole.values, gettext("Unknown team role(s): %(values)s.")),
    )
    for field, allowed, message in checks:
        values = list(dict.fromkeys(getattr(rule, field) or []))
        bad = [v for v in values if v not in allowed]
        if bad:
            errors[field] = message % {"values": ", ".join(map(str, bad))}
        setattr(rule, field, values)
    # Two conditions only make sense on one kind of account: say so by default rather than fire everywhere.
    if rule.condition_type == ConditionType.ENGAGEMENT_DROP and not rule.filter_lifecycles:
        rule.filter_lifecycles = [Lifecycle.CUSTOMER]
    if rule.condition_type == ConditionType.MISSING_ROLE and not rule.filter_tiers:
        rule.filter_tiers = [Tier.STRATEGIC]
    if rule.severity not in Severity.values:
        errors["severity"] = gettext("Unknown severity “%(value)s”.") % {"value": rule.severity}
    if (
        rule.filter_owner_id
        and not Membership.objects.filter(workspace_id=rule.workspace_id, user_id=rule.filter_owner_id).exists()
    ):
        errors["filter_owner"] = gettext("The owner must be a member of this workspace.")
    if not rule.notify_owner and not rule.notify_team_roles:
        errors["notify_team_roles"] = gettext("Notify the owner or at least one team role, or nobody hears about it.")
    if errors:
        raise ValidationError(errors)


def _check_fields(data: dict[str, Any]) -> None:
    extra = set(data) - RULE_FIELDS
    if extra:
        raise ValidationError({f: "Unknown field." for f in extra})


@transaction.atomic
def rule_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> Rule:
    _check_fields(data)
    rule = Rule(workspace=workspace, created_by=by if by is not None and by.is_authenticated else None, **data)
    _clean_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_update(rule: Rule, *, by: User | None = None, **data: Any) -> Rule:
    _check_fields(data)
    condition_before, params_before = rule.condition_type, dict(rule.params)
    for name, value in data.items():
        setattr(rule, name, value)
    _clean_rule(rule)
    rule.save()
    if (rule.condition_type, rule.params) != (condition_before, params_before):
        # A changed condition re-arms everywhere: the old "above the line" flags meant something else. The
        # crossing counters stay, so the dedupe keys of new crossings never collide with past alerts.
        RuleState.objects.filter(rule=rule, active=True).update(active=False)
    return rule


@transaction.atomic
def rule_delete(rule: Rule, *, by: User | None = None) -> None:
    rule.delete()
