"""Key-account pages: overview, account plans (and print view), Pareto selection, qualification, post-sale,
settings (cadence, news feeds), product catalogue, and the account-page panels and home fragment."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe.http import MemberRequest
from abe.paging import ignored_params, paginate
from abe.views import admin_required, safe_next, workspace_required
from accounts import services as account_services
from accounts.models import TIER_LABELS, Account, Lifecycle, Opportunity, Product
from accounts.prospecting.services import account_ids_editable, tier_proposal_create
from accounts.selectors import account_list, product_list
from work.models import Task, TaskStatus
from work.services import task_complete

from . import selectors
from .forms import (
    AccountPlanForm,
    ActionForm,
    BantForm,
    FeedForm,
    NewsTermsForm,
    ObjectiveForm,
    ParetoForm,
    ProductForm,
    ProposeForm,
    RecurringActivityForm,
    ReviewForm,
    RiskForm,
    SettingsForm,
)
from .models import (
    AccountNewsTerms,
    AccountPlan,
    BantCriterion,
    NewsFeed,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    RiskStatus,
)
from .services import news, plans, postsale, qualification

PAGE_SIZE = 25


def _account(request: MemberRequest, pk: int) -> Account:
    return get_object_or_404(account_list(workspace=request.workspace), pk=pk)


def _plan(request: MemberRequest, pk: int) -> AccountPlan:
    return get_object_or_404(selectors.account_plan_list(workspace=request.workspace), pk=pk)


def _require_edit(request: MemberRequest, obj) -> None:
    if not rules.can_edit_object(request, obj):
        raise PermissionDenied(
            gettext("You can only change key-account work of accounts you own or are on the team of.")
        )


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# Overview and plans


WITHOUT_PLAN_SHOWN = 10


@workspace_required
def index_view(request: MemberRequest) -> HttpResponse:
    ws = request.workspace
    plan_qs = (
        selectors.account_plan_list(workspace=ws).filter(status=PlanStatus.CURRENT).order_by("next_review_due", "id")
    )
    page = paginate(request, plan_qs, key="account_plans", default=PAGE_SIZE)
    # Strategic accounts first: ordering by the tier's text put "priority" before "strategic".
    without_plan = selectors.key_accounts_without_plan(workspace=ws)
    shown = list(without_plan[:WITHOUT_PLAN_SHOWN])
    return render(
        request,
        "keyaccounts/index.html",
        {
            "page_obj": page,
            "plans": page.object_list,
            "today": timezone.localdate(),
            "soon": timezone.localdate() + dt.timedelta(days=14),
            "without_plan": shown,
            # "start a plan" where the reader may (sales: their own and their team's accounts; viewers: none).
            "startable": account_ids_editable(request=request, workspace=ws, account_ids=[a.pk for a in shown]),
            "without_plan_count": without_plan.count(),
        },
    )


@workspace_required
def plan_create_view(request: MemberRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    _require_edit(request, account)
    existing = selectors.account_plan_current(account=account)
    if existing is not None:
        messages.info(request, gettext("%(account)s already has a current plan.") % {"account": account.name})
        return redirect("keyaccounts:plan", pk=existing.pk)
    form = AccountPlanForm(request.POST or None, workspace=request.workspace, initial={"owner": account.owner})
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.account_plan_create(
                workspace=request.workspace, account=account, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("Account plan for %(account)s started.") % {"account": account.name})
            return redirect("keyaccounts:plan", pk=plan.pk)
    return render(request, "keyaccounts/plan_form.html", {"account": account, "form": form})


def _plan_context(request: MemberRequest, plan: AccountPlan) -> dict:
    account = plan.account
    return {
        "plan": plan,
        "account": account,
        "today": timezone.localdate(),
        "can_edit": rules.can_edit_object(request, plan),
        "stakeholders": selectors.stakeholder_map(account=account),
        "whitespace": selectors.whitespace_grid(account=account),
        "objectives": list(plan.objectives.all()),
        "risks": list(plan.risks.all()),
        "actions": list(selectors.plan_actions(plan=plan).order_by("status", "due_date", "id")),
        "reviews": list(plan.reviews.select_related("reviewed_by")[:10]),
        "history": selectors.plan_history(plan=plan, limit=30),
        "review_days": selectors.key_account_settings(workspace=request.workspace).review_days(account.tier),
        "risk_statuses": RiskStatus.choices,
    }


@workspace_required
def plan_view(request: MemberRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = _plan_context(request, plan)
    context.update(
        {
            "plan_form": AccountPlanForm(
                workspace=request.workspace,
                initial={
                    **{f: getattr(plan, f) for f in ("goals", "plans", "challenges", "stakes", "timeline")},
                    "owner": plan.owner,
                },
            ),
            "objective_form": ObjectiveForm(),
            "risk_form": RiskForm(),
            "action_form": ActionForm(workspace=request.workspace),
            "review_form": ReviewForm(),
        }
    )
    return render(request, "keyaccounts/plan.html", context)


@workspace_required
def plan_print_view(request: MemberRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = _plan_context(request, plan)
    context["health"] = selectors.health_latest(account=plan.account)
    context["expansion"] = list(selectors.expansion_pipeline(workspace=request.workspace, account=plan.account))
    return render(request, "keyaccounts/plan_print.html", context)


@require_POST
@workspace_required
def plan_edit_view(request: MemberRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _require_edit(request, plan)
    kind = request.POST.get("form")
    forms_by_kind = {
        "plan": lambda: AccountPlanForm(request.POST, workspace=request.workspace),
        "objective": lambda: ObjectiveForm(request.POST),
        "risk": lambda: RiskForm(request.POST),
        "action": lambda: ActionForm(request.POST, workspace=request.workspace),
        "review": lambda: ReviewForm(request.POST),
    }
    if kind not in forms_by_kind:
        messages.error(request, gettext("Unknown form."))
        return redirect("keyaccounts:plan", pk=plan.pk)
    form = forms_by_kind[kind]()
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "plan":
                plans.account_plan_update(plan, by=request.user, **data)
                messages.success(request, gettext("Plan saved."))
            elif kind == "objective":
                plans.plan_objective_create(workspace=request.workspace, plan=plan, by=request.user, **data)
                messages.success(request, gettext("Objective added."))
            elif kind == "risk":
                plans.plan_risk_create(workspace=request.workspace, plan=plan, by=request.user, **data)
                messages.success(request, gettext("Risk added."))
            elif kind == "action":
                plans.plan_action_create(plan=plan, by=request.user, **data)
                messages.success(request, gettext("Action added to the plan (and to the owner's tasks)."))
            else:
                review = plans.account_plan_review(plan=plan, by=request.user, note=data["note"])
                plan.refresh_from_db()
                messages.success(
                    request,
                    gettext("Review recorded; the next one is due on %(date)s.")
                    % {"date": date_format(plan.next_review_due, "SHORT_DATE_FORMAT") if plan.next_review_due else "—"},
                )
                del review
            return redirect("keyaccounts:plan", pk=plan.pk)
        except ValidationError as exc:
            _errors(form, exc)
    context = _plan_context(request, plan)
    context.update(
        {
            "plan_form": AccountPlanForm(
                workspace=request.workspace,
                initial={
                    **{f: getattr(plan, f) for f in ("goals", "plans", "challenges", "stakes", "timeline")},
                    "owner": plan.owner,
                },
            ),
            "objective_form": ObjectiveForm(),
            "risk_form": RiskForm(),
            "action_form": ActionForm(workspace=request.workspace),
            "review_form": ReviewForm(),
        }
    )
    context[f"{kind}_form"] = form
    context["open_form"] = kind
    return render(request, "keyaccounts/plan.html", context, status=400)


@require_POST
@workspace_required
def plan_item_view(request: MemberRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """Small updates from the plan page: objective progress, risk status, completing an action, deleting."""
    plan = _plan(request, pk)
    _require_edit(request, plan)
    try:
        if kind == "objective":
            objective = get_object_or_404(PlanObjective.objects.filter(plan=plan), pk=item_pk)
            if request.POST.get("delete"):
                plans.plan_objective_delete(objective, by=request.user)
            else:
                plans.plan_objective_update(objective, by=request.user, current=request.POST.get("current"))
        elif kind == "risk":
            risk = get_object_or_404(PlanRisk.objects.filter(plan=plan), pk=item_pk)
            if request.POST.get("delete"):
                plans.plan_risk_delete(risk, by=request.user)
            else:
                plans.plan_risk_update(risk, by=request.user, status=request.POST.get("status", ""))
        elif kind == "action":
            task = get_object_or_404(selectors.plan_actions(plan=plan), pk=item_pk)
            task_complete(task=task, by=request.user, outcome=request.POST.get("outcome", ""))
        elif kind == "archive":
            plans.account_plan_archive(plan=plan, by=request.user)
            messages.success(request, gettext("Plan archived; start a new one from the account page."))
            return redirect("accounts:detail", pk=plan.account_id)
        else:
            raise ValidationError(gettext("Unknown item."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("keyaccounts:plan", kwargs={"pk": plan.pk}) + f"#{kind}s")


# Panels and the home fragment


@workspace_required
def panel_plan_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    plan = selectors.account_plan_current(account=account)
    return render(
        request,
        "keyaccounts/panels/plan.html",
        {
            "account": account,
            "plan": plan,
            "today": timezone.localdate(),
            "can_edit": rules.can_edit_object(request, account),
            "open_actions": selectors.open_plan_tasks_count(plan=plan) if plan else 0,
            "opportunities": list(
                selectors.opportunities_with_qualification(workspace=request.workspace)
                .filter(account=account)
                .order_by("-created_date")[:8]
            ),
            "checks": selectors.pre_bant_checks(account=account),
            "labels": selectors.QUALIFICATION_LABELS,
        },
    )


@workspace_required
def panel_postsale_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    can_edit = rules.can_edit_object(request, account)
    form = RecurringActivityForm(
        request.POST or None,
        workspace=request.workspace,
        initial={"next_due": timezone.localdate() + dt.timedelta(days=7), "assignee": account.owner},
    )
    if request.method == "POST":
        _require_edit(request, account)
        if form.is_valid():
            try:
                postsale.recurring_activity_create(
                    workspace=request.workspace, account=account, by=request.user, **form.cleaned_data
                )
                form = RecurringActivityForm(workspace=request.workspace, initial=form.initial)
            except ValidationError as exc:
                _errors(form, exc)
    health = selectors.health_latest(account=account)
    return render(
        request,
        "keyaccounts/panels/postsale.html",
        {
            "account": account,
            "can_edit": can_edit,
            "form": form,
            "health": health,
            "activities": list(selectors.recurring_activities(workspace=request.workspace, account=account)),
            "check_ins": selectors.check_in_tasks(account=account),
            "expansion": list(selectors.expansion_pipeline(workspace=request.workspace, account=account)),
            "renewals": selectors.renewals_due(workspace=request.workspace, within_days=365, account=account),
        },
    )


@workspace_required
def panel_news_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    terms = AccountNewsTerms.objects.filter(workspace=request.workspace, account=account).first()
    form = NewsTermsForm(
        request.POST or None,
        initial={
            "aliases": ", ".join(terms.aliases) if terms else "",
            "exclusions": ", ".join(terms.exclusions) if terms else "",
        },
    )
    if request.method == "POST":
        _require_edit(request, account)
        if form.is_valid():
            split = lambda s: [p.strip() for p in s.split(",") if p.strip()]  # noqa: E731
            try:
                terms = news.account_news_terms_set(
                    account=account,
                    aliases=split(form.cleaned_data["aliases"]),
                    exclusions=split(form.cleaned_data["exclusions"]),
                    by=request.user,
                )
            except ValidationError as exc:
                _errors(form, exc)
    return render(
        request,
        "keyaccounts/panels/news.html",
        {
            "account": account,
            "matches": selectors.account_news(account=account),
            "form": form,
            "terms": terms,
            "can_edit": rules.can_edit_object(request, account),
        },
    )


@workspace_required
def home_reviews_view(request: MemberRequest) -> HttpResponse:
    """Home-page fragment: account-plan reviews due in the next 14 days or overdue (mine first, then all)."""
    mine = request.GET.get("all") != "1"
    qs = selectors.plan_reviews_due(workspace=request.workspace, user=request.user if mine else None)
    plans_due = list(qs[:10])
    if mine and not plans_due:
        plans_due, mine = list(selectors.plan_reviews_due(workspace=request.workspace)[:10]), False
    return render(
        request,
        "keyaccounts/partials/home_reviews.html",
        {
            "plans": plans_due,
            "today": timezone.localdate(),
            "mine": mine,
        },
    )


# Pareto


@workspace_required
def pareto_view(request: MemberRequest) -> HttpResponse:
    form = ParetoForm(request.GET or None)
    today = timezone.localdate()
    start, end, by = today - dt.timedelta(days=365), today, "revenue"
    if form.is_bound and form.is_valid():
        end = form.cleaned_data.get("end") or end
        start = form.cleaned_data.get("start") or end - dt.timedelta(days=365)
        by = form.cleaned_data.get("by") or "revenue"
    page = selectors.pareto_selection(workspace=request.workspace, start=start, end=end, by=by)
    page_obj = paginate(request, page.accounts, key="pareto", default=50)
    curve = [[row["rank"], round(row["cumulative_share"] * 100, 1)] for row in page.accounts]
    step = max(1, len(curve) // 400)  # at most ~400 points on the chart
    return render(
        request,
        "keyaccounts/pareto.html",
        {
            "form": form,
            "page": page,
            "result": page.result,
            # Each row's tier with its label in the reader's language (the page showed the key, "Strategic").
            "rows": [{**row, "tier_label": TIER_LABELS.get(row["tier"], row["tier"])} for row in page_obj.object_list],
            "page_obj": page_obj,
            "start": start,
            "end": end,
            "by": by,
            "curve": curve[::step] + (curve[-1:] if curve else []),
            "propose_form": ProposeForm(),
            "can_propose": rules.can_write(request),
        },
    )


@require_POST
@workspace_required
def propose_view(request: MemberRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot propose tier moves."))
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            tier_proposal_create(account=account, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                gettext("%(account)s proposed as a key account; decide it on the tier proposals page.")
                % {"account": account.name},
            )
        except ValidationError as exc:
            messages.error(request, f"{account.name}: " + " ".join(exc.messages))
    else:
        messages.error(request, gettext("Give a reason for the proposal."))
    return redirect(safe_next(request, reverse("keyaccounts:pareto")))


# Qualification


@workspace_required
def qualification_view(request: MemberRequest) -> HttpResponse:
    value = request.GET.get("qualification", "")
    # A verdict the filter does not offer lists every open opportunity, and the page says the value was ignored.
    invalid = ["qualification"] if value and value not in selectors.QUALIFICATION_LABELS else []
    if invalid:
        value = ""
    qs = selectors.opportunities_with_qualification(workspace=request.workspace).filter(status="open")
    qs = selectors.filter_qualification(qs, value).order_by("close_date", "id")
    page = paginate(request, qs, key="qualification", default=PAGE_SIZE)
    return render(
        request,
        "keyaccounts/qualification.html",
        {
            "page_obj": page,
            "opportunities": page.object_list,
            "value": value,
            "labels": selectors.QUALIFICATION_LABELS,
            "ignored": ignored_params(request, invalid=invalid),
        },
    )


@workspace_required
def opportunity_view(request: MemberRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(
        Opportunity.objects.for_workspace(request.workspace).select_related("account", "product"), pk=pk
    )
    account = opportunity.account
    can_edit = rules.can_edit_object(request, opportunity)
    contacts = account.contacts.all()
    bound = None
    if request.method == "POST":
        _require_edit(request, opportunity)
        bound = BantForm(request.POST, contacts=contacts)
        if bound.is_valid():
            try:
                qualification.bant_set(opportunity=opportunity, by=request.user, **bound.cleaned_data)
                criterion = BantCriterion(bound.cleaned_data["criterion"]).label  # in the reader's language
                messages.success(request, gettext("%(criterion)s saved.") % {"criterion": criterion})
                return redirect("keyaccounts:opportunity", pk=opportunity.pk)
            except ValidationError as exc:
                _errors(bound, exc)
    rows = selectors.bant_for(opportunity=opportunity)
    for row in rows:
        item = row["item"]
        if bound is not None and bound.data.get("criterion") == row["criterion"]:
            row["form"] = bound
        else:
            row["form"] = BantForm(
                contacts=contacts,
                initial={
                    "criterion": row["criterion"],
                    "status": item.status if item else "unknown",
                    "evidence": item.evidence if item else "",
                    "contact": item.contact_id if item else None,
                    "checked_on": item.checked_on if item else None,
                },
            )
    confirmed = sum(1 for r in rows if r["item"] and r["item"].status == "confirmed")
    not_met = sum(1 for r in rows if r["item"] and r["item"].status == "not_met")
    return render(
        request,
        "keyaccounts/opportunity.html",
        {
            "opportunity": opportunity,
            "account": account,
            "rows": rows,
            "can_edit": can_edit,
            "checks": selectors.pre_bant_checks(account=account),
            "qualification": selectors.QUALIFICATION_LABELS[selectors.qualification_label(confirmed, not_met)],
        },
        status=400 if bound is not None else 200,
    )


# Post-sale


SIDE_LIST_SHOWN = 50


@workspace_required
def postsale_view(request: MemberRequest) -> HttpResponse:
    within = request.GET.get("within", "180")
    within_days = int(within) if within in {"30", "60", "90", "180"} else 180
    # The counts by one aggregate and the page by one bounded query: a workspace's renewals may be thousands.
    buckets = selectors.renewal_bucket_counts(workspace=request.workspace)
    page = paginate(
        request,
        selectors.renewal_opportunities(workspace=request.workspace, within_days=within_days),
        key="renewals",
        default=50,
    )
    expansion = selectors.expansion_pipeline(workspace=request.workspace)
    winback = selectors.winback_candidates(workspace=request.workspace)
    without_activity = (
        account_list(workspace=request.workspace)
        .filter(lifecycle=Lifecycle.CUSTOMER)
        .exclude(recurring_activities__is_active=True)
        .order_by("name")
    )
    return render(
        request,
        "keyaccounts/postsale.html",
        {
            "renewals": selectors.renewal_rows(page.object_list),
            "page_obj": page,
            "ignored": ignored_params(request, invalid=["within"] if within != str(within_days) else []),
            "within": within_days,
            "buckets": buckets,
            # Side lists show their first rows and say how many there are, never a silent cut.
            "expansion": list(expansion[:SIDE_LIST_SHOWN]),
            "expansion_count": expansion.count(),
            "winback": list(winback[:SIDE_LIST_SHOWN]),
            "winback_count": winback.count(),
            "settings": selectors.key_account_settings(workspace=request.workspace),
            "customers_without_activity": list(without_activity[:10]),
            "customers_without_activity_count": without_activity.count(),
        },
    )


# Settings, feeds and products


@admin_required
def settings_view(request: MemberRequest) -> HttpResponse:
    row = plans.key_account_settings_get(workspace=request.workspace)
    initial = {
        "strategic_review_days": row.strategic_review_days,
        "priority_review_days": row.priority_review_days,
        "standard_review_days": row.standard_review_days,
        "winback_after_days": row.winback_after_days,
        "news_ignored_names": "\n".join(row.news_ignored_names),
    }
    form = SettingsForm(initial=initial)
    feed_form = FeedForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "feed":
            feed_form = FeedForm(request.POST)
            if feed_form.is_valid():
                try:
                    news.news_feed_add(workspace=request.workspace, by=request.user, **feed_form.cleaned_data)
                    messages.success(request, gettext("Feed added; it is fetched every hour."))
                    return redirect("keyaccounts:settings")
                except ValidationError as exc:
                    _errors(feed_form, exc)
        else:
            form = SettingsForm(request.POST)
            if form.is_valid():
                data = dict(form.cleaned_data)
                data["news_ignored_names"] = [n for n in data["news_ignored_names"].splitlines() if n.strip()]
                try:
                    plans.key_account_settings_update(workspace=request.workspace, by=request.user, **data)
                    messages.success(request, gettext("Key-account settings saved; review dates were recomputed."))
                    return redirect("keyaccounts:settings")
                except ValidationError as exc:
                    _errors(form, exc)
        status = 400
    return render(
        request,
        "keyaccounts/settings.html",
        {
            "form": form,
            "feed_form": feed_form,
            "feeds": selectors.news_feed_list(workspace=request.workspace),
        },
        status=status,
    )


@require_POST
@admin_required
def feed_action_view(request: MemberRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(NewsFeed.objects.for_workspace(request.workspace), pk=pk)
    action = request.POST.get("action")
    if action == "fetch":
        result = news.news_feed_fetch(feed=feed)
        if result.error:
            messages.error(request, f"{feed}: {result.error}")
        else:
            messages.success(
                request,
                gettext("%(feed)s: %(entries)s entries, %(matches)s new account matches.")
                % {"feed": feed, "entries": result.entries, "matches": result.new_matches},
            )
    elif action == "toggle":
        news.news_feed_update(feed, by=request.user, is_active=not feed.is_active)
        messages.success(
            request,
            (gettext("%(feed)s turned on.") if feed.is_active else gettext("%(feed)s turned off.")) % {"feed": feed},
        )
    elif action == "delete":
        news.news_feed_delete(feed, by=request.user)
        messages.success(request, gettext("%(feed)s removed.") % {"feed": feed})
    return redirect("keyaccounts:settings")


@workspace_required
def products_view(request: MemberRequest) -> HttpResponse:
    can_edit = rules.can_write_everything(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("Only marketing and admins edit the product catalogue."))
        if form.is_valid():
            try:
                account_services.product_create(workspace=request.workspace, by=request.user, **form.cleaned_data)
                messages.success(request, gettext("Product %(name)s added.") % {"name": form.cleaned_data["name"]})
                return redirect("keyaccounts:products")
            except ValidationError as exc:
                _errors(form, exc)
    page = paginate(request, product_list(workspace=request.workspace), key="products", default=50)
    return render(
        request,
        "keyaccounts/products.html",
        {
            "form": form,
            "products": page.object_list,
            "page_obj": page,
            "can_edit": can_edit,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@workspace_required
def product_edit_view(request: MemberRequest, pk: int) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only marketing and admins edit the product catalogue."))
    product = get_object_or_404(Product.objects.for_workspace(request.workspace), pk=pk)
    if request.method == "POST" and request.POST.get("delete"):
        account_services.product_delete(product, by=request.user)
        messages.success(request, gettext("Product %(name)s deleted.") % {"name": product.name})
        return redirect("keyaccounts:products")
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.product_update(product, by=request.user, **form.cleaned_data)
            messages.success(request, gettext("Product saved."))
            return redirect("keyaccounts:products")
        except ValidationError as exc:
            _errors(form, exc)
    return render(request, "keyaccounts/product_form.html", {"form": form, "product": product})


__all__ = ["Task", "TaskStatus"]
