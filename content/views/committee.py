"""Buying-committee pages: the account panel (coverage, gaps, org chart with influence and stance), the coverage
heatmap with CSV export, the gap list, the committee templates, next-best content and won/lost analysis."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe.http import MemberRequest
from abe.paging import bounded_page, ignored_params, page_number, paginate, text_param, whole_number
from abe.views import workspace_required
from accounts import services as account_services
from accounts.models import TIER_LABELS, Account, Contact, Influence, SavedView, Stance, Tier
from accounts.selectors import saved_view_accounts, saved_view_list, workspace_users
from personas.committee import DEPARTMENT_LABELS, ROLE_LABELS, TIERS
from personas.models import Persona
from personas.services import committee_template_reset, committee_template_save

from .. import hooks
from ..selectors import committee as committee_selectors
from ..selectors.analysis import DealReview, won_lost_analysis
from ..selectors.nbc import next_best_content

HEATMAP_PAGE = 50
# The heatmap and gap list count matching accounts up to this many ("1–50 of 250+" above it): a count of
# accounts filtered by tier, stage and owner reads one index entry per match (and, until the visibility map is
# set, a heap page), so a cap of 1,000 read ~950 entries at 100,000 accounts where 2,000 read 19.
COMMITTEE_COUNT_CAP = 250


def _account(request: MemberRequest, pk: int) -> Account:
    return get_object_or_404(Account.objects.for_workspace(request.workspace).select_related("owner"), pk=pk)


def _panel_context(request: MemberRequest, account: Account) -> dict:
    coverage = committee_selectors.account_coverage(account=account)
    members = committee_selectors.committee_members(account=account)
    templates = committee_selectors.committee_templates(workspace=request.workspace)
    template = templates.get(account.tier) or templates["standard"]
    cutoff = timezone.now() - timedelta(days=template.engaged_days)
    engaged_ids = {c.pk for c in members if c.left_at is None and c.last_engaged_at and c.last_engaged_at >= cutoff}
    return {
        "account": account,
        "coverage": coverage,
        "coverage_pct": round(coverage.figure * 100),
        "gaps": committee_selectors.coverage_gaps(workspace=request.workspace, coverage=coverage),
        "chart": committee_selectors.org_chart(members),
        "members": members,
        "engaged_ids": engaged_ids,
        "engaged_days": template.engaged_days,
        "can_edit": rules.can_edit_object(request, account),
        "open_deals": committee_selectors.open_deal_seats(account=account, template=template),
        "influences": Influence.choices,
        "stances": Stance.choices,
    }


@workspace_required
def committee_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    return render(request, "content/panels/committee.html", _panel_context(request, account))


@require_POST
@workspace_required
def contact_map_view(request: MemberRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Set a contact's influence, stance and manager (the team of the account edits them)."""
    account = _account(request, pk)
    if not rules.can_edit_object(request, account):
        raise PermissionDenied(gettext("You can only edit the committee of accounts you own or are on the team of."))
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=contact_pk, account=account)
    data: dict = {}
    if "influence" in request.POST:
        data["influence"] = request.POST["influence"] if request.POST["influence"] in Influence.values else ""
    if "stance" in request.POST:
        data["stance"] = request.POST["stance"] if request.POST["stance"] in Stance.values else ""
    if "reports_to" in request.POST:
        manager = whole_number(request.POST["reports_to"])
        data["reports_to"] = (
            Contact.objects.for_workspace(request.workspace).filter(pk=manager, account=account).first()
            if manager is not None
            else None
        )
    error = ""
    try:
        account_services.contact_update(contact, by=request.user, **data)
    except ValidationError as exc:
        error = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        contact.refresh_from_db()
    context = _panel_context(request, account)
    context["error"] = error
    if request.htmx:
        return render(request, "content/panels/committee.html", context)
    if error:
        messages.error(request, error)
    return redirect("accounts:detail", pk=account.pk)


def _heatmap_filters(request: MemberRequest) -> tuple[committee_selectors.HeatmapFilters, dict]:
    tier = request.GET.get("tier", "")
    tier = tier if tier in Tier.values else ""
    owner = request.GET.get("owner", "")
    owner_id = request.user.pk if owner == "me" else whole_number(owner)
    stage = text_param(request, name="stage", limit=40)
    q = text_param(request)
    view = request.GET.get("view", "")
    within = None
    view_id = whole_number(view)
    if view_id is not None:
        try:
            within = saved_view_accounts(workspace=request.workspace, user=request.user, view=view_id)
        except SavedView.DoesNotExist:
            view = ""  # another's private view or a stale link: show every account rather than an error
    else:
        view = ""
    chosen = {"tier": tier, "owner": owner, "stage": stage, "q": q, "view": view}
    filters = committee_selectors.HeatmapFilters(tier=tier, owner_id=owner_id, stage=stage, q=q, within=within)
    return filters, chosen


def _filter_context(request: MemberRequest) -> dict:
    return {
        "tiers": Tier.choices,
        "users": list(workspace_users(workspace=request.workspace)),
        "stages": hooks.journey_stages(workspace=request.workspace),
        "saved_views": list(saved_view_list(workspace=request.workspace, user=request.user)),
    }


@workspace_required
def heatmap_view(request: MemberRequest) -> HttpResponse | StreamingHttpResponse:
    filters, chosen = _heatmap_filters(request)
    templates = committee_selectors.committee_templates(workspace=request.workspace)
    columns = committee_selectors.heatmap_columns(templates=templates, tier=filters.tier)
    accounts = committee_selectors.heatmap_accounts(workspace=request.workspace, filters=filters)
    if request.GET.get("export") == "csv":
        return _heatmap_csv(request, accounts, columns, templates)
    page_obj = bounded_page(accounts, number=page_number(request), per_page=HEATMAP_PAGE, cap=COMMITTEE_COUNT_CAP)
    rows = committee_selectors.heatmap_rows(
        workspace=request.workspace, accounts=list(page_obj.object_list), columns=columns, templates=templates
    )
    return render(
        request,
        "content/heatmap.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "columns": columns,
            "chosen": chosen,
            **_filter_context(request),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas in exported text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _heatmap_csv(request, accounts, columns, templates) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            [
                "account_id",
                "account",
                "tier",
                "stage",
                "owner",
                "coverage",
                "single_threaded",
                *[f"{c.key} (known/engaged/required)" for c in columns],
            ]
        )
        chunk: list[Account] = []
        for account in accounts.iterator(chunk_size=2000):
            chunk.append(account)
            if len(chunk) == 2000:
                yield from _csv_chunk(writer, request, chunk, columns, templates)
                chunk = []
        if chunk:
            yield from _csv_chunk(writer, request, chunk, columns, templates)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="committee-coverage.csv"'
    return response


def _csv_chunk(writer, request, chunk, columns, templates):
    for row in committee_selectors.heatmap_rows(
        workspace=request.workspace, accounts=chunk, columns=columns, templates=templates
    ):
        a = row.account
        cells = [f"{c.known}/{c.engaged}/{c.requirement.count}" if c else "" for c in row.cells]
        owner = _safe(a.owner.username if a.owner else "")
        threaded = "yes" if row.coverage.single_threaded else "no"
        yield writer.writerow(
            [a.pk, _safe(a.name), a.tier, a.journey_stage, owner, row.coverage.figure, threaded, *cells]
        )


def _won_lost_csv(deals: list[DealReview]) -> HttpResponse:
    """The deals the review shows (its filters, every page): one line per deal, its people as "name (seat,
    engaged, high influence)" separated by semicolons; names neutralised against spreadsheet formulas."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="won-lost-deals.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "deal_id",
            "deal",
            "account_id",
            "account",
            "status",
            "close_date",
            "people_from",
            "people",
            "engaged",
            "seats_nobody_held",
            "room",
        ]
    )
    for d in deals:
        room = "; ".join(
            _safe(p.name)
            + " ("
            + ", ".join(
                x
                for x in (p.role, "engaged" if p.engaged else "", "high influence" if p.influence == "high" else "")
                if x
            )
            + ")"
            for p in d.room
        )
        writer.writerow(
            [
                d.id,
                _safe(d.name),
                d.account_id,
                _safe(d.account_name),
                d.status,
                d.close.isoformat(),
                "contact_roles" if d.from_crm else "account_contacts",
                d.people,
                d.engaged,
                " ".join(r.key for r in d.missing),
                _safe(room),
            ]
        )
    return response


@workspace_required
def gaps_view(request: MemberRequest) -> HttpResponse:
    filters, chosen = _heatmap_filters(request)
    templates = committee_selectors.committee_templates(workspace=request.workspace)
    accounts = committee_selectors.heatmap_accounts(workspace=request.workspace, filters=filters)
    page_obj = bounded_page(accounts, number=page_number(request), per_page=25, cap=COMMITTEE_COUNT_CAP)
    coverages = committee_selectors.coverage_for_accounts(
        workspace=request.workspace, accounts=list(page_obj.object_list), templates=templates
    )
    requirements = {g.requirement.key: g.requirement for c in coverages.values() for g in c.gaps}
    hints = committee_selectors.gap_hints(workspace=request.workspace, requirements=list(requirements.values()))
    rows = []
    for account in page_obj.object_list:
        coverage = coverages[account.pk]
        gaps = [
            committee_selectors.Gap(
                requirement=g.requirement,
                missing=g.requirement.count - g.known,
                titles=hints[g.requirement.key][0],
                personas=hints[g.requirement.key][1],
            )
            for g in coverage.gaps
        ]
        rows.append({"account": account, "coverage": coverage, "pct": round(coverage.figure * 100), "gaps": gaps})
    return render(
        request,
        "content/gaps.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "chosen": chosen,
            **_filter_context(request),
        },
    )


@workspace_required
def committee_templates_view(request: MemberRequest) -> HttpResponse:
    templates = committee_selectors.committee_templates(workspace=request.workspace)
    return render(
        request,
        "content/committee_templates.html",
        {
            "templates": [templates[t] for t in TIERS],
            "can_edit": rules.can_write_everything(request),
            "tier_labels": TIER_LABELS,
        },
    )


TEMPLATE_ROWS = 12


@workspace_required
def committee_template_edit_view(request: MemberRequest, tier: str) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Admins and marketing edit committee templates."))
    if tier not in TIERS:
        raise PermissionDenied(gettext("Unknown tier."))
    template = committee_selectors.committee_templates(workspace=request.workspace)[tier]
    personas = list(Persona.objects.for_workspace(request.workspace).order_by("name"))
    error = ""
    if request.method == "POST":
        if request.POST.get("reset"):
            committee_template_reset(workspace=request.workspace, tier=tier, by=request.user)
            messages.success(
                request, gettext("The %(tier)s template is back to the default.") % {"tier": Tier(tier).label}
            )
            return redirect("content:committee_templates")
        requirements = []
        for i in range(TEMPLATE_ROWS):
            role = request.POST.get(f"role_{i}", "")
            department = request.POST.get(f"department_{i}", "")
            persona = request.POST.get(f"persona_{i}", "")
            count = request.POST.get(f"count_{i}", "")
            if not (role or department or persona):
                continue
            requirements.append(
                {
                    "role": role,
                    "department": department,
                    "persona": whole_number(persona),
                    "count": whole_number(count, max_digits=9) or 0,
                }
            )
        days = request.POST.get("engaged_days", "")
        try:
            committee_template_save(
                workspace=request.workspace,
                tier=tier,
                requirements=requirements,
                by=request.user,
                engaged_days=-1 if (engaged := whole_number(days, max_digits=9)) is None else engaged,
            )
        except ValidationError as exc:
            error = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        else:
            messages.success(
                request, gettext("Committee template for the %(tier)s tier saved.") % {"tier": Tier(tier).label}
            )
            return redirect("content:committee_templates")
    rows = [r.as_dict() for r in template.requirements]
    rows += [{"role": "", "department": "", "persona": None, "count": 1}] * (TEMPLATE_ROWS - len(rows))
    return render(
        request,
        "content/committee_template_form.html",
        {
            "tier": tier,
            "tier_label": Tier(tier).label,
            "template": template,
            "rows": rows,
            "error": error,
            "roles": ROLE_LABELS.items(),
            "departments": DEPARTMENT_LABELS.items(),
            "personas": personas,
        },
    )


@workspace_required
def next_best_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    result = next_best_content(account=account)
    return render(request, "content/panels/next_best.html", {"account": account, "result": result})


@workspace_required
def contact_next_best_view(request: MemberRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace).select_related("account"), pk=pk)
    result = next_best_content(account=contact.account, contact_id=contact.pk, limit=10)
    return render(
        request,
        "content/contact_next_best.html",
        {
            "contact": contact,
            "account": contact.account,
            "result": result,
            "entry": result.contacts[0] if result.contacts else None,
        },
    )


WON_LOST_SHOWN = {"": None, "won": "won", "lost": "lost"}


@workspace_required
def won_lost_view(request: MemberRequest) -> HttpResponse:
    """The won/lost comparison, and below it the deals one by one (``status`` won or lost, ``gaps=1`` only those
    where a seat of the account's template was missing), 25 a page."""
    raw = request.GET.get("n", "50")
    number = whole_number(raw)
    n = 50 if number is None else min(max(number, 5), 500)
    analysis = won_lost_analysis(workspace=request.workspace, last=n)
    status = request.GET.get("status", "")
    gaps = request.GET.get("gaps", "")
    checks = (("n", number is not None), ("status", status in WON_LOST_SHOWN), ("gaps", gaps in ("", "1")))
    invalid = [name for name, ok in checks if not ok]
    shown = WON_LOST_SHOWN.get(status)
    rows = [d for d in analysis.deals if (shown is None or d.status == shown) and (gaps != "1" or d.missing)]
    if request.GET.get("export") == "csv":
        return _won_lost_csv(rows)
    return render(
        request,
        "content/won_lost.html",
        {
            "analysis": analysis,
            "n": n,
            "status": status if status in WON_LOST_SHOWN else "",
            "gaps": gaps == "1",
            "page_obj": paginate(request, rows, key="won_lost_deals"),
            "ignored": ignored_params(request, invalid=invalid),
        },
    )
