"""Prospecting pages: the tier board (filters, bulk actions, CSV export), proposals, pins, the account-page
panels (fit receipt, win drivers, tier history), ICP settings and the model page.

Views check access, validate forms and call the same services as the API.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe import texts
from abe.http import MemberRequest
from abe.jobs import job_create, job_list
from abe.models import Job
from abe.paging import ignored_params, page_number, page_size, paginate, whole_number
from abe.rows import rendered_rows
from abe.selectors import member_names
from abe.views import admin_required, safe_next, workspace_required

from .. import selectors as account_selectors
from ..imports.export import account_contacts_response, accounts_csv_response, export_is_neutral
from ..models import LIST_COLUMNS, Account, ProposalStatus, Tier
from ..views import saved_views_context
from . import selectors, services
from .forms import BoardFilterForm, BulkForm, IcpForm, ProspectingSettingsForm, TierPinForm
from .icp import ATTRIBUTE_LABELS, ATTRIBUTES, CATEGORICAL, NUMERIC, condition_text
from .predictive import driver_label
from .tasks import accounts_bulk_apply_task

BOARD_PAGE_SIZE = 50
# The columns of the tier board, in the order a KAM reads them; each user may hide some (column chooser).
BOARD_COLUMNS = LIST_COLUMNS["tier_board"]


def _rescore_job(request: MemberRequest) -> Job | None:
    """The latest rescore of the workspace while it runs, and for ten minutes after it ends."""
    job = job_list(workspace=request.workspace).filter(kind=services.RESCORE_JOB).first()
    if job is None or (job.finished and job.finished_at and timezone.now() - job.finished_at > timedelta(minutes=10)):
        return None
    return job


def _board_job(request: MemberRequest) -> Job | None:
    """The last bulk job started from the board, shown (and polled) until it has been seen finished once."""
    job_id = request.session.get("job:tier_board")
    job = job_list(workspace=request.workspace).filter(pk=job_id).first() if job_id else None
    if job is None or job.finished:
        request.session.pop("job:tier_board", None)
    return job


def board_row_values(a: Account) -> tuple[object, ...]:
    """Everything ``accounts/partials/tier_row.html`` reads from an account: its cache key (``abe.rows``)."""
    owner = a.owner
    return (
        a.pk,
        a.name,
        a.domain,
        a.tier,
        a.tier_locked,
        a.journey_stage,
        a.engagement_score,
        a.engagement_momentum,
        (owner.get_full_name(), owner.username) if owner is not None else None,
        a.priority,
        a.fit_score,
        a.fit_grade,
        a.win_probability,
        a.employees,
        a.annual_revenue,
        a.lifecycle,
        a.industry,
        a.country,
    )


@workspace_required
def tier_board_view(request: MemberRequest) -> HttpResponseBase:
    ws = request.workspace
    icp, conf = selectors.board_config(workspace=ws)
    criteria = icp.criteria if icp else []
    filterset = selectors.tier_board_filterset(workspace=ws, params=request.GET, user=request.user)
    if request.GET.get("export") == "csv":
        return accounts_csv_response(filterset.qs, "tier-board.csv", neutral=export_is_neutral(request))
    if request.GET.get("export") == "contacts":
        return account_contacts_response(request, filterset.qs)
    users = member_names(workspace=ws)  # the filter bar: not read by the exports above
    form = BoardFilterForm(
        request.GET or None, options=selectors.board_filter_options(workspace=ws), users=users, criteria=criteria
    )
    page_obj = selectors.tier_board_page(
        filterset=filterset,
        workspace=ws,
        page=page_number(request),
        per_page=page_size(request, key="tier_board", default=BOARD_PAGE_SIZE),
    )
    counts = selectors.tier_counts(workspace=ws)
    matching = request.GET.copy()
    for name in ("page", "per_page"):
        matching.pop(name, None)
    matching_query = matching.urlencode()
    context = {
        "matching_query": matching_query,
        "board_columns": BOARD_COLUMNS,
        **saved_views_context(request, "tier_board"),
        "form": form,
        "page_obj": page_obj,
        "sort": filterset.sort_key,
        "filtered": filterset.active,
        "ignored": ignored_params(request, invalid=filterset.ignored),
        "criteria": criteria,
        # The choices of a bulk change just refused, once (the htmx swaps of the results keep the form as it is).
        "bulk_form": BulkForm(users=users, initial=None if request.htmx else request.session.pop(BULK_DRAFT_KEY, None)),
        "can_bulk": rules.can_write(request),
        "can_import": rules.can_write_everything(request),
        "tiers": [
            {
                "value": t.value,
                "label": t.label,
                "count": counts.get(t.value, {}).get("count", 0),
                "pinned": counts.get(t.value, {}).get("pinned", 0),
                "capacity": {"strategic": conf.strategic_capacity, "priority": conf.priority_capacity}.get(t.value),
            }
            for t in Tier
        ],
        "pending_proposals": selectors.proposal_list(workspace=ws).count(),
        "settings": conf,
        "job": _board_job(request),
    }
    context["rows"] = rendered_rows(
        "accounts/partials/tier_row.html",
        page_obj.object_list,
        values=board_row_values,
        context={"can_bulk": context["can_bulk"]},
        name="a",
    )
    template = "accounts/partials/tier_table.html" if request.htmx else "accounts/tier_board.html"
    return render(request, template, context)


#: A refused bulk change's choices (action, owner, tier, reason), kept for the board the person is sent back to, so
#: they correct what was missing instead of choosing everything again (the selection is kept by the page itself).
BULK_DRAFT_KEY = "tier_board:bulk_draft"


def _bulk_draft_keep(request: MemberRequest) -> None:
    request.session[BULK_DRAFT_KEY] = {
        name: str(request.POST.get(name, ""))[:500] for name in ("action", "owner", "tier", "reason")
    }


@require_POST
@workspace_required
def tier_bulk_view(request: MemberRequest) -> HttpResponse:
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot change accounts."))
    users = list(account_selectors.workspace_users(workspace=request.workspace))
    form = BulkForm(request.POST, users=users)
    # Back to the board as the user sees it: htmx keeps the filtered URL in the address bar (the Referer).
    referer = request.META.get("HTTP_REFERER", "")
    safe = "/accounts/tiers/" in referer and url_has_allowed_host_and_scheme(referer, {request.get_host()})
    back = referer if safe else reverse("accounts:tier_board")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        _bulk_draft_keep(request)
        return redirect(back)
    data = form.cleaned_data
    if data["matching"]:
        # "Select all N matching": the board's own filter, as the user sees it, resolved now.
        params = QueryDict(request.POST.get("query", ""))
        filterset = selectors.tier_board_filterset(workspace=request.workspace, params=params, user=request.user)
        wanted = list(filterset.qs.values_list("pk", flat=True))
    else:
        wanted = list(dict.fromkeys(data["account_ids"]))
    owner = next((u for u in users if str(u.pk) == data["owner"]), None) if data["action"] == "owner" else None
    if data["action"] == "owner":
        label = texts.msg_plural(
            texts.ngettext_noop(
                "Assign owner %(owner)s to %(count)s account", "Assign owner %(owner)s to %(count)s accounts"
            ),
            len(wanted),
            owner=(owner.get_full_name() or owner.username) if owner else texts.label(gettext_noop("(none)")),
        )
    else:
        label = texts.msg_plural(
            texts.ngettext_noop("Pin %(count)s account to %(tier)s", "Pin %(count)s accounts to %(tier)s"),
            len(wanted),
            tier=services.tier_word(data["tier"]),
        )
    role = rules.request_role(request)
    if len(wanted) > services.BULK_INLINE_LIMIT:
        job = job_create(
            workspace=request.workspace,
            kind="accounts_bulk",
            label=label,
            total=len(wanted),
            by=request.user,
            task=accounts_bulk_apply_task,
            params={
                "account_ids": wanted,
                "action": data["action"],
                "owner_id": owner.pk if owner else None,
                "tier": data.get("tier", ""),
                "reason": data.get("reason", ""),
                "role": role,
            },
        )
        request.session["job:tier_board"] = job.pk
        messages.info(
            request,
            gettext("%(label)s: started as a background job; its progress shows above the board.")
            % {"label": str(label)},
            extra_tags="bulk-done",
        )
        return redirect(back)
    try:
        result = services.accounts_bulk_apply(
            workspace=request.workspace,
            account_ids=wanted,
            action=data["action"],
            by=request.user,
            role=role,
            owner=owner,
            tier=data.get("tier", ""),
            reason=data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        _bulk_draft_keep(request)
    else:
        done = (
            gettext("Owner assigned")
            if data["action"] == "owner"
            else gettext("Pinned to %(tier)s") % {"tier": Tier(data["tier"]).label}
        )
        messages.success(
            request,
            gettext("%(done)s: %(summary)s.") % {"done": done, "summary": result.summary},
            extra_tags="bulk-done",
        )
    return redirect(back)


def _account(request: MemberRequest, pk: int) -> Account:
    return get_object_or_404(account_selectors.account_list(workspace=request.workspace), pk=pk)


@workspace_required
def tier_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    """Account-page panel: the tier, whether it is pinned, the pin form and the history (who, when, why)."""
    account = _account(request, pk)
    form = TierPinForm(initial={"tier": account.tier})
    if request.method == "POST":
        if not rules.can_edit_object(request, account):
            raise PermissionDenied(gettext("You can only pin accounts you own or are on the team of."))
        if request.POST.get("unpin"):
            try:
                services.tier_unpin(account=account, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        else:
            form = TierPinForm(request.POST)
            if form.is_valid():
                try:
                    services.tier_override(account=account, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
        account.refresh_from_db()
        if request.htmx and not form.errors:
            # The tier shows in the page header too: reload the page rather than leave it stale.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
    context = {
        "account": account,
        "form": form,
        "history": selectors.tier_history(account=account)[:50],
        "can_pin": rules.can_edit_object(request, account),
        "proposal": account.tier_proposals.filter(status=ProposalStatus.PENDING).first(),
    }
    return render(request, "accounts/panels/tier.html", context)


@workspace_required
def fit_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    receipt = selectors.account_fit_receipt(workspace=request.workspace, account=account)
    return render(request, "accounts/panels/fit.html", {"account": account, **receipt})


@workspace_required
def win_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    model = selectors.model_active(workspace=request.workspace)
    drivers = [
        {"label": driver_label(label), "value": value, "width": min(100, abs(value) * 60)}
        for label, value in (account.win_drivers or [])
    ]
    return render(request, "accounts/panels/win.html", {"account": account, "model": model, "drivers": drivers})


@workspace_required
def proposal_list_view(request: MemberRequest) -> HttpResponse:
    ws = request.workspace
    if request.method == "POST":
        if not rules.can_write_everything(request):
            raise PermissionDenied(gettext("Only marketing and admins decide tier proposals."))
        accept = request.POST.get("decision") == "accept"
        ids = [n for i in request.POST.getlist("proposal") if (n := whole_number(i)) is not None]
        decided = services.tier_proposals_decide(workspace=ws, proposal_ids=ids, accept=accept, by=request.user)
        if accept:
            text = ngettext("%(count)s proposal accepted.", "%(count)s proposals accepted.", decided)
        else:
            text = ngettext("%(count)s proposal rejected.", "%(count)s proposals rejected.", decided)
        messages.success(request, text % {"count": decided})
        return redirect("accounts:tier_proposals")
    page_obj = paginate(request, selectors.proposal_list(workspace=ws), key="tier_proposals", default=100)
    recent = selectors.proposal_list(workspace=ws, status=None).exclude(status=ProposalStatus.PENDING)[:20]
    return render(
        request,
        "accounts/tier_proposals.html",
        {
            "page_obj": page_obj,
            "recent": recent,
            "can_decide": rules.can_write_everything(request),
        },
    )


def _icp_reference() -> dict[str, Any]:
    """The attributes a criterion can read, with their names in the reader's language."""
    return {
        "categorical": [(a, gettext(ATTRIBUTE_LABELS[a])) for a in CATEGORICAL],
        "numeric": [(a, gettext(ATTRIBUTE_LABELS[a])) for a in NUMERIC],
        "all": ATTRIBUTES,
    }


def _readable(criteria: list[dict]) -> list[dict]:
    """Criteria with their keys in reading order (the database's JSON does not keep it)."""
    return [
        {
            "key": c["key"],
            "label": c["label"],
            "weight": c["weight"],
            "bands": [{"label": b["label"], "points": b["points"], "when": b["when"]} for b in c["bands"]],
        }
        for c in criteria
    ]


def _criteria_shown(criteria: list[dict]) -> list[dict[str, Any]]:
    """The active ICP's criteria for the page: each band's conditions as sentences (``icp.condition_text``)."""
    return [
        {
            **criterion,
            "bands": [
                {**band, "conditions": [condition_text(a, c) for a, c in (band.get("when") or {}).items()]}
                for band in criterion.get("bands") or []
            ],
        }
        for criterion in criteria
    ]


@workspace_required
def icp_settings_view(request: MemberRequest) -> HttpResponse:
    """ICP editor, priority weights and tier capacities (admins change them; everyone may read)."""
    ws = request.workspace
    active = selectors.icp_active(workspace=ws)
    conf = selectors.prospecting_settings(workspace=ws)
    icp_form = IcpForm(
        initial={
            "name": active.name if active else "Ideal Customer Profile",
            "criteria": json.dumps(_readable(active.criteria) if active else [], indent=2, ensure_ascii=False),
        }
    )
    settings_form = ProspectingSettingsForm(
        initial={
            "fit_weight": conf.fit_weight,
            "predictive_weight": conf.predictive_weight,
            "strategic_capacity": conf.strategic_capacity,
            "priority_capacity": conf.priority_capacity,
        }
    )
    if request.method == "POST":
        if not rules.can_admin(request):
            raise PermissionDenied(gettext("Only workspace admins change the ICP, weights and capacities."))
        if "criteria" in request.POST:
            icp_form = IcpForm(request.POST)
            if icp_form.is_valid():
                try:
                    version = services.icp_save(workspace=ws, by=request.user, normalise=False, **icp_form.cleaned_data)
                except ValidationError as exc:
                    for error in exc.messages:
                        icp_form.add_error("criteria", error)
                else:
                    messages.success(
                        request,
                        gettext("ICP v%(number)s saved; the rescore's status shows below.")
                        % {"number": version.number},
                    )
                    return redirect("accounts:icp_settings")
        else:
            settings_form = ProspectingSettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    services.prospecting_settings_update(workspace=ws, by=request.user, **settings_form.cleaned_data)
                except ValidationError as exc:
                    settings_form.add_error(None, exc.messages)
                else:
                    messages.success(
                        request, gettext("Weights and capacities saved; the retiering's status shows below.")
                    )
                    return redirect("accounts:icp_settings")
    reference = _icp_reference()
    return render(
        request,
        "accounts/icp_settings.html",
        {
            "active": active,
            "criteria_shown": _criteria_shown(active.criteria if active else []),
            "versions": selectors.icp_versions(workspace=ws)[:30],
            "icp_form": icp_form,
            "settings_form": settings_form,
            "settings": conf,
            "reference": reference,
            "editor_attributes": {
                "categorical": json.dumps(reference["categorical"]),
                "numeric": json.dumps(reference["numeric"]),
            },
            "job": _rescore_job(request),
        },
    )


@require_POST
@admin_required
def prospecting_preview_view(request: MemberRequest) -> HttpResponse:
    """Before saving the ICP (when ``criteria`` is posted) or the weights and capacities: how many accounts would
    change grade and tier. Nothing is saved."""
    preview, error = None, ""
    box = "icp-preview" if "criteria" in request.POST else "settings-preview"
    try:
        if "criteria" in request.POST:
            icp_form = IcpForm(request.POST)
            if not icp_form.is_valid():
                raise ValidationError(" ".join(str(e) for errors in icp_form.errors.values() for e in errors))
            preview = services.prospecting_preview(
                workspace=request.workspace, criteria=icp_form.cleaned_data["criteria"]
            )
        else:
            settings_form = ProspectingSettingsForm(request.POST)
            if not settings_form.is_valid():
                raise ValidationError(gettext("Fix the highlighted values first."))
            preview = services.prospecting_preview(workspace=request.workspace, settings=settings_form.cleaned_data)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request, "accounts/partials/prospecting_preview.html", {"preview": preview, "error": error, "box": box}
    )


@require_POST
@admin_required
def icp_activate_view(request: MemberRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(selectors.icp_versions(workspace=request.workspace), pk=pk)
    services.icp_activate(version=version, by=request.user)
    messages.success(
        request,
        gettext("ICP v%(number)s is active again; the rescore's status shows below.") % {"number": version.number},
    )
    return redirect("accounts:icp_settings")


@require_POST
@admin_required
def rescore_view(request: MemberRequest) -> HttpResponse:
    services.rescore_later(
        workspace=request.workspace,
        reason=texts.msg(
            gettext_noop("requested by %(name)s"), name=request.user.get_full_name() or request.user.username
        ),
        by=request.user,
    )
    messages.success(request, gettext("Rescore requested; its status shows below."))
    return redirect(safe_next(request, reverse("accounts:tier_board")))


@workspace_required
def model_page_view(request: MemberRequest) -> HttpResponse:
    ws = request.workspace
    active = selectors.model_active(workspace=ws)
    weights = selectors.model_weights(model=active) if active is not None else []
    rows = selectors.model_metric_rows(model=active) if active is not None else []
    models = list(selectors.model_list(workspace=ws)[:30])
    latest = models[0] if models else None
    return render(
        request,
        "accounts/model.html",
        {
            "active": active,
            "models": models,
            "rows": rows,
            "weights": weights,
            "job": _rescore_job(request),
            "latest_not_active": latest if latest is not None and not latest.is_active else None,
        },
    )


@require_POST
@admin_required
def model_train_view(request: MemberRequest) -> HttpResponse:
    try:
        model = services.model_train(workspace=request.workspace, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if model.is_active:
            done = gettext("Model v%(number)s trained and activated.") % {"number": model.number}
            messages.success(request, f"{done} {model.verdict_text}")
        else:
            done = gettext("Model v%(number)s trained but not activated.") % {"number": model.number}
            messages.warning(request, f"{done} {model.verdict_text}")
    return redirect("accounts:model")


@admin_required
def model_activate_view(request: MemberRequest, pk: int) -> HttpResponse:
    """GET: a confirmation naming the model's holdout metrics against the baselines; POST: activate it."""
    model = get_object_or_404(selectors.model_list(workspace=request.workspace), pk=pk)
    if request.method == "POST":
        services.model_activate(model=model, by=request.user, confirm=True)
        messages.success(
            request,
            gettext("Model v%(number)s is active; the rescore's status shows below.") % {"number": model.number},
        )
        return redirect("accounts:model")
    return render(
        request,
        "accounts/model_activate.html",
        {
            "model": model,
            "metrics": services.model_metrics_sentence(model),
            "active": selectors.model_active(workspace=request.workspace),
            "preview": services.prospecting_preview(workspace=request.workspace, model=model),
            "box": "model-preview",
        },
    )
