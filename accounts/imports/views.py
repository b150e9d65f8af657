"""Import pages: upload -> preview and column mapping (preset recognised) -> confirm -> progress and report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from abe import permissions as rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.paging import paginate
from abe.views import workspace_required

from ..models import ImportJob, ImportStatus
from . import services
from .forms import ImportUploadForm
from .presets import PRESETS, TARGET_FIELDS, preset_mapping
from .selectors import import_job_list


def _require_import(request: MemberRequest) -> None:
    if not rules.can_write_everything(request):
        raise PermissionDenied("Only marketing and admins import data.")


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
    """The rejected rows of a finished import, a page at a time."""
    return paginate(request, job.errors or [], key="import_errors", default=50) if job.errors else None


@workspace_required
def import_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(import_job_list(workspace=request.workspace), pk=pk)
    if job.status != ImportStatus.UPLOADED:
        return render(request, "accounts/import_detail.html", {"job": job, "page_obj": _errors_page(request, job)})
    with job.file.open("rb") as fh:
        preview = services.import_preview(data=fh.read(), kind=job.kind)
    errors: list[str] = []
    if request.method == "POST":
        _require_import(request)
        preset = request.POST.get("preset", "")
        if request.POST.get("apply_preset") and preset in PRESETS:
            mapping = preset_mapping(PRESETS[preset], job.kind, preview["headers"])
            services.import_job_set_mapping(job=job, mapping=mapping, preset=preset)
            return redirect("accounts:import_detail", pk=job.pk)
        mapping = {field: request.POST.get(f"map_{field}", "") for field, _ in TARGET_FIELDS[job.kind]}
        try:
            services.import_job_set_mapping(job=job, mapping=mapping, preset=preset)
            services.import_job_start(job=job, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Import of {job.filename} started.")
            return redirect("accounts:import_detail", pk=job.pk)
    fields = [{"name": f, "label": label, "source": job.mapping.get(f, "")} for f, label in TARGET_FIELDS[job.kind]]
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
        },
    )


@workspace_required
def import_progress_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress card, polled by htmx every second while the job runs; the report when it is done."""
    job = get_object_or_404(import_job_list(workspace=request.workspace), pk=pk)
    return render(
        request, "accounts/partials/import_progress.html", {"job": job, "page_obj": _errors_page(request, job)}
    )
