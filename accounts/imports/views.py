"""Import pages: upload -> preview and column mapping (preset recognised) -> confirm -> progress and report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy

from abe import permissions as rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.paging import paginate
from abe.views import workspace_required

from ..models import ImportJob, ImportKind, ImportStatus
from . import services
from .export import import_problems_response
from .forms import ImportUploadForm
from .presets import PRESETS, TARGET_FIELDS, preset_mapping
from .selectors import import_job_list
from .stages import stage_key


def _require_import(request: MemberRequest) -> None:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only marketing and admins import data."))


@workspace_required
def import_list_view(request: MemberRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _require_import(request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_job_create(
                    workspace=request.workspace,
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    data=upload.read(),
                    by=request.user,
                    preset=form.cleaned_data["preset"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return redirect("accounts:import_detail", pk=job.pk)
    jobs = paginate(request, import_job_list(workspace=request.workspace).order_by("-created_at", "-id"), key="imports")
    context = {"form": form, "jobs": jobs, "page_obj": jobs, "can_import": rules.can_write_everything(request)}
    return render(request, "accounts/import_list.html", context)


def _errors_page(request: MemberRequest, job: ImportJob) -> Page | None:
    """The rejected rows of a finished import, a page at a time, each reason in the reader's language."""
    if not job.errors:
        return None
    page = paginate(request, job.errors, key="import_errors", default=50)
    page.object_list = [{**e, "reason": services.problem_text(e)} for e in page.object_list]
    return page


def _report(request: MemberRequest, job: ImportJob) -> dict[str, Any]:
    # On the embedded default (no broker: tasks run eagerly) the import ran inside the upload request, so its card
    # first shows finished; the page says why instead of pretending to follow a worker.
    ran_inline = bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))
    return {
        "job": job,
        "problems_shown": job.errors[: services.PROBLEMS_SHOWN],
        "ran_inline": ran_inline,
        # A failed import starts again from where it stopped (``import_job_start``), by those who may import.
        "can_restart": job.status == ImportStatus.FAILED and rules.can_write_everything(request),
    }


SCALE_CHOICES = [
    ("", gettext_lazy("as written")),
    ("1000", gettext_lazy("× 1,000 (in thousands)")),
    ("1000000", gettext_lazy("× 1,000,000 (in millions)")),
    ("1000000000", gettext_lazy("× 1,000,000,000 (in billions)")),
]


@workspace_required
def import_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(import_job_list(workspace=request.workspace), pk=pk)
    if job.status != ImportStatus.UPLOADED:
        if request.method == "POST" and request.POST.get("restart"):
            _require_import(request)
            try:
                services.import_job_start(job=job, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, gettext("Import of %(file)s started again.") % {"file": job.filename})
            return redirect("accounts:import_detail", pk=job.pk)
        context = {**_report(request, job), "page_obj": _errors_page(request, job)}
        return render(request, "accounts/import_detail.html", context)
    with job.file.open("rb") as fh:
        data = fh.read()
    preview = services.import_preview(data=data, kind=job.kind, mapping=job.mapping, workspace=request.workspace)
    errors: list[str] = []
    if request.method == "POST":
        _require_import(request)
        preset = request.POST.get("preset", "")
        if request.POST.get("apply_preset") and preset in PRESETS:
            mapping = preset_mapping(PRESETS[preset], job.kind, preview["headers"])
            services.import_job_set_mapping(job=job, mapping=mapping, preset=preset, headers=preview["headers"])
            return redirect("accounts:import_detail", pk=job.pk)
        mapping = {field: request.POST.get(f"map_{field}", "") for field, _ in TARGET_FIELDS[job.kind]}
        stage_map = {
            value: request.POST.get(f"stage_{i}", "") for i, value in enumerate(s["value"] for s in preview["stages"])
        }
        stage_map = {value: status for value, status in stage_map.items() if status}
        scales = {f: request.POST.get(f"scale_{f}", "") for f in services.SCALABLE[job.kind]}
        scales = {f: factor for f, factor in scales.items() if factor}
        try:
            services.import_job_set_mapping(
                job=job, mapping=mapping, preset=preset, stage_map=stage_map, scales=scales, headers=preview["headers"]
            )
            if request.POST.get("refresh"):  # the stage column changed: show its values before importing
                return redirect("accounts:import_detail", pk=job.pk)
            services.import_job_start(job=job, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, gettext("Import of %(file)s started.") % {"file": job.filename})
            return redirect("accounts:import_detail", pk=job.pk)
    fields = [
        {
            "name": f,
            "label": label,
            "source": job.mapping.get(f, ""),
            "scalable": f in services.SCALABLE[job.kind],
            "scale": str(int(job.scales[f])) if f in job.scales and job.scales[f] == int(job.scales[f]) else "",
        }
        for f, label in TARGET_FIELDS[job.kind]
    ]
    chosen = {stage_key(k): v for k, v in job.stage_map.items()}
    stages = [
        s | {"index": i, "chosen": chosen.get(stage_key(s["value"]), s["suggested"])}
        for i, s in enumerate(preview["stages"])
    ]
    return render(
        request,
        "accounts/import_mapping.html",
        {
            "job": job,
            "preview": preview,
            "fields": fields,
            "presets": PRESETS.values(),
            "errors": errors,
            "recognised": PRESETS.get(preview["preset"]),
            "other_kind": ImportKind(preview["other_kind"]).label if preview["other_kind"] else None,
            "stages": stages,
            "scale_choices": SCALE_CHOICES,
            "unknown_stages": [s["value"] for s in stages if not s["known"]],
            # A mapped status column (Pipedrive's, Dynamics 365's) decides each deal's status; the stage values
            # only count where it is empty, so their "not recognised" is no alarm.
            "status_column": job.mapping.get("status", ""),
            # Sales and viewers may open a waiting import from the list: they read its mapping, without the buttons
            # whose POST they would be refused.
            "can_import": rules.can_write_everything(request),
            "owners": preview["owners"][: services.OWNERS_SHOWN],
            "owners_more": max(0, len(preview["owners"]) - services.OWNERS_SHOWN),
            "owners_unmatched": sum(1 for o in preview["owners"] if not o["member"]),
        },
    )


@workspace_required
def import_progress_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress card, polled by htmx every second while the job runs; the report when it is done."""
    job = get_object_or_404(import_job_list(workspace=request.workspace), pk=pk)
    context = {**_report(request, job), "page_obj": _errors_page(request, job)}
    return render(request, "accounts/partials/import_progress.html", context)


@workspace_required
def import_problems_view(request: MemberRequest, pk: int) -> StreamingHttpResponse:
    """Every rejected and warned line, with the original row and the reason, as CSV."""
    job = get_object_or_404(import_job_list(workspace=request.workspace), pk=pk)
    return import_problems_response(job)
