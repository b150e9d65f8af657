"""Post-sale care: recurring activities scheduled as tasks, the account health score, review-overdue alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from abe import locks
from abe.models import Membership, Role, Workspace
from abe.texts import english, label, msg, msg_plural, ngettext_noop, specs
from accounts.models import Account, Contact, Lifecycle, Opportunity, OpportunityStatus, OpportunityType
from activation.models import Alert, AlertKind, ConditionType, Severity
from activation.services.evaluation import rules_evaluate
from activation.services.outbox import Outbox, alert_deliveries_create
from work.models import Task, TaskSource, TaskStatus
from work.services import task_create

from ..health import HealthInputs, health_score_texts
from ..models import AccountHealth, AccountPlan, ActivityKind, PlanStatus, RecurringActivity

SCHEDULE_HORIZON_DAYS = 14


def _clean_activity(activity: RecurringActivity) -> None:
    errors: dict[str, str] = {}
    if activity.kind not in ActivityKind.values:
        errors["kind"] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(ActivityKind.values)}
    if not activity.every_days or not 7 <= activity.every_days <= 730:
        errors["every_days"] = gettext("Repeat every 7 to 730 days (91 is quarterly).")
    if activity.next_due is None:
        errors["next_due"] = gettext("Give the date of the next occurrence.")
    if (
        activity.assignee_id
        and not Membership.objects.filter(workspace_id=activity.workspace_id, user_id=activity.assignee_id).exists()
    ):
        errors["assignee"] = gettext("This user is not a member of the workspace.")
    if errors:
        raise ValidationError(errors)
    activity.title = (activity.title or "").strip()[:200]


@transaction.atomic
def recurring_activity_create(
    *, workspace: Workspace, account: Account, by: User | None = None, **data: Any
) -> RecurringActivity:
    unknown = set(data) - {"kind", "title", "every_days", "next_due", "assignee", "is_active"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    if account.workspace_id != workspace.pk:
        raise ValidationError({"account": gettext("Not found in this workspace.")})
    activity = RecurringActivity(workspace=workspace, account=account, **data)
    if activity.assignee_id is None:
        activity.assignee = account.owner
    _clean_activity(activity)
    activity.save()
    recurring_activities_schedule(workspace=workspace, activities=[activity])
    return activity


@transaction.atomic
def recurring_activity_update(activity: RecurringActivity, *, by: User | None = None, **data: Any) -> RecurringActivity:
    unknown = set(data) - {"kind", "title", "every_days", "next_due", "assignee", "is_active", "account"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    if "account" in data and data.pop("account").pk != activity.account_id:
        raise ValidationError({"account": gettext("An activity stays with its account.")})
    for name, value in data.items():
        setattr(activity, name, value)
    _clean_activity(activity)
    activity.save()
    return activity


@transaction.atomic
def recurring_activity_delete(activity: RecurringActivity, *, by: User | None = None) -> None:
    activity.delete()


def recurring_activities_schedule(
    *, workspace: Workspace, today: dt.date | None = None, activities: list[RecurringActivity] | None = None
) -> int:
    """Create the task of every occurrence due within the horizon; safe to repeat (one task per occurrence)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=SCHEDULE_HORIZON_DAYS)
    if activities is None:
        activities = list(
            RecurringActivity.objects.for_workspace(workspace)
            .filter(is_active=True, next_due__lte=horizon)
            .select_related("account")
        )
    created = 0
    for activity in activities:
        with transaction.atomic():
            steps = 0
            while activity.is_active and activity.next_due <= horizon and steps < 12:
                ref = f"recurring:{activity.pk}:{activity.next_due.isoformat()}"
                if not Task.objects.filter(workspace=workspace, source=TaskSource.CHECK_IN, source_ref=ref).exists():
                    task_create(
                        workspace=workspace,
                        title=msg(
                            gettext_noop("%(activity)s: %(account)s"),
                            activity=activity.title or label(_english_kind(activity)),
                            account=activity.account.name,
                        ),
                        account=activity.account,
                        assignee=activity.assignee,
                        due_date=activity.next_due,
                        source=TaskSource.CHECK_IN,
                        source_ref=ref,
                        description=msg_plural(
                            ngettext_noop(
                                "%(kind)s, every %(count)s day. Record the outcome when you complete it.",
                                "%(kind)s, every %(count)s days. Record the outcome when you complete it.",
                            ),
                            activity.every_days,
                            kind=label(_english_kind(activity)),
                        ),
                    )
                    created += 1
                activity.next_due += dt.timedelta(days=activity.every_days)
                steps += 1
            activity.save(update_fields=["next_due", "updated_at"])
    return created


def account_health_inputs(*, account: Account, today: dt.date | None = None) -> HealthInputs:
    today = today or timezone.localdate()
    now = timezone.now()
    check_ins = Task.objects.filter(
        workspace_id=account.workspace_id,
        account=account,
        source=TaskSource.CHECK_IN,
        due_date__gte=today - dt.timedelta(days=180),
        due_date__lte=today,
    ).exclude(status=TaskStatus.CANCELLED)
    due = check_ins.count()
    done = check_ins.filter(status=TaskStatus.DONE).count()
    roles = (
        Contact.objects.filter(account=account, last_engaged_at__gte=now - dt.timedelta(days=90))
        .exclude(buying_role="")
        .values("buying_role")
        .distinct()
        .count()
    )
    renewal = (
        Opportunity.objects.filter(account=account, status=OpportunityStatus.WON, contract_end__gte=today)
        .order_by("contract_end")
        .values_list("contract_end", flat=True)
        .first()
    )
    renewal_open = Opportunity.objects.filter(
        account=account, status=OpportunityStatus.OPEN, type=OpportunityType.RENEWAL
    ).exists()
    return HealthInputs(
        momentum=account.engagement_momentum,
        check_ins_due=due,
        check_ins_done=done,
        roles_engaged=roles,
        renewal_days=(renewal - today).days if renewal else None,
        renewal_open=renewal_open,
    )


@transaction.atomic
def account_health_compute(*, account: Account, now: dt.datetime | None = None) -> AccountHealth:
    now = now or timezone.now()
    score, receipt, whys = health_score_texts(account_health_inputs(account=account, today=timezone.localdate(now)))
    return AccountHealth.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        score=score,
        explanation=receipt,
        texts={"why": whys},
        computed_at=now,
    )


def accounts_health_compute(*, workspace: Workspace) -> int:
    """Health of every customer (post-sale only); one row per account per run, the history is the trend."""
    count = 0
    for account in (
        Account.objects.for_workspace(workspace).filter(lifecycle=Lifecycle.CUSTOMER).order_by("pk").iterator()
    ):
        with transaction.atomic():
            # An account deleted since the list was read is skipped (its health row would fail at commit and stop
            # the pass); one being deleted waits for this row and deletes it (``abe.locks``).
            locks.account_references(workspace.pk, shared=True)
            if not Account.objects.filter(pk=account.pk).exists():
                continue
            account_health_compute(account=account)
        count += 1
    return count


def health_drops_evaluate(*, workspace: Workspace) -> int:
    """Evaluate the workspace's health-drop rules right after a health pass, on the accounts it scored (the
    hourly time-based pass would find them too, later). Returns the alerts fired; safe to repeat (rule states)."""
    since = timezone.now() - dt.timedelta(days=1)
    ids = list(
        AccountHealth.objects.for_workspace(workspace)
        .filter(computed_at__gte=since)
        .values_list("account_id", flat=True)
        .distinct()
    )
    if not ids:
        return 0
    result = rules_evaluate(account_ids=ids, workspace_id=workspace.pk, condition_types=[ConditionType.HEALTH_DROP])
    return len(result.fired)


def _plan_recipients(plan: AccountPlan) -> list[User]:
    users = [u for u in (plan.owner, plan.account.owner) if u is not None]
    if not users:
        users = [
            m.user
            for m in Membership.objects.filter(workspace_id=plan.workspace_id, role=Role.ADMIN).select_related("user")
        ]
    return users


def _english_kind(activity: RecurringActivity) -> str:
    with translation.override("en"):
        return str(activity.get_kind_display())


def plan_reviews_alert_overdue(*, workspace: Workspace, now: dt.datetime | None = None) -> int:
    """One in-app (and email) notice per overdue plan review and due date; safe to repeat (dedupe key)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = 0
    plans = (
        AccountPlan.objects.for_workspace(workspace)
        .filter(status=PlanStatus.CURRENT, next_review_due__lt=today)
        .select_related("account", "owner", "account__owner")
    )
    for plan in plans:
        due = plan.next_review_due
        if due is None:  # excluded by the filter; for the type checker
            continue
        key = f"plan_review:{plan.pk}:{due.isoformat()}"
        if Alert.objects.filter(workspace_id=workspace.pk, dedupe_key=key).exists():
            continue
        with translation.override("en"):
            tier = str(plan.account.get_tier_display())  # the English label (msgid), translated when shown
        title = msg(gettext_noop("Account-plan review overdue: %(account)s"), account=plan.account.name)
        message = msg_plural(
            ngettext_noop(
                "The account plan of %(account)s (%(tier)s) was due for review on %(date)s, %(count)s day ago.",
                "The account plan of %(account)s (%(tier)s) was due for review on %(date)s, %(count)s days ago.",
            ),
            (today - due).days,
            account=plan.account.name,
            tier=label(tier),
            date=due.isoformat(),
        )
        action = msg(gettext_noop("Review the plan with the account team and record the review on the plan page."))
        outbox = Outbox()
        with transaction.atomic():
            alert = Alert.objects.create(
                workspace_id=workspace.pk,
                kind=AlertKind.SYSTEM,
                account=plan.account,
                dedupe_key=key,
                severity=Severity.MEDIUM,
                title=english(title),
                message=english(message),
                recommended_action=english(action),
                texts=specs(title=title, message=message, recommended_action=action),
                facts={"plan": plan.pk, "next_review_due": due.isoformat()},
                created_at=now,
            )
            alert_deliveries_create(alert=alert, recipients=_plan_recipients(plan), now=now, outbox=outbox)
            outbox.publish_on_commit()
        created += 1
    return created


__all__ = ["Q"]
