"""Analytics pages: htmx dashboards over the rollups; each answers a partial to htmx and CSV on ``?format=csv``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from abe import permissions as role_rules
from abe.http import MemberRequest
from abe.paging import whole_number
from abe.views import workspace_required
from accounts.imports.export import csv_safe
from accounts.models import Tier
from accounts.selectors import saved_view_list

from . import maturity
from .forms import EconomicsSettingsForm, SpendEntryForm
from .models import DigestSubscription, SpendEntry
from .selectors import dashboards
from .selectors.cache import cached, rollup_version
from .selectors.content import content_performance
from .selectors.filters import KpiFilters, kpi_filters_parse
from .selectors.impact import programme_impact
from .selectors.kpis import analytics_settings, engagement_trend
from .selectors.maturity import abs_fit, maturity_assessment_list, maturity_evidence, rollout_tracker
from .services.digest import DIGEST_ROLES, digest_subscription_set
from .services.economics import analytics_settings_update, spend_entry_create, spend_entry_delete
from .services.maturity import maturity_assessment_create, rollout_step_update

PAGES = [
    ("overview", gettext_lazy("Coverage & pipeline")),
    ("journey", gettext_lazy("Journey funnel")),
    ("funnel", gettext_lazy("Top of funnel")),
    ("response", gettext_lazy("Alert response & team")),
    ("content", gettext_lazy("Content performance")),
    ("impact", gettext_lazy("Programme impact")),
    ("economics", gettext_lazy("Economics")),
]
PERIODS = [
    (30, gettext_lazy("30 days")),
    (90, gettext_lazy("90 days")),
    (180, gettext_lazy("180 days")),
    (365, gettext_lazy("12 months")),
]
TIER_COLOURS = {"strategic": "#3b5bdb", "priority": "#e67700", "standard": "#868e96"}


def _filters(request: MemberRequest) -> tuple[KpiFilters, dict[str, Any]]:
    try:
        return kpi_filters_parse(request.GET, workspace=request.workspace, user=request.user), {}
    except ValidationError as exc:
        return kpi_filters_parse({}), exc.message_dict


def _csv(name: str, filters: KpiFilters, tables: list[dict[str, Any]]) -> HttpResponse:
    """Every table of the page, one after the other, each under its title; formulas neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel opens UTF-8 correctly
    writer = csv.writer(buffer)
    writer.writerow([gettext("Period"), filters.start.isoformat(), filters.end.isoformat()])
    if filters.view is not None:
        writer.writerow([gettext("Saved view"), csv_safe(filters.view.name)])
    for t in tables:
        writer.writerow([])
        writer.writerow([csv_safe(t["title"])])
        writer.writerow(t["columns"])
        writer.writerows([[csv_safe(cell) for cell in row] for row in t["rows"]])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="analytics-{name}-{filters.start}-{filters.end}.csv"'
    return response


def _render(
    request: MemberRequest, name: str, build: Callable[[KpiFilters], dict[str, Any]], extra: dict | None = None
) -> HttpResponse:
    """A dashboard page: its figures and its rendered body are cached per (workspace, page, filters, rollup
    version, language), so a repeated request renders only the page around the body."""
    filters, errors = _filters(request)
    ws = request.workspace
    version = rollup_version(workspace=ws)
    data = cached(workspace=ws, name=f"page:{name}", filters=filters, compute=lambda: build(filters), version=version)
    if request.GET.get("format") == "csv":
        return _csv(name, filters, data["tables"])
    body_context = {
        "page": name,
        "filters": filters,
        "errors": errors,
        "data": data,
        "chart_config": data.get("chart_config"),
    }

    def render_body() -> str:
        return render_to_string("analytics/partials/body.html", body_context, request=request)

    # The body holds no per-user or per-request part (no form token): one rendering serves every reader.
    body = (
        render_body()
        if errors
        else cached(
            workspace=ws, name=f"body:{name}:{get_language()}", filters=filters, compute=render_body, version=version
        )
    )
    if request.htmx:
        return HttpResponse(body)
    context = {
        **body_context,
        "body": mark_safe(body),  # noqa: S308 - rendered by the template engine just above (escaped there)
        "pages": PAGES,
        "title": dict(PAGES)[name],
        "periods": PERIODS,
        "tiers": Tier.choices,
        "owners": cached(
            workspace=ws,
            name="members",
            filters=None,
            compute=lambda: dashboards.member_choices(workspace=ws),
            version=version,
        ),
        "industries": cached(
            workspace=ws,
            name="industries",
            filters=None,
            compute=lambda: dashboards.industry_choices(workspace=ws),
            version=version,
        ),
        "saved_views": saved_view_list(workspace=ws, user=request.user),
        "csv_query": urlencode(filters.query()),
        "can_digest": role_rules.request_role(request) in DIGEST_ROLES,
        "digest_on": DigestSubscription.objects.for_workspace(ws).filter(user=request.user).exists(),
        **(extra or {}),
    }
    return render(request, "analytics/dashboard.html", context)


def _line(labels: list[str], datasets: list[dict[str, Any]], *, y_title: str = "", kind: str = "line") -> dict:
    return {"type": kind, "labels": labels, "datasets": datasets, "y_title": y_title}


@workspace_required
def overview_view(request: MemberRequest) -> HttpResponse:
    def build(filters: KpiFilters) -> dict[str, Any]:
        data = dashboards.overview(workspace=request.workspace, filters=filters)
        trend = engagement_trend(workspace=request.workspace, filters=filters)
        datasets = [
            {"label": label, "data": trend["series"][tier], "color": TIER_COLOURS[tier]}
            for tier, label in Tier.choices
            if any(v is not None for v in trend["series"][tier])
        ]
        data["chart_config"] = _line(trend["days"], datasets, y_title=gettext("Mean engagement score"))
        data["chart_title"] = gettext("Engagement trend by tier")
        rows = [
            [day, *[trend["series"][t][i] if trend["series"][t][i] is not None else "—" for t in Tier.values]]
            for i, day in enumerate(trend["days"])
        ]
        data["tables"].append(
            dashboards.table(
                gettext("Engagement trend by tier (chart data)"),
                [gettext("Day"), *[str(label) for _, label in Tier.choices]],
                rows,
            )
        )
        return data

    return _render(request, "overview", build)


@workspace_required
def journey_view(request: MemberRequest) -> HttpResponse:
    def build(filters: KpiFilters) -> dict[str, Any]:
        data = dashboards.journey(workspace=request.workspace, filters=filters)
        colours = ["#a5d8ff", "#4dabf7", "#1c7ed6", "#e67700", "#2f9e44", "#862e9c", "#868e96"]
        series = data["chart"]["series"]
        data["chart_config"] = _line(
            data["chart"]["labels"],
            [{"label": k, "data": v, "color": colours[i % len(colours)]} for i, (k, v) in enumerate(series.items())],
            y_title=gettext("Share of the cohort (%)"),
            kind="bar",
        )
        data["chart_title"] = gettext("How far each monthly cohort got")
        return data

    return _render(request, "journey", build)


@workspace_required
def funnel_view(request: MemberRequest) -> HttpResponse:
    def build(filters: KpiFilters) -> dict[str, Any]:
        data = dashboards.top_of_funnel(workspace=request.workspace, filters=filters)
        colours = ["#868e96", "#3b5bdb", "#2f9e44"]
        series = data["chart"]["series"]
        data["chart_config"] = _line(
            data["chart"]["labels"],
            [{"label": k, "data": v, "color": c} for (k, v), c in zip(series.items(), colours, strict=True)],
            y_title=gettext("Count"),
            kind="bar",
        )
        data["chart_title"] = gettext("Attempts and their outcomes by tier")
        return data

    return _render(request, "funnel", build)


@workspace_required
def response_view(request: MemberRequest) -> HttpResponse:
    return _render(request, "response", lambda f: dashboards.response_and_team(workspace=request.workspace, filters=f))


@workspace_required
def content_view(request: MemberRequest) -> HttpResponse:
    def build(filters: KpiFilters) -> dict[str, Any]:
        perf = content_performance(workspace=request.workspace)

        def rows(items: list[dict[str, Any]]) -> list[list[Any]]:
            return [
                [
                    item["label"],
                    dashboards.num(item["reached"]),
                    dashboards.num(item["contacts"]),
                    dashboards.num(item["engagements"]),
                    dashboards.num(item["moved"]),
                    dashboards.pct(item["share"]),
                    dashboards.money(item["pipeline"]),
                ]
                for item in items
            ]

        columns = [
            gettext("Reaches (asset × account)"),
            gettext("Contacts reached"),
            gettext("Engagements"),
            gettext("Moved to a later stage"),
            gettext("Share moved"),
            gettext("Pipeline influenced"),
        ]
        stamp = perf["computed_at"]
        return {
            "scope_note": (
                gettext(
                    "All accounts, all time: content's asset-performance rollup (computed %(when)s). The period, "
                    "tier, owner, industry and saved-view filters do not narrow this page."
                )
                % {
                    "when": date_format(localtime(stamp), "SHORT_DATETIME_FORMAT")
                    + " "
                    + localtime(stamp).strftime("%Z")
                }
                if stamp
                else gettext(
                    "All accounts, all time: content's asset-performance rollup (not computed yet). The period, tier, "
                    "owner, industry and saved-view filters do not narrow this page."
                )
            ),
            "chart_config": _line(
                [item["label"] for item in perf["by_stage"]],
                [
                    {
                        "label": gettext("Share of reached accounts that moved (%)"),
                        "data": [
                            round(item["share"] * 100, 1) if item["share"] is not None else None
                            for item in perf["by_stage"]
                        ],
                        "color": "#3b5bdb",
                    }
                ],
                y_title="%",
                kind="bar",
            ),
            "chart_title": gettext("Accounts moved on after content, by the stage they were in"),
            "tables": [
                dashboards.table(gettext("By persona"), [gettext("Persona"), *columns], rows(perf["by_persona"])),
                dashboards.table(
                    gettext("By journey stage at the first touch"), [gettext("Stage"), *columns], rows(perf["by_stage"])
                ),
                dashboards.table(
                    gettext("Assets that moved accounts most (reached ≥ 5 accounts)"),
                    [gettext("Asset"), *columns],
                    rows(perf["top"]),
                    note=gettext(
                        "Moved: the account reached a later journey stage within the content settings' movement "
                        "window after its first touch; at the top stage, where none is later, a new opportunity was "
                        "created on it in that window. Pipeline: opportunities created within 90 days of it."
                    ),
                ),
            ],
        }

    return _render(request, "content", build)


@workspace_required
def impact_view(request: MemberRequest) -> HttpResponse:
    def build(filters: KpiFilters) -> dict[str, Any]:
        impact = programme_impact(workspace=request.workspace, filters=filters)

        def rows(lifts: list[dict[str, Any]], a: str, b: str) -> list[list[Any]]:
            out = []
            for lift in lifts:
                money_like = lift["name"] in ("revenue_per_account", "acv")
                fmt = (
                    dashboards.money
                    if money_like
                    else (dashboards.pct if lift["name"] == "win_rate" else (lambda v: dashboards.num(v, 2)))
                )
                verdict = {
                    "lift": gettext("Lift found"),
                    "drop": gettext("Worse"),
                    "no_clear_difference": gettext("No clear difference"),
                    "not_enough_data": gettext("Not enough data"),
                }[lift["status"]]
                out.append(
                    [
                        gettext(lift["label"]),
                        fmt(lift.get(a)),
                        fmt(lift.get(b)),
                        dashboards.pct(lift["relative"]),
                        dashboards.interval(lift["interval"], fmt) if lift["interval"] else "—",
                        dashboards.pct(lift["cited"]),
                        verdict,
                        f"{lift['n'][0]} / {lift['n'][1]}",
                    ]
                )
            return out

        tvs = impact["target_vs_standard"]
        ba = impact["before_after"]
        return {
            "impact": impact,
            "chart_config": _line(
                [gettext(lift["label"]) for lift in tvs],
                [
                    {
                        "label": gettext("Measured lift (%)"),
                        "data": [
                            round(lift["relative"] * 100, 1)
                            if lift["relative"] is not None and lift["status"] != "not_enough_data"
                            else None
                            for lift in tvs
                        ],
                        "color": "#3b5bdb",
                    },
                    {
                        "label": gettext("Cited lift (%)"),
                        "data": [round(lift["cited"] * 100) for lift in tvs],
                        "color": "#ced4da",
                    },
                ],
                y_title="%",
                kind="bar",
            ),
            "chart_title": gettext("Measured lifts beside the cited ones"),
            "tables": [
                dashboards.table(
                    gettext("Target (strategic + priority) against standard accounts"),
                    [
                        gettext("Measure"),
                        gettext("Target"),
                        gettext("Standard"),
                        gettext("Lift"),
                        gettext("Interval of the difference (95%)"),
                        gettext("Cited lift"),
                        gettext("Verdict"),
                        gettext("n (target / standard)"),
                    ],
                    rows(tvs, "target_mean", "standard_mean"),
                    note=gettext(
                        "A lift is claimed only when the interval of the difference excludes zero and each group "
                        "has at least 10 observations. Velocity: a shorter sales cycle counts as a lift."
                    ),
                ),
                dashboards.table(
                    ngettext(
                        "Before and after entering a target tier (%(accounts)s account, windows of up to "
                        "%(days)s days)",
                        "Before and after entering a target tier (%(accounts)s accounts, windows of up to "
                        "%(days)s days)",
                        int(ba["accounts"] or 0),
                    )
                    % {"accounts": dashboards.num(ba["accounts"]), "days": dashboards.num(ba["window_days"])},
                    [
                        gettext("Measure"),
                        gettext("Before"),
                        gettext("After"),
                        gettext("Lift"),
                        gettext("Interval of the difference (95%)"),
                        gettext("Cited lift"),
                        gettext("Verdict"),
                        gettext("n (accounts)"),
                    ],
                    rows(ba["lifts"], "before_mean", "after_mean"),
                    note=gettext("Equal windows before and after each account's first move into a target tier."),
                ),
            ],
        }

    return _render(request, "impact", build)


@workspace_required
def economics_view(request: MemberRequest) -> HttpResponse:
    ws = request.workspace
    can_edit = role_rules.can_write_everything(request)
    settings_row = analytics_settings(workspace=ws)
    spend_form = SpendEntryForm()
    settings_form = EconomicsSettingsForm(
        initial={
            "gross_margin": settings_row.gross_margin,
            "annual_churn": settings_row.annual_churn,
            **{f"sla_{tier}": settings_row.sla_hours(tier) for tier in Tier.values},
        }
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("Only admins and marketing can change programme spend and economics."))
        if request.POST.get("form") == "settings":
            settings_form = EconomicsSettingsForm(request.POST)
            if settings_form.is_valid():
                data = settings_form.cleaned_data
                analytics_settings_update(
                    workspace=ws,
                    gross_margin=data["gross_margin"],
                    annual_churn=data["annual_churn"],
                    ack_sla_hours={tier: data[f"sla_{tier}"] for tier in Tier.values},
                )
                messages.success(request, gettext("Economics settings saved."))
                return redirect("analytics:economics")
        else:
            spend_form = SpendEntryForm(request.POST)
            if spend_form.is_valid():
                try:
                    spend_entry_create(workspace=ws, by=request.user, **spend_form.cleaned_data)
                except ValidationError as exc:
                    for field, errs in exc.message_dict.items():
                        spend_form.add_error(field if field in spend_form.fields else None, errs)
                else:
                    messages.success(request, gettext("Spend entry added."))
                    return redirect("analytics:economics")

    def build(filters: KpiFilters) -> dict[str, Any]:
        data = dashboards.economics(workspace=ws, filters=filters)
        labels = data["chart"]["labels"]
        data["chart_config"] = _line(
            labels,
            [
                {"label": "LTV:CAC", "data": data["chart"]["values"], "color": "#3b5bdb"},
                {"label": gettext("2:1 (floor)"), "data": [2] * len(labels), "color": "#e03131", "dash": True},
                {"label": gettext("4:1 (on track)"), "data": [4] * len(labels), "color": "#2f9e44", "dash": True},
            ],
            y_title="LTV:CAC",
        )
        data["chart_title"] = gettext("LTV:CAC by quarter against the 2:1 → 4:1 band")
        return data

    spend = Paginator(SpendEntry.objects.for_workspace(ws).order_by("-period_start", "tier", "id"), 12).get_page(
        request.GET.get("spend_page")
    )
    extra = {"spend_entries": spend, "spend_form": spend_form, "settings_form": settings_form, "can_edit": can_edit}
    return _render(request, "economics", build, extra)


@workspace_required
@require_POST
def spend_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    if not role_rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only admins and marketing can change programme spend."))
    entry = get_object_or_404(SpendEntry.objects.for_workspace(request.workspace), pk=pk)
    spend_entry_delete(entry=entry)
    messages.success(request, gettext("Spend entry deleted."))
    return redirect("analytics:economics")


@workspace_required
def maturity_view(request: MemberRequest) -> HttpResponse:
    """The 5 x 5 grid as a questionnaire, the radar of the last assessments, next steps and history;
    "is account-based selling for us?" and the rollout tracker."""
    ws = request.workspace
    can_edit = role_rules.can_write_everything(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(
                gettext("Only admins and marketing can record an assessment or edit the rollout plan.")
            )
        try:
            if request.POST.get("form") == "rollout":
                # Values the form's controls cannot send (a hidden step number, a select, a date picker) are
                # refused by the service's own checks or as a date: never Python's "invalid literal for int()".
                number = whole_number(request.POST.get("number", ""), max_digits=9) or 0
                owner = request.POST.get("owner") or ""
                owner_id = (whole_number(owner, max_digits=18) or -1) if owner else None  # -1: no such member
                raw_due = (request.POST.get("due_date") or "").strip()
                try:
                    due = parse_date(raw_due) if raw_due else None
                except ValueError:  # a well-formed impossible date (2026-02-30)
                    due = None
                if raw_due and due is None:
                    raise ValidationError({"due_date": gettext("Give the due date as YYYY-MM-DD.")})
                rollout_step_update(
                    workspace=ws,
                    number=number,
                    owner_id=owner_id,
                    due_date=due,
                    done=request.POST.get("done") == "on",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, gettext("Rollout step %(number)s saved.") % {"number": number})
            else:
                stages: dict[str, Any] = {}
                for d in maturity.DIMENSIONS:
                    raw = request.POST.get(d.key, "")
                    level = whole_number(raw, max_digits=9)
                    stages[d.key] = raw if level is None else level
                maturity_assessment_create(
                    workspace=ws, stages=stages, notes=request.POST.get("notes", ""), by=request.user
                )
                messages.success(request, gettext("Assessment saved."))
            return redirect("analytics:maturity")
        except (ValueError, ValidationError) as exc:
            errors = (
                exc.message_dict
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict")
                else {"form": [str(exc) if not isinstance(exc, ValidationError) else " ".join(exc.messages)]}
            )

    # Everything the page reads, cached per rollup version (which an assessment or a rollout edit moves on).
    def read() -> dict[str, Any]:
        return {
            "evidence": maturity_evidence(workspace=ws),
            "fit": abs_fit(workspace=ws),
            "rollout": rollout_tracker(workspace=ws),
            "history": list(maturity_assessment_list(workspace=ws)[:20]),
            "owners": dashboards.member_choices(workspace=ws),
        }

    facts = cached(workspace=ws, name="maturity-page", filters=None, compute=read)
    evidence, history = facts["evidence"], facts["history"]
    latest = history[0] if history else None
    grid = []
    for d in maturity.DIMENSIONS:
        current = latest.stages.get(d.key) if latest else None
        suggested = evidence[d.key]["stage"]
        grid.append(
            {
                "dimension": d,
                "descriptors": list(enumerate(d.descriptors, 1)),
                "evidence": evidence[d.key],
                "selected": current or suggested,
                "current": current,
                "next_step": maturity.next_step(d, current or suggested),
            }
        )
    radar = {
        "labels": [d.name for d in maturity.DIMENSIONS],
        "datasets": [
            {"label": f"{a.created_at:%Y-%m-%d}", "data": [a.stages.get(k) for k in maturity.DIMENSION_KEYS]}
            for a in history[:3]
        ]
        + [
            {"label": gettext("Suggested by the data"), "data": [evidence[k]["stage"] for k in maturity.DIMENSION_KEYS]}
        ],
    }
    context = {
        "page": "maturity",
        "pages": PAGES,
        "grid": grid,
        "history": history,
        "stages": maturity.STAGES,
        "radar": radar,
        "fit": facts["fit"],
        "rollout": facts["rollout"],
        "owners": facts["owners"],
        "can_edit": can_edit,
        "errors": errors,
        "dimension_keys": maturity.DIMENSION_KEYS,
    }
    return render(request, "analytics/maturity.html", context)


@workspace_required
@require_POST
def digest_toggle_view(request: MemberRequest) -> HttpResponse:
    subscribed = request.POST.get("subscribed") == "1"
    try:
        digest_subscription_set(workspace=request.workspace, user=request.user, subscribed=subscribed)
    except ValidationError as exc:
        raise PermissionDenied(" ".join(exc.messages)) from None
    messages.success(request, gettext("Weekly digest on.") if subscribed else gettext("Weekly digest off."))
    return redirect("analytics:overview")
