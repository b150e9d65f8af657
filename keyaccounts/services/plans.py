"""Account plans: create (one current plan per account), edit with history, review, objectives, risks, actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from abe.labels import ChoiceLabels, english_label
from abe.models import Membership, Workspace
from abe.texts import Msg, label, msg, num, specs
from accounts.models import Account, Contact, Tier
from work.models import Task, TaskSource
from work.services import task_create

from ..models import (
    PLAN_TEXT_FIELDS,
    AccountPlan,
    AccountPlanChange,
    KeyAccountSettings,
    PlanObjective,
    PlanReview,
    PlanRisk,
    PlanStatus,
    RiskLevel,
    RiskStatus,
)

MAX_TEXT = 10_000


class PlanConflictError(ValidationError):
    """The account already has a current plan (the API answers 409)."""


def key_account_settings_get(*, workspace: Workspace) -> KeyAccountSettings:
    settings_row, _ = KeyAccountSettings.objects.get_or_create(workspace=workspace)
    return settings_row


@transaction.atomic
def key_account_settings_update(*, workspace: Workspace, by: User | None = None, **data: Any) -> KeyAccountSettings:
    row = key_account_settings_get(workspace=workspace)
    allowed = {
        "strategic_review_days",
        "priority_review_days",
        "standard_review_days",
        "winback_after_days",
        "news_ignored_names",
    }
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, str] = {}
    for name, value in data.items():
        if name.endswith("_days") and (not isinstance(value, int) or not 1 <= value <= 3650):
            errors[name] = gettext("Give a number of days between 1 and 3650.")
        if name == "news_ignored_names":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = gettext("Give a list of names.")
            else:
                data[name] = sorted({v.strip() for v in value if v.strip()}, key=str.lower)
    if errors:
        raise ValidationError(errors)
    for name, value in data.items():
        setattr(row, name, value)
    row.save()
    for plan in (
        AccountPlan.objects.for_workspace(workspace).filter(status=PlanStatus.CURRENT).select_related("account")
    ):
        _schedule_review(plan, row)
        plan.save(update_fields=["next_review_due", "updated_at"])
    return row


def _schedule_review(plan: AccountPlan, settings_row: KeyAccountSettings) -> None:
    start = plan.last_reviewed_at or plan.created_at or timezone.now()
    plan.next_review_due = timezone.localdate(start) + dt.timedelta(days=settings_row.review_days(plan.account.tier))


def plan_reviews_reschedule(*, workspace_id: int, moves: dict[int, tuple[str, str]], by_id: int | None = None) -> int:
    """After accounts change tier (``abe.registry.tier_changed_register``): the next review of their current plan
    follows the new tier's cadence, counted from the last review (or the plan's creation), and the plan's history
    says so. Runs inside the tier move's transaction; returns the plans re-dated."""
    plans = list(
        AccountPlan.objects.for_workspace(workspace_id)
        .filter(account_id__in=list(moves), status=PlanStatus.CURRENT)
        .select_related("account")
    )
    if not plans:
        return 0
    settings_row = key_account_settings_get(workspace=Workspace.objects.get(pk=workspace_id))
    by = User.objects.filter(pk=by_id).first() if by_id else None
    labels = {t: t.capitalize() for t in Tier.values}  # "Strategic", without the "(1:1)" of the choice label
    changed = 0
    for plan in plans:
        old_tier, new_tier = moves[plan.account_id]
        plan.account.tier = new_tier  # the move is written; the row read here may predate it
        old_due = plan.next_review_due
        _schedule_review(plan, settings_row)
        if plan.next_review_due == old_due:
            continue
        plan.save(update_fields=["next_review_due", "updated_at"])
        cadence = settings_row.review_days(new_tier)
        _log(
            plan,
            f"next review: tier {labels.get(old_tier, old_tier)} → {labels.get(new_tier, new_tier)}",
            old_due,
            f"{plan.next_review_due} (every {cadence} days)",
            by,
            shown={
                "field": msg(
                    gettext_noop("Next review: tier %(old)s → %(new)s"),
                    old=_choice(Tier, old_tier),
                    new=_choice(Tier, new_tier),
                ),
                "new": msg(
                    gettext_noop("%(date)s (every %(days)s days)"), date=str(plan.next_review_due), days=num(cadence)
                ),
            },
        )
        changed += 1
    return changed


def _clean_text(data: dict[str, Any], errors: dict[str, str]) -> None:
    for name in PLAN_TEXT_FIELDS:
        if name in data:
            value = data[name]
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors[name] = gettext("Must be text.")
                continue
            if len(value) > MAX_TEXT:
                errors[name] = gettext("At most %(count)s characters.") % {"count": MAX_TEXT}
            data[name] = value.strip()


def _check_owner(workspace: Workspace, owner: User | None, errors: dict[str, str]) -> None:
    if owner is not None and not Membership.objects.filter(workspace=workspace, user=owner).exists():
        errors["owner"] = gettext("This user is not a member of the workspace.")


# The plan's own fields as the plan page heads them.
FIELD_LABELS = {
    "goals": gettext_noop("Goals"),
    "plans": gettext_noop("Plans"),
    "challenges": gettext_noop("Challenges"),
    "stakes": gettext_noop("Stakes"),
    "timeline": gettext_noop("Timeline"),
    "owner": gettext_noop("Owner"),
}


def _choice(choices: Any, value: Any) -> dict[str, Any]:
    """A choice's label, translated when shown (stored as its English msgid); an unknown value as it is."""
    return label(english_label(ChoiceLabels(choices), value, str(value)))


def _field(model: Any, name: str) -> dict[str, Any]:
    """A model field's name (its verbose name), translated when shown."""
    with translation.override("en"):
        return label(str(model._meta.get_field(name).verbose_name))


def _value(model: Any, name: str, value: Any) -> Msg | None:
    """How a changed value reads, from the model field: a choice's label, a figure in the reader's format; None
    (shown as stored) for titles, texts and dates."""
    field = model._meta.get_field(name)
    if field.choices:
        return msg("%(value)s", value=label(english_label(dict(field.flatchoices), value, str(value))))
    if isinstance(field, models.DecimalField) and value is not None:
        return msg("%(value)s", value=num(float(value), None))
    return None


def _log_changes(item: PlanObjective | PlanRisk, before: dict[str, Any], by: User | None, *, kind: str) -> None:
    """One history line per field of an objective or a risk that changed (``kind``: "objective" or "risk")."""
    heading = {
        "objective": gettext_noop("Objective “%(title)s”: %(field)s"),
        "risk": gettext_noop("Risk “%(title)s”: %(field)s"),
    }[kind]
    model = type(item)
    for name, old in before.items():
        new = getattr(item, name)
        if old == new:
            continue
        _log(
            item.plan,
            f"{kind} {item.title}: {name}",
            old,
            new,
            by,
            shown={
                "field": msg(heading, title=item.title, field=_field(model, name)),
                "old": _value(model, name, old),
                "new": _value(model, name, new),
            },
        )


def _log(
    plan: AccountPlan,
    field: str,
    old: Any,
    new: Any,
    by: User | None,
    *,
    shown: dict[str, Msg | None] | None = None,
    hidden: tuple[str, ...] = (),
) -> None:
    """A line of the plan's history. ``field``, ``old`` and ``new`` are stored in English, as the API returns them
    (``field`` cut to its 60 characters); ``shown`` gives any of the three as a message (abe.texts) for the page,
    which renders it in the reader's language (a name, a number or a date: None, shown as stored); ``hidden``
    names those the page leaves out."""
    texts: dict[str, Any] = specs(**{k: v for k, v in (shown or {}).items() if v is not None})
    texts.update(dict.fromkeys(hidden))
    AccountPlanChange.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        field=field[:60],
        old="" if old is None else str(old),
        new="" if new is None else str(new),
        by=by if by is not None and by.is_authenticated else None,
        texts=texts,
    )


@transaction.atomic
def account_plan_create(
    *,
    workspace: Workspace,
    account: Account,
    by: User | None = None,
    owner: User | None = None,
    **data: Any,
) -> AccountPlan:
    """Start the account's plan; an account has one current plan (a second raises :class:`PlanConflictError`)."""
    unknown = set(data) - set(PLAN_TEXT_FIELDS)
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, str] = {}
    if account is None or account.workspace_id != workspace.pk:
        errors["account"] = gettext("Not found in this workspace.")
    _clean_text(data, errors)
    _check_owner(workspace, owner, errors)
    if errors:
        raise ValidationError(errors)
    if AccountPlan.objects.filter(workspace=workspace, account=account, status=PlanStatus.CURRENT).exists():
        raise PlanConflictError(
            {
                "account": gettext("%(account)s already has a current account plan; edit that one.")
                % {"account": account.name}
            }
        )
    plan = AccountPlan(workspace=workspace, account=account, owner=owner or account.owner, created_by=by, **data)
    plan.created_at = timezone.now()
    _schedule_review(plan, key_account_settings_get(workspace=workspace))
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # a concurrent create of the same account's plan
        raise PlanConflictError(
            {"account": gettext("%(account)s already has a current account plan.") % {"account": account.name}}
        ) from None
    _log(plan, "created", "", "Plan created", by, shown={"field": msg(gettext_noop("Plan created"))}, hidden=("new",))
    return plan


@transaction.atomic
def account_plan_update(plan: AccountPlan, *, by: User | None = None, **data: Any) -> AccountPlan:
    unknown = set(data) - set(PLAN_TEXT_FIELDS) - {"owner", "account"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    if "account" in data and data.pop("account").pk != plan.account_id:
        raise ValidationError({"account": gettext("A plan stays with its account; archive it and start a new one.")})
    errors: dict[str, str] = {}
    _clean_text(data, errors)
    if "owner" in data:
        _check_owner(plan.workspace, data["owner"], errors)
    if errors:
        raise ValidationError(errors)
    changed = []
    for name, value in data.items():
        old = getattr(plan, name)
        if old != value:
            _log(plan, name, old, value, by, shown={"field": msg(FIELD_LABELS[name])})
            setattr(plan, name, value)
            changed.append(name)
    # Only what the person changed: a whole-row save would write back the review date a tier move re-dated
    # meanwhile (``tier_changed_register``) as it was read at the start of the request.
    plan.save(update_fields=sorted({*changed, "updated_at"}))
    return plan


@transaction.atomic
def account_plan_archive(*, plan: AccountPlan, by: User | None = None) -> AccountPlan:
    if plan.status == PlanStatus.ARCHIVED:
        return plan
    plan.status = PlanStatus.ARCHIVED
    plan.save(update_fields=["status", "updated_at"])
    _log(
        plan,
        "status",
        PlanStatus.CURRENT,
        PlanStatus.ARCHIVED,
        by,
        shown={
            "field": msg(gettext_noop("Status")),
            "old": msg("%(value)s", value=_choice(PlanStatus, PlanStatus.CURRENT)),
            "new": msg("%(value)s", value=_choice(PlanStatus, PlanStatus.ARCHIVED)),
        },
    )
    return plan


@transaction.atomic
def account_plan_delete(plan: AccountPlan, *, by: User | None = None) -> None:
    plan.delete()


@transaction.atomic
def account_plan_review(*, plan: AccountPlan, by: User | None = None, note: str = "") -> PlanReview:
    """Record a review (e.g. the quarterly business review); the next one falls due after the tier's cadence."""
    if plan.status != PlanStatus.CURRENT:
        raise ValidationError({"plan": gettext("Only the current plan is reviewed.")})
    now = timezone.now()
    review = PlanReview.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        note=(note or "").strip()[:MAX_TEXT],
        reviewed_by=by if by is not None and by.is_authenticated else None,
        reviewed_at=now,
    )
    old_due = plan.next_review_due
    plan.last_reviewed_at = now
    _schedule_review(plan, key_account_settings_get(workspace=plan.workspace))
    plan.save(update_fields=["last_reviewed_at", "next_review_due", "updated_at"])
    _log(plan, "reviewed", old_due, plan.next_review_due, by, shown={"field": msg(gettext_noop("Reviewed"))})
    return review


# Objectives


def _decimal(value: Any, name: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        errors[name] = gettext("Give a number.")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        errors[name] = gettext("Give a number.")
        return None
    return number


def _clean_objective(objective: PlanObjective) -> None:
    errors: dict[str, str] = {}
    objective.title = (objective.title or "").strip()
    if not objective.title:
        errors["title"] = gettext("Say what the objective is.")
    for name in ("baseline", "target", "current"):
        value = _decimal(getattr(objective, name), name, errors)
        if value is None and name == "target" and name not in errors:
            errors["target"] = gettext("An objective needs a measurable target.")
        setattr(objective, name, value if value is not None else Decimal("0"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_objective_create(
    *, workspace: Workspace, plan: AccountPlan, by: User | None = None, **data: Any
) -> PlanObjective:
    if plan.workspace_id != workspace.pk:
        raise ValidationError({"plan": gettext("Not found in this workspace.")})
    allowed = {"title", "metric", "baseline", "target", "current", "due_date"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    objective = PlanObjective(workspace=workspace, plan=plan, **data)
    _clean_objective(objective)
    objective.save()
    _log(
        plan,
        "objective added",
        "",
        f"{objective.title}: target {objective.target} {objective.metric}",
        by,
        shown={
            "field": msg(gettext_noop("Objective added")),
            "new": msg(
                gettext_noop("%(title)s: target %(target)s %(metric)s"),
                title=objective.title,
                target=num(float(objective.target), None),
                metric=objective.metric,
            ),
        },
    )
    return objective


@transaction.atomic
def plan_objective_update(objective: PlanObjective, *, by: User | None = None, **data: Any) -> PlanObjective:
    allowed = {"title", "metric", "baseline", "target", "current", "due_date", "plan"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    if "plan" in data and data.pop("plan").pk != objective.plan_id:
        raise ValidationError({"plan": gettext("An objective stays with its plan.")})
    before = {name: getattr(objective, name) for name in data}
    for name, value in data.items():
        setattr(objective, name, value)
    _clean_objective(objective)
    objective.save()
    _log_changes(objective, before, by, kind="objective")
    return objective


@transaction.atomic
def plan_objective_delete(objective: PlanObjective, *, by: User | None = None) -> None:
    _log(
        objective.plan,
        "objective removed",
        objective.title,
        "",
        by,
        shown={"field": msg(gettext_noop("Objective removed"))},
    )
    objective.delete()


# Risks


def _clean_risk(risk: PlanRisk) -> None:
    errors: dict[str, str] = {}
    risk.title = (risk.title or "").strip()
    if not risk.title:
        errors["title"] = gettext("Name the risk.")
    for name in ("likelihood", "impact"):
        if getattr(risk, name) not in RiskLevel.values:
            errors[name] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(RiskLevel.values)}
    if risk.status not in RiskStatus.values:
        errors["status"] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(RiskStatus.values)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_risk_create(*, workspace: Workspace, plan: AccountPlan, by: User | None = None, **data: Any) -> PlanRisk:
    if plan.workspace_id != workspace.pk:
        raise ValidationError({"plan": gettext("Not found in this workspace.")})
    unknown = set(data) - {"title", "likelihood", "impact", "mitigation", "status"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    risk = PlanRisk(workspace=workspace, plan=plan, **data)
    _clean_risk(risk)
    risk.save()
    _log(
        plan,
        "risk added",
        "",
        f"{risk.title} ({risk.likelihood} likelihood, {risk.impact} impact)",
        by,
        shown={
            "field": msg(gettext_noop("Risk added")),
            "new": msg(
                gettext_noop("%(title)s (%(likelihood)s likelihood, %(impact)s impact)"),
                title=risk.title,
                likelihood=_choice(RiskLevel, risk.likelihood),
                impact=_choice(RiskLevel, risk.impact),
            ),
        },
    )
    return risk


@transaction.atomic
def plan_risk_update(risk: PlanRisk, *, by: User | None = None, **data: Any) -> PlanRisk:
    unknown = set(data) - {"title", "likelihood", "impact", "mitigation", "status", "plan"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    if "plan" in data and data.pop("plan").pk != risk.plan_id:
        raise ValidationError({"plan": gettext("A risk stays with its plan.")})
    before = {name: getattr(risk, name) for name in data}
    for name, value in data.items():
        setattr(risk, name, value)
    _clean_risk(risk)
    risk.save()
    _log_changes(risk, before, by, kind="risk")
    return risk


@transaction.atomic
def plan_risk_delete(risk: PlanRisk, *, by: User | None = None) -> None:
    _log(risk.plan, "risk removed", risk.title, "", by, shown={"field": msg(gettext_noop("Risk removed"))})
    risk.delete()


# Actions: the plan's action plan is a list of work.Task rows (source account_plan, source_ref "account_plan:<id>").


def plan_source_ref(plan: AccountPlan) -> str:
    return f"account_plan:{plan.pk}"


@transaction.atomic
def plan_action_create(
    *,
    plan: AccountPlan,
    title: str,
    by: User | None = None,
    assignee: User | None = None,
    due_date: dt.date | None = None,
    contact: Contact | None = None,
    description: str = "",
) -> Task:
    task = task_create(
        workspace=plan.workspace,
        title=title,
        account=plan.account,
        by=by,
        contact=contact,
        assignee=assignee,
        due_date=due_date,
        description=description,
        source=TaskSource.ACCOUNT_PLAN,
        source_ref=plan_source_ref(plan),
    )
    who = (assignee.get_full_name() or assignee.username) if assignee is not None else "nobody"
    _log(
        plan,
        "action added",
        "",
        f"{task.title} (owner {who}, due {due_date or 'no date'})",
        by,
        shown={
            "field": msg(gettext_noop("Action added")),
            "new": msg(
                gettext_noop("%(title)s (owner %(who)s, due %(due)s)"),
                title=task.title,
                who=(assignee.get_full_name() or assignee.username)
                if assignee is not None
                else label(gettext_noop("nobody")),
                due=str(due_date) if due_date else label(gettext_noop("no date")),
            ),
        },
    )
    return task
