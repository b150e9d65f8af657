"""Engagement pages: the account panels (timeline, trend, receipt), scoring settings with a preview, CSV upload.

The panels are fragments the account page loads with htmx (registered in ``EngagementConfig.ready``): each answers a
``<section class="card">``. Views check access, validate forms and call the same services as the API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from abe import permissions as rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.jobs import job_list
from abe.models import MAX_ID, Job, JobStatus
from abe.views import admin_required, workspace_required
from accounts.models import Account

from . import selectors
from .forms import EventUploadForm, ScoringSettingsForm, TimelineFilterForm
from .models import EventImport, EventImportStatus, PendingBatch
from .rules import MOMENTUM_BASELINE_WEEKS, MOMENTUM_RECENT_DAYS
from .services import (
    engagement_config_get,
    engagement_config_update,
    pending_batch_retry,
)
from .services.config import PREVIEW_JOB, RECOMPUTE_JOB, engagement_config_preview_later
from .services.csv_import import event_import_create, event_import_restart


def _account(request: MemberRequest, pk: int) -> Account:
    try:
        return selectors.account_for_engagement(workspace=request.workspace, pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None


def _cursor(value: str) -> tuple[datetime, int] | None:
    """The timeline's ``before`` cursor (``<time>|<event id>``), read in UTC (PostgreSQL refuses offsets beyond
    ±15:59, which Python reads), or None for one that cannot be an event's (the first page is shown)."""
    at, _, pk = value.partition("|")
    try:
        moment, event_id = datetime.fromisoformat(at), int(pk)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return (moment, event_id) if 0 < event_id <= MAX_ID else None


@require_GET
@workspace_required
def account_timeline_panel(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    contacts = [(c.pk, str(c)) for c in selectors.account_engaged_contacts(account=account)]
    form = TimelineFilterForm(request.GET or None, contacts=contacts)
    data = form.cleaned_data if form.is_valid() else {}
    before = _cursor(data.get("before") or "")
    events = selectors.account_timeline(
        account=account,
        contact_id=data.get("contact"),
        event_type=data.get("type") or "",
        before=before,
        limit=selectors.TIMELINE_PAGE + 1,
    )
    more = len(events) > selectors.TIMELINE_PAGE
    events = events[: selectors.TIMELINE_PAGE]
    older = ""
    if more:
        params = request.GET.copy()
        params["before"] = f"{events[-1].occurred_at.isoformat()}|{events[-1].pk}"
        older = params.urlencode()
    context = {"account": account, "form": form, "events": events, "older": older, "paged": before is not None}
    return render(request, "engagement/partials/timeline.html", context)


@require_GET
@workspace_required
def account_trend_panel(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    snapshots = selectors.account_trend(account=account)
    # Momentum compares a week with the four before: in the first five weeks after an account's first event there
    # is no full baseline, and values against a partial one would dwarf the rest of the line: the chart skips them.
    first = selectors.account_first_event_day(account=account)
    baseline_from = first + timedelta(days=MOMENTUM_RECENT_DAYS + 7 * MOMENTUM_BASELINE_WEEKS - 1) if first else None
    series = {
        "days": [s.day.isoformat() for s in snapshots],
        "scores": [round(s.score, 2) for s in snapshots],
        "momentum": [
            round(s.momentum * 100, 1)
            if s.momentum is not None and baseline_from is not None and s.day >= baseline_from
            else None
            for s in snapshots
        ],
    }
    return render(
        request,
        "engagement/partials/trend.html",
        {"account": account, "series": series, "has_data": bool(snapshots)},
    )


@require_GET
@workspace_required
def account_receipt_panel(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    receipt = selectors.account_receipt(account=account)
    return render(request, "engagement/partials/receipt.html", {"account": account, "receipt": receipt})


@admin_required
def scoring_settings_view(request: MemberRequest) -> HttpResponse:
    config = engagement_config_get(workspace=request.workspace)
    form = ScoringSettingsForm(request.POST or None, config=config)
    if request.method == "POST" and form.is_valid():
        try:
            engagement_config_update(
                workspace=request.workspace,
                by=request.user,
                per_account_alerts=form.cleaned_data["per_account_alerts"],
                **form.config_data(),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            if form.cleaned_data["per_account_alerts"]:
                notice = gettext("Rule crossings alert each account team.")
            else:
                notice = gettext(
                    "Alerts are held back: the admins and owners get one summary notice of the stage changes."
                )
            messages.success(
                request,
                gettext("Scoring settings saved; the rescore's status shows below. %(notice)s") % {"notice": notice},
            )
            return redirect("engagement:settings")
    health = selectors.scoring_health(workspace=request.workspace)
    context = {"form": form, "config": config, "health": health, "job": _recompute_job(request)}
    return render(request, "engagement/settings.html", context)


def _recompute_job(request: MemberRequest) -> Job | None:
    """The latest engagement recompute while it runs, and for ten minutes after it ends."""
    job = job_list(workspace=request.workspace).filter(kind=RECOMPUTE_JOB).first()
    if job is None or (job.finished and job.finished_at and timezone.now() - job.finished_at > timedelta(minutes=10)):
        return None
    return job


@require_POST
@admin_required
def pending_batch_retry_view(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        folded = pending_batch_retry(workspace=request.workspace, batch_id=pk)
    except PendingBatch.DoesNotExist:
        raise Http404("No such batch.") from None
    if folded:
        messages.success(request, gettext("The batch was scored."))
    else:
        messages.error(request, gettext("The batch failed again; its error is shown below."))
    return redirect("engagement:settings")


@require_POST
@admin_required
def scoring_preview_view(request: MemberRequest) -> HttpResponse:
    """The preview as a job (the exact dry run takes seconds on thousands of accounts): on the real stack the answer
    is the progress card at once, polled until the result shows; on the embedded default the job ran inline."""
    config = engagement_config_get(workspace=request.workspace)
    form = ScoringSettingsForm(request.POST, config=config)
    if not form.is_valid():
        return render(request, PREVIEW_TEMPLATE, {"error": gettext("Fix the highlighted values first.")})
    try:
        job = engagement_config_preview_later(
            workspace=request.workspace,
            data=form.config_data(),
            by=request.user,
            per_account_alerts=form.cleaned_data["per_account_alerts"],
        )
    except ValidationError as exc:
        return render(request, PREVIEW_TEMPLATE, {"error": " ".join(exc.messages)})
    job.refresh_from_db()  # inline (embedded default): the task ran on commit, in this request
    return render(request, PREVIEW_TEMPLATE, _preview_context(job))


@require_GET
@admin_required
def scoring_preview_job_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The preview box while its job runs (polled every second), then the result."""
    job = job_list(workspace=request.workspace).filter(kind=PREVIEW_JOB, pk=pk).first()
    if job is None:
        raise Http404("No such preview.")
    return render(request, PREVIEW_TEMPLATE, _preview_context(job))


PREVIEW_TEMPLATE = "engagement/partials/preview.html"


def _preview_context(job: Job) -> dict[str, object]:
    result = job.result if job.status == JobStatus.DONE else None
    return {
        "job": job,
        "preview": result,
        "alerts": result["alerts"] if result else 0,
        "error": "",  # a failed job's card says why
        "per_account_alerts": bool(job.params.get("per_account_alerts")),
    }


@workspace_required
def events_upload_view(request: MemberRequest) -> HttpResponse:
    """Store the file and hand it to a worker; the job page shows progress and the exact report."""
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot import events."))
    form = EventUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = event_import_create(
                workspace=request.workspace, data=upload.read(), filename=upload.name, by=request.user
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("engagement:upload_detail", pk=job.pk)
    jobs = selectors.event_import_list(workspace=request.workspace)[:10]
    return render(request, "engagement/upload.html", {"form": form, "jobs": jobs})


@require_GET
@workspace_required
def event_import_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        job = selectors.event_import_list(workspace=request.workspace).get(pk=pk)
    except EventImport.DoesNotExist:
        raise Http404("No such upload.") from None
    template = "engagement/partials/import_job.html" if request.htmx else "engagement/import_detail.html"
    # A failed upload starts again after the lines it saved (``event_import_restart``), by those who may upload.
    can_restart = job.status == EventImportStatus.FAILED and rules.can_write(request)
    return render(request, template, {"job": job, "can_restart": can_restart})


@require_POST
@workspace_required
def event_import_start_view(request: MemberRequest, pk: int) -> HttpResponse:
    """Start a failed upload again (its page's "Start again")."""
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot import events."))
    try:
        job = selectors.event_import_list(workspace=request.workspace).get(pk=pk)
    except EventImport.DoesNotExist:
        raise Http404("No such upload.") from None
    try:
        job = event_import_restart(job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if job.status == EventImportStatus.FAILED:  # the broker refused it again: its page says why
            messages.error(request, job.message_text)
        else:
            messages.success(request, gettext("Upload of %(file)s started again.") % {"file": job.filename})
    return redirect("engagement:upload_detail", pk=job.pk)
