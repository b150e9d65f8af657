"""Browser pages: the alert inbox (htmx filters, one-click actions, live unread badge), alert detail, the rule
editor (admins and marketing), webhook subscriptions (admins) and the alerts panel on the account page.

Views check access, validate forms and call the same services as the API.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST

from abe import permissions as role_rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.jobs import job_list
from abe.models import Job, JobStatus
from abe.paging import ignored_params, paginate, text_param, whole_number
from abe.rows import rendered_rows
from abe.templatetags.abe_tags import person
from abe.views import admin_required, safe_next, workspace_required
from accounts.models import LIFECYCLE_LABELS, TIER_LABELS

from . import selectors
from .filters import ALERT_SORTS
from .forms import STAGE_SUGGESTIONS, AssignForm, PreferenceForm, RuleForm, SnoozeForm, WebhookSubscriptionForm
from .models import Alert, AlertAction, ConditionType, EmailMode, Rule, Severity, WebhookSubscription
from .permissions import can_act_on_alert
from .services import alerts as alert_services
from .services import rules as rule_services
from .services import webhooks as webhook_services
from .services.forecast import RULE_PREVIEW_JOB, rule_forecast_later

PAGE_SIZE = 25
STATUS_FILTERS = [
    ("active", gettext_lazy("Open & acknowledged")),
    ("open", gettext_lazy("Open")),
    ("acknowledged", gettext_lazy("Acknowledged")),
    ("snoozed", gettext_lazy("Snoozed")),
    ("resolved", gettext_lazy("Resolved")),
    ("dismissed", gettext_lazy("Dismissed")),
    ("all", gettext_lazy("All")),
    # Never delivered: muted by a rule's cool-down, or held back by a configuration change (a summary notice
    # spoke for them). Admins and marketing find them with "Everyone's" alerts.
    ("suppressed", gettext_lazy("Suppressed (cool-down)")),
    ("held_back", gettext_lazy("Held back (configuration change)")),
]
QUICK_SNOOZE = timedelta(days=1)


def _int(value: str | None) -> int | None:
    return whole_number(value, max_digits=9)


def _filters(request: MemberRequest) -> selectors.AlertFilters:
    status = request.GET.get("status") or "active"
    if status not in dict(STATUS_FILTERS):
        status = "active"
    severity = request.GET.get("severity") or ""
    scope_all = request.GET.get("scope") == "all" and role_rules.can_write_everything(request)
    return selectors.AlertFilters(
        status=status,
        severity=severity if severity in Severity.values else "",
        rule_id=_int(request.GET.get("rule")),
        account_id=_int(request.GET.get("account")),
        mine=not scope_all,
        q=text_param(request),
        sort=str(request.GET.get("sort")) if request.GET.get("sort") in ALERT_SORTS else "severity",
    )


def _ignored_filters(request: MemberRequest, filters: selectors.AlertFilters) -> list[str]:
    """The filters given with a value the inbox does not know (it falls back to the default for each)."""
    given = request.GET
    ignored = []
    if given.get("status") and given["status"] != filters.status:
        ignored.append("status")
    if given.get("severity") and given["severity"] != filters.severity:
        ignored.append("severity")
    for name, value in (("rule", filters.rule_id), ("account", filters.account_id)):
        if given.get(name) and value is None:
            ignored.append(name)
    if given.get("sort") and given["sort"] != filters.sort:
        ignored.append("sort")
    return ignored


ALERT_ROW = "activation/partials/alert_row.html"


def alert_row_values(alert: Alert) -> tuple[object, ...]:
    """Everything the inbox's row template shows of an alert (the row cache's key, :mod:`abe.rows`): its status and
    severity, its texts as stored (rendered in the reader's language, which the key holds), the reader's unread mark
    (``alert_search`` annotates it per user), the assignee's name and the relative time as shown (it changes every
    minute, and so does the key)."""
    return (
        alert.pk,
        alert.unread,  # type: ignore[attr-defined]  # annotated by alert_search for the reader
        alert.severity,
        alert.status,
        alert.snoozed_until,
        person(alert.assignee),  # as the row shows it (full name, else username)
        alert.created_at,
        alert.age,
        alert.title,
        alert.message,
        alert.recommended_action,
        alert.texts,
    )


@workspace_required
def inbox_view(request: MemberRequest) -> HttpResponse:
    filters = _filters(request)
    rules = Rule.objects.for_workspace(request.workspace).only("id", "name").order_by("name")
    account_name = (
        selectors.account_name(workspace=request.workspace, account_id=filters.account_id)
        if filters.account_id
        else None
    )
    # A rule or account id the workspace has none of is no valid choice: the filter set leaves it out (every alert
    # is listed), so the page names it as ignored instead of showing it as a filter.
    filters = dataclasses.replace(
        filters,
        rule_id=filters.rule_id if filters.rule_id and rules.filter(pk=filters.rule_id).exists() else None,
        account_id=filters.account_id if account_name is not None else None,
    )
    qs = selectors.alert_search(workspace=request.workspace, user=request.user, params=filters.params())
    page_obj = paginate(request, qs, key="alerts", default=PAGE_SIZE)
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "ignored": ignored_params(request, invalid=_ignored_filters(request, filters)),
        "status_filters": STATUS_FILTERS,
        "severities": Severity.choices,
        "rules": rules,
        # The account filter (the account page's "All alerts on this account"): shown, and kept by the form.
        "account_filter": filters.account_id and {"id": filters.account_id, "name": account_name},
        "can_see_all": role_rules.can_write_everything(request),
        "preference_form": PreferenceForm(
            initial={"email_mode": selectors.email_mode(workspace=request.workspace, user=request.user)}
        ),
        "rows": rendered_rows(
            ALERT_ROW,
            page_obj.object_list,
            values=alert_row_values,
            context={"can_write": role_rules.can_write(request)},
            name="alert",
        ),
    }
    template = "activation/partials/alert_table.html" if request.htmx else "activation/inbox.html"
    return render(request, template, context)


@workspace_required
def badge_view(request: MemberRequest) -> HttpResponse:
    count = selectors.unread_count(workspace=request.workspace, user=request.user)
    return render(request, "activation/partials/badge.html", {"count": count})


def _alert_or_404(request: MemberRequest, pk: int) -> Alert:
    try:
        return selectors.alert_detail(workspace=request.workspace, user=request.user, pk=pk)
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


@workspace_required
def alert_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    alert_services.alert_mark_read(alert=alert, user=request.user)
    context = {
        "alert": alert,
        "can_act": role_rules.can_write(request) and can_act_on_alert(request, alert),
        # The deals an alert names get a link to put someone on them, for those who may edit the account.
        "can_edit_deals": alert.account is not None and role_rules.can_edit_object(request, alert.account),
        "snooze_form": SnoozeForm(initial={"until": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")}),
        "assign_form": AssignForm(workspace=request.workspace, initial={"assignee": alert.assignee_id}),
    }
    return render(request, "activation/alert_detail.html", context)


@require_POST
@workspace_required
def alert_action_view(request: MemberRequest, pk: int, action: str) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    if action not in (
        AlertAction.ACKNOWLEDGE,
        AlertAction.RESOLVE,
        AlertAction.DISMISS,
        AlertAction.SNOOZE,
        AlertAction.REOPEN,
    ):
        raise Http404("No such action.")
    if not role_rules.can_write(request) or not can_act_on_alert(request, alert):
        raise PermissionDenied(gettext("Only the account team, marketing and admins act on this alert."))
    until = None
    if action == AlertAction.SNOOZE:
        form = SnoozeForm(request.POST)
        until = form.cleaned_data["until"] if form.is_valid() else timezone.now() + QUICK_SNOOZE
    try:
        alert_services.alert_transition(
            alert=alert, action=action, by=request.user, until=until, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        if request.htmx:
            # Plain text: the page shows it in its notice (static/js/app.js).
            return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
        messages.error(request, " ".join(exc.messages))
        return redirect("activation:detail", pk=alert.pk)
    alert = _alert_or_404(request, pk)
    if request.htmx:
        response = render(request, ALERT_ROW, {"alert": alert})
        response["HX-Trigger"] = "alerts-changed"
        return response
    messages.success(request, gettext("Alert %(status)s.") % {"status": alert.get_status_display().lower()})
    return redirect(safe_next(request, reverse("activation:detail", args=[alert.pk])))


@require_POST
@workspace_required
def alert_assign_view(request: MemberRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    if not role_rules.can_write(request) or not can_act_on_alert(request, alert):
        raise PermissionDenied(gettext("Only the account team, marketing and admins act on this alert."))
    form = AssignForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        alert_services.alert_assign(alert=alert, assignee=form.cleaned_data["assignee"], by=request.user)
        messages.success(request, gettext("Assignee saved."))
    return redirect("activation:detail", pk=alert.pk)


@require_POST
@workspace_required
def preference_view(request: MemberRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        alert_services.notification_preference_set(
            workspace_id=request.workspace.pk, user=request.user, email_mode=form.cleaned_data["email_mode"]
        )
        mode = EmailMode(form.cleaned_data["email_mode"]).label
        messages.success(request, gettext("Email preference saved: %(mode)s.") % {"mode": mode})
    return redirect("activation:inbox")


@require_GET
@workspace_required
def account_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    # Like the other panels: an account that is not the workspace's is a 404, not an empty panel.
    if not selectors.account_exists(workspace=request.workspace, account_id=pk):
        raise Http404("No such account.")
    alerts = selectors.account_alerts(workspace=request.workspace, account_id=pk)
    # The inbox shows everyone's alerts only to those who may see them all; the others' link says it opens theirs.
    context = {"alerts": alerts, "account_id": pk, "can_see_all": role_rules.can_write_everything(request)}
    return render(request, "activation/partials/account_panel.html", context)


# Rules --------------------------------------------------------------------------------------------------------


def _require_rule_editor(request: MemberRequest) -> None:
    if not role_rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only marketing and admins edit activation rules."))


@workspace_required
def rule_list_view(request: MemberRequest) -> HttpResponse:
    rules = selectors.rule_list(workspace=request.workspace).order_by("-is_active", "name")
    return render(
        request,
        "activation/rule_list.html",
        {
            "rules": rules,
            "can_edit_rules": role_rules.can_write_everything(request),
            # The filters' tiers and lifecycles by their labels ("Strategic (1:1)", "Customer"), not their keys.
            "tier_labels": TIER_LABELS,
            "lifecycle_labels": LIFECYCLE_LABELS,
        },
    )


@workspace_required
def rule_form_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    _require_rule_editor(request)
    rule = get_object_or_404(Rule.objects.for_workspace(request.workspace), pk=pk) if pk else None
    form = RuleForm(
        request.POST or None,
        instance=rule,
        workspace=request.workspace,
        initial=None
        if rule
        else {
            "condition_type": ConditionType.SCORE_THRESHOLD,
            "cooldown_hours": 24,
            "is_active": True,
            "notify_owner": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                rule = rule_services.rule_create(workspace=request.workspace, by=request.user, **form.rule_data())
            else:
                rule_services.rule_update(rule, by=request.user, **form.rule_data())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Rule “%(name)s” saved. It is evaluated after the next scoring pass.") % {"name": rule.name},
            )
            return redirect("activation:rules")
    return render(
        request,
        "activation/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "title": gettext("Edit %(name)s") % {"name": rule.name} if rule else gettext("New activation rule"),
            "stage_suggestions": STAGE_SUGGESTIONS,
        },
    )


@require_POST
@workspace_required
def rule_preview_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    """The rule form's preview: how many accounts and alerts saving it would fire now (nothing saved). The dry run
    is a job (a second or more on thousands of accounts): on the real stack the answer is the job card, polled
    until the result shows; on the embedded default it ran in the request."""
    _require_rule_editor(request)
    rule = get_object_or_404(Rule.objects.for_workspace(request.workspace), pk=pk) if pk else None
    form = RuleForm(request.POST, instance=rule, workspace=request.workspace)
    if not form.is_valid():
        return render(request, RULE_PREVIEW_TEMPLATE, {"error": gettext("Fix the highlighted values first.")})
    if not form.cleaned_data["is_active"]:
        return render(request, RULE_PREVIEW_TEMPLATE, {"active": False})
    job = rule_forecast_later(workspace=request.workspace, data=form.rule_data(), rule=rule, by=request.user)
    return render(request, RULE_PREVIEW_TEMPLATE, _rule_preview_context(job))


@require_GET
@workspace_required
def rule_preview_job_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The rule preview box while its job runs (polled every second), then the result."""
    _require_rule_editor(request)
    job = job_list(workspace=request.workspace).filter(kind=RULE_PREVIEW_JOB, pk=pk).first()
    if job is None:
        raise Http404("No such preview.")
    return render(request, RULE_PREVIEW_TEMPLATE, _rule_preview_context(job))


RULE_PREVIEW_TEMPLATE = "activation/partials/rule_preview.html"


def _rule_preview_context(job: Job) -> dict[str, object]:
    failed = job.status == JobStatus.FAILED
    return {
        "job": None if failed else job,  # a failed preview shows its reason as the form's error
        "forecast": job.result if job.status == JobStatus.DONE else None,
        "error": job.message if failed else "",
        "active": True,
    }


@workspace_required
def rule_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    _require_rule_editor(request)
    rule = get_object_or_404(Rule.objects.for_workspace(request.workspace), pk=pk)
    if request.method == "POST":
        rule_services.rule_delete(rule, by=request.user)
        messages.success(request, gettext("Rule “%(name)s” deleted; its past alerts stay.") % {"name": rule.name})
        return redirect("activation:rules")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": rule,
            "kind": pgettext("deleted object", "rule"),
            "cancel_url": reverse("activation:rules"),
            "consequence": gettext("Past alerts stay in the inboxes; to pause the rule instead, untick “Is active”."),
        },
    )


# Webhooks -----------------------------------------------------------------------------------------------------


@admin_required
def webhook_list_view(request: MemberRequest) -> HttpResponse:
    subscriptions = selectors.webhook_subscription_list(workspace=request.workspace)
    return render(request, "activation/webhook_list.html", {"subscriptions": subscriptions})


@admin_required
def webhook_form_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    subscription = (
        get_object_or_404(selectors.webhook_subscription_list(workspace=request.workspace), pk=pk) if pk else None
    )
    form = WebhookSubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if subscription is None:
                subscription = webhook_services.webhook_subscription_create(
                    workspace=request.workspace, by=request.user, **data
                )
            else:
                webhook_services.webhook_subscription_update(subscription, by=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            if pk is None or data.get("secret"):
                _secret_reveal_once(request, subscription)
            messages.success(request, gettext("Webhook “%(name)s” saved.") % {"name": subscription.name})
            return redirect("activation:webhook_detail", pk=subscription.pk)
    title = (
        gettext("Edit %(name)s") % {"name": subscription.name} if subscription else gettext("New webhook subscription")
    )
    return render(request, "activation/webhook_form.html", {"form": form, "subscription": subscription, "title": title})


@admin_required
def webhook_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(selectors.webhook_subscription_list(workspace=request.workspace), pk=pk)
    deliveries = paginate(
        request,
        selectors.webhook_delivery_list(workspace=request.workspace, subscription=subscription),
        key="webhook_deliveries",
        default=PAGE_SIZE,
    )
    revealed = request.session.pop(f"webhook-secret-{subscription.pk}", None)
    context = {"subscription": subscription, "page_obj": deliveries, "revealed_secret": revealed}
    return render(request, "activation/webhook_detail.html", context)


def _secret_reveal_once(request: MemberRequest, subscription: WebhookSubscription) -> None:
    # The next detail page shows the full secret once (then pops it); every other view shows it masked.
    request.session[f"webhook-secret-{subscription.pk}"] = subscription.secret


@require_POST
@admin_required
def webhook_rotate_view(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(selectors.webhook_subscription_list(workspace=request.workspace), pk=pk)
    subscription, _ = webhook_services.webhook_secret_rotate(subscription, by=request.user)
    _secret_reveal_once(request, subscription)
    messages.success(request, gettext("New secret generated; the previous one keeps signing for 24 hours."))
    return redirect("activation:webhook_detail", pk=subscription.pk)


@require_POST
@admin_required
def webhook_test_view(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(selectors.webhook_subscription_list(workspace=request.workspace), pk=pk)
    try:
        webhook_services.webhook_test_send(subscription=subscription, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Test delivery queued: it shows in the log below within seconds."))
    return redirect("activation:webhook_detail", pk=subscription.pk)


@admin_required
def webhook_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(selectors.webhook_subscription_list(workspace=request.workspace), pk=pk)
    if request.method == "POST":
        webhook_services.webhook_subscription_delete(subscription, by=request.user)
        messages.success(request, gettext("Webhook “%(name)s” deleted.") % {"name": subscription.name})
        return redirect("activation:webhooks")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": subscription,
            "kind": pgettext("deleted object", "webhook subscription"),
            "cancel_url": reverse("activation:webhooks"),
            "consequence": gettext("Its delivery log is deleted with it."),
        },
    )
