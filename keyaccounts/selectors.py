"""Every key-account read: plans and reviews due, Pareto ranking, qualification, post-sale lists, news."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from abe.models import Workspace
from abe.registry import MeasureReading
from accounts.models import (
    Account,
    Contact,
    IcpVersion,
    Lifecycle,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Tier,
)
from work.models import Task, TaskSource, TaskStatus

from .models import (
    AccountHealth,
    AccountPlan,
    AccountPlanChange,
    BantCriterion,
    BantStatus,
    KeyAccountSettings,
    NewsFeed,
    NewsMatch,
    PlanStatus,
    RecurringActivity,
)
from .pareto import ParetoResult, pareto_rank

# Plans


def key_account_settings(*, workspace: Workspace) -> KeyAccountSettings:
    row = KeyAccountSettings.objects.for_workspace(workspace).first()
    return row or KeyAccountSettings(workspace=workspace)


def account_plan_list(*, workspace: Workspace) -> QuerySet[AccountPlan]:
    return AccountPlan.objects.for_workspace(workspace).select_related("account", "owner")


def account_plan_current(*, account: Account) -> AccountPlan | None:
    return (
        AccountPlan.objects.filter(workspace_id=account.workspace_id, account=account, status=PlanStatus.CURRENT)
        .select_related("owner", "account")
        .first()
    )


def plan_history(*, plan: AccountPlan, limit: int = 50) -> list[AccountPlanChange]:
    return list(plan.changes.select_related("by")[:limit])


def plan_actions(*, plan: AccountPlan) -> QuerySet[Task]:
    return Task.objects.filter(
        workspace_id=plan.workspace_id, source=TaskSource.ACCOUNT_PLAN, source_ref=f"account_plan:{plan.pk}"
    ).select_related("assignee", "contact")


def plan_reviews_due(*, workspace: Workspace, within_days: int = 14, user: Any = None) -> QuerySet[AccountPlan]:
    """Current plans whose review is due within ``within_days`` (or overdue), soonest first."""
    today = timezone.localdate()
    qs = account_plan_list(workspace=workspace).filter(
        status=PlanStatus.CURRENT, next_review_due__lte=today + dt.timedelta(days=within_days)
    )
    if user is not None:
        qs = qs.filter(Q(owner=user) | Q(account__owner=user) | Q(account__team_members__user=user)).distinct()
    return qs.order_by("next_review_due", "id")


def plans_overdue(*, workspace: Workspace, today: dt.date | None = None) -> QuerySet[AccountPlan]:
    today = today or timezone.localdate()
    return account_plan_list(workspace=workspace).filter(status=PlanStatus.CURRENT, next_review_due__lt=today)


def stakeholder_map(*, account: Account) -> list[dict[str, Any]]:
    """The buying committee as a stakeholder map: role, influence and stance when the contact model has them."""
    names = {f.name for f in Contact._meta.get_fields()}
    rows = []
    for c in account.contacts.select_related("persona").order_by("buying_role", "last_name", "first_name"):
        rows.append(
            {
                "contact": c,
                "role": c.get_buying_role_display() if c.buying_role else "",
                "influence": getattr(c, "get_influence_display", lambda: "")() if "influence" in names else "",
                "stance": getattr(c, "get_stance_display", lambda: "")() if "stance" in names else "",
                "left": bool(getattr(c, "left_at", None)) if "left_at" in names else False,
                "engagement": c.engagement_score,
                "last_engaged_at": c.last_engaged_at,
            }
        )
    return rows


def whitespace_grid(*, account: Account) -> dict[str, Any]:
    """Products × the account and its subsidiaries: owned (won), in pipeline (open), or open whitespace."""
    from accounts.models import Product

    units = [account, *Account.objects.filter(workspace_id=account.workspace_id, parent=account).order_by("name")]
    products = list(
        Product.objects.for_workspace(account.workspace_id).filter(is_active=True).order_by("family", "name")
    )
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    opps = (
        Opportunity.objects.filter(workspace_id=account.workspace_id, account__in=units, product__isnull=False)
        .values("account_id", "product_id", "status")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    for row in opps:
        cell = cells.setdefault((row["product_id"], row["account_id"]), {"won": Decimal(0), "open": Decimal(0)})
        if row["status"] == OpportunityStatus.WON:
            cell["won"] += row["total"] or 0
        elif row["status"] == OpportunityStatus.OPEN:
            cell["open"] += row["total"] or 0
            cell["has_open"] = True
        if row["status"] == OpportunityStatus.WON:
            cell["has_won"] = True
    grid = []
    for product in products:
        line = []
        for unit in units:
            cell = cells.get((product.pk, unit.pk), {})
            if cell.get("has_won"):
                line.append({"state": "owned", "label": pgettext("whitespace cell", "Owned"), "value": cell["won"]})
            elif cell.get("has_open"):
                line.append(
                    {"state": "pipeline", "label": pgettext("whitespace cell", "In pipeline"), "value": cell["open"]}
                )
            else:
                line.append(
                    {"state": "open", "label": pgettext("whitespace cell", "Open"), "value": product.list_price}
                )
        grid.append({"product": product, "cells": line})
    return {"units": units, "rows": grid}


# Pareto


@dataclass
class ParetoPage:
    start: dt.date
    end: dt.date
    by: str
    result: ParetoResult
    accounts: list[dict[str, Any]] = field(default_factory=list)


MARGIN = ExpressionWrapper(
    Coalesce(
        F("gross_margin"),
        F("amount") * F("gross_margin_pct") / Value(Decimal(100)),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    ),
    output_field=DecimalField(max_digits=18, decimal_places=2),
)


def pareto_selection(
    *, workspace: Workspace, start: dt.date, end: dt.date, by: str = "revenue", limit: int | None = None
) -> ParetoPage:
    """Accounts ranked by won revenue (or gross margin) closed in [start, end], with their key-account figures.

    Growth compares the period with the one of the same length just before it; win rate counts every won and
    lost opportunity of the account; tenure runs from its first won deal.
    """
    span = end - start
    prev_start = start - span - dt.timedelta(days=1)
    won = Q(status=OpportunityStatus.WON)
    in_period = won & Q(close_date__gte=start, close_date__lte=end)
    in_prev = won & Q(close_date__gte=prev_start, close_date__lt=start)
    rows = (
        Opportunity.objects.for_workspace(workspace)
        .filter(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST])
        .values("account_id")
        .annotate(
            revenue=Sum("amount", filter=in_period),
            margin=Sum(MARGIN, filter=in_period),
            prev_revenue=Sum("amount", filter=in_prev),
            won=Count("id", filter=won),
            lost=Count("id", filter=Q(status=OpportunityStatus.LOST)),
            first_won=Min("close_date", filter=won),
        )
        .filter(revenue__gt=0)
    )
    figures: dict[int, dict[str, Any]] = {r["account_id"]: dict(r) for r in rows}
    key = "margin" if by == "margin" else "revenue"
    result = pareto_rank({a: float(r[key] or 0) for a, r in figures.items()})
    ranked = result.rows[:limit] if limit else result.rows
    # Every ranked account (the curve and the shares need them all), with only the columns a row shows: an
    # account's whole row carries its scoring explanations.
    accounts = Account.objects.only(
        "id", "name", "tier", "lifecycle", "engagement_score", "engagement_momentum"
    ).in_bulk([r.account_id for r in ranked])
    today = timezone.localdate()
    out = []
    for row in ranked:
        f, account = figures[row.account_id], accounts[row.account_id]
        prev = float(f["prev_revenue"] or 0)
        decided = f["won"] + f["lost"]
        out.append(
            {
                "rank": row.rank,
                "id": account.pk,
                "name": account.name,
                "tier": account.tier,
                "lifecycle": account.lifecycle,
                "value": round(row.value, 2),
                "revenue": float(f["revenue"] or 0),
                "margin": float(f["margin"]) if f["margin"] is not None else None,
                "share": round(row.share, 4),
                "cumulative_share": round(row.cumulative_share, 4),
                "in_top20": row.in_top20,
                "within_80": row.within_80,
                "tenure_days": (today - f["first_won"]).days if f["first_won"] else None,
                "previous_revenue": prev,
                "growth": round(float(f["revenue"] or 0) / prev - 1, 4) if prev else None,
                "engagement_score": round(account.engagement_score, 1),
                "engagement_momentum": account.engagement_momentum,
                "win_rate": round(f["won"] / decided, 4) if decided else None,
                "won": f["won"],
                "lost": f["lost"],
            }
        )
    return ParetoPage(start=start, end=end, by=key, result=result, accounts=out)


# Qualification


BANT_ORDER = [c.value for c in BantCriterion]


def bant_for(*, opportunity: Opportunity) -> list[dict[str, Any]]:
    items = {i.criterion: i for i in opportunity.bant_items.select_related("contact", "checked_by")}
    return [{"criterion": c, "label": BantCriterion(c).label, "item": items.get(c)} for c in BANT_ORDER]


def qualification_label(confirmed: int, not_met: int) -> str:
    if not_met:
        return "disqualified"
    if confirmed == 4:
        return "qualified"
    return "partly" if confirmed else "unqualified"


QUALIFICATION_LABELS = {
    "qualified": gettext_lazy("Qualified (4/4)"),
    "partly": gettext_lazy("Partly qualified"),
    "unqualified": gettext_lazy("Not qualified yet"),
    "disqualified": gettext_lazy("A criterion not met"),
}


def opportunities_with_qualification(*, workspace: Workspace) -> QuerySet[Opportunity]:
    return (
        Opportunity.objects.for_workspace(workspace)
        .select_related("account", "product")
        .annotate(
            bant_confirmed=Count("bant_items", filter=Q(bant_items__status=BantStatus.CONFIRMED)),
            bant_not_met=Count("bant_items", filter=Q(bant_items__status=BantStatus.NOT_MET)),
        )
    )


def filter_qualification(qs: QuerySet[Opportunity], value: str) -> QuerySet[Opportunity]:
    # Q objects: the annotations of ``opportunities_with_qualification`` are not model fields.
    conditions = {
        "qualified": Q(bant_confirmed=4, bant_not_met=0),
        "partly": Q(bant_confirmed__gt=0, bant_confirmed__lt=4, bant_not_met=0),
        "unqualified": Q(bant_confirmed=0, bant_not_met=0),
        "disqualified": Q(bant_not_met__gt=0),
    }
    return qs.filter(conditions[value]) if value in conditions else qs


SIZE_ATTRIBUTES = {"employees", "annual_revenue", "number_of_offices"}
TERRITORY_ATTRIBUTES = {"country", "region", "city"}


def pre_bant_checks(*, account: Account) -> list[dict[str, Any]]:
    """Territory, industry, size (from the active ICP's criteria that look at them) and persona fit."""
    version = IcpVersion.objects.filter(workspace_id=account.workspace_id, is_active=True).first()
    criteria = version.criteria if version else []
    points = {row[0]: (row[1], row[2]) for row in (account.fit_explanation or []) if len(row) >= 3}
    checks = []
    for key, label, attributes in (
        ("territory", gettext("Territory"), TERRITORY_ATTRIBUTES),
        ("industry", gettext("Industry"), {"industry"}),
        ("size", gettext("Size"), SIZE_ATTRIBUTES),
    ):
        relevant = [c for c in criteria if any(set(band.get("when", {})) & attributes for band in c.get("bands", []))]
        if not relevant:
            checks.append(
                {"key": key, "label": label, "status": "unknown", "why": gettext("The ICP has no criterion on it.")}
            )
            continue
        got = [(c, points.get(c["key"])) for c in relevant]
        met = [(c, p) for c, p in got if p and p[1] > 0]
        if met:
            c, p = met[0]
            checks.append({"key": key, "label": label, "status": "pass", "why": f"{c.get('label', c['key'])}: {p[0]}"})
        elif any(p is None for _, p in got):
            checks.append(
                {"key": key, "label": label, "status": "unknown", "why": gettext("Not scored against this ICP yet.")}
            )
        else:
            names = ", ".join(c.get("label", c["key"]) for c, _ in got)
            checks.append(
                {
                    "key": key,
                    "label": label,
                    "status": "fail",
                    "why": gettext("No band of %(names)s matches.") % {"names": names},
                }
            )
    contacts = account.contacts.aggregate(total=Count("id"), with_persona=Count("id", filter=Q(persona__isnull=False)))
    if contacts["with_persona"]:
        status = "pass"
        why = ngettext(
            "%(matched)s of %(total)s contact matches a persona",
            "%(matched)s of %(total)s contacts match a persona",
            contacts["total"],
        ) % {
            "matched": contacts["with_persona"],
            "total": contacts["total"],
        }
    elif contacts["total"]:
        status = "fail"
        why = ngettext(
            "The only contact matches no persona", "None of %(total)s contacts matches a persona", contacts["total"]
        ) % {"total": contacts["total"]}
    else:
        status, why = "unknown", gettext("No contacts yet")
    checks.append({"key": "persona", "label": gettext("Persona fit"), "status": status, "why": why})
    return checks


# Post-sale


RENEWAL_BUCKETS = (30, 60, 90, 180)


def _won_contracts_ending(*, workspace: Workspace, within_days: int) -> QuerySet[Opportunity]:
    """Won contracts whose end falls between today and ``within_days`` days from now."""
    today = timezone.localdate()
    return Opportunity.objects.for_workspace(workspace).filter(
        status=OpportunityStatus.WON, contract_end__gte=today, contract_end__lte=today + dt.timedelta(days=within_days)
    )


def renewal_opportunities(
    *, workspace: Workspace, within_days: int = 180, account: Account | None = None
) -> QuerySet[Opportunity]:
    """Won contracts ending in the next ``within_days`` days (of one account if given), soonest first, with the
    account columns a renewal row shows (not its whole row: its scoring explanations are large)."""
    qs = _won_contracts_ending(workspace=workspace, within_days=within_days)
    if account is not None:
        qs = qs.filter(account=account)
    return (
        qs.select_related("account", "product")
        .only(
            "name",
            "amount",
            "contract_end",
            "account_id",
            "product_id",
            "account__name",
            "account__engagement_momentum",
            "product__name",
        )
        .order_by("contract_end", "id")
    )


def renewal_bucket_counts(*, workspace: Workspace) -> dict[int, int]:
    """How many won contracts end within 30, 60, 90 and 180 days (each count includes the shorter windows): one
    aggregate query, whatever the number of contracts."""
    today = timezone.localdate()
    counts = _won_contracts_ending(workspace=workspace, within_days=max(RENEWAL_BUCKETS)).aggregate(
        **{
            f"within_{b}": Count("id", filter=Q(contract_end__lte=today + dt.timedelta(days=b)))
            for b in RENEWAL_BUCKETS
        }
    )
    return {b: int(counts[f"within_{b}"] or 0) for b in RENEWAL_BUCKETS}


# The renewal list's engagement trend as people read it (the API keeps the keys).
TREND_LABELS = {
    "falling": gettext_lazy("Falling"),
    "flat": gettext_lazy("Flat"),
    "rising": gettext_lazy("Rising"),
    "no baseline": gettext_lazy("No baseline"),
}


def renewal_rows(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    """Each renewal with its days left, its 30/60/90/180 bucket and the account's engagement trend."""
    today = timezone.localdate()
    rows = []
    for o in opportunities:
        if o.contract_end is None:  # excluded by the query; for the type checker
            continue
        days = (o.contract_end - today).days
        bucket = next((b for b in RENEWAL_BUCKETS if days <= b), None)
        momentum = o.account.engagement_momentum
        trend = (
            "no baseline"
            if momentum is None
            else ("falling" if momentum < -0.1 else ("rising" if momentum > 0.1 else "flat"))
        )
        rows.append(
            {
                "opportunity": o,
                "account": o.account,
                "days": days,
                "bucket": bucket,
                "momentum": momentum,
                "trend": trend,
                "trend_label": TREND_LABELS[trend],
            }
        )
    return rows


def renewals_due(
    *, workspace: Workspace, within_days: int = 180, account: Account | None = None
) -> list[dict[str, Any]]:
    """Won recurring contracts ending in the next ``within_days`` days, bucketed 30/60/90/180, with the trend."""
    return renewal_rows(renewal_opportunities(workspace=workspace, within_days=within_days, account=account))


def expansion_pipeline(*, workspace: Workspace, account: Account | None = None) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.for_workspace(workspace).filter(
        status=OpportunityStatus.OPEN, type__in=[OpportunityType.UP_SELL, OpportunityType.CROSS_SELL]
    )
    if account is not None:
        qs = qs.filter(account=account)
    return qs.select_related("account", "product").order_by("close_date", "id")


def recurring_activities(*, workspace: Workspace, account: Account | None = None) -> QuerySet[RecurringActivity]:
    qs = RecurringActivity.objects.for_workspace(workspace).select_related("account", "assignee")
    return qs.filter(account=account) if account is not None else qs


def check_in_tasks(*, account: Account, limit: int = 10) -> list[Task]:
    return list(
        Task.objects.filter(workspace_id=account.workspace_id, account=account, source=TaskSource.CHECK_IN)
        .select_related("assignee")
        .order_by("-due_date", "-id")[:limit]
    )


def key_accounts_without_plan(*, workspace: Workspace) -> QuerySet[Account]:
    """Strategic, then priority accounts with no current plan, highest priority first within each tier."""
    tier_rank = Case(When(tier=Tier.STRATEGIC, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Account.objects.for_workspace(workspace)
        .filter(tier__in=[Tier.STRATEGIC, Tier.PRIORITY])
        .exclude(account_plans__status=PlanStatus.CURRENT)
        .annotate(tier_rank=tier_rank)
        .order_by("tier_rank", F("priority").desc(nulls_last=True), "name", "id")
    )


def health_latest(*, account: Account) -> AccountHealth | None:
    return account.health_scores.first()


def health_history(account_id: int, since: dt.datetime, until: dt.datetime) -> list[MeasureReading]:
    """The account's health readings computed in ``[since, until]``, oldest first (the ``health`` measure that
    activation's health-drop condition reads through ``abe.registry``)."""
    rows = (
        AccountHealth.objects.filter(account_id=account_id, computed_at__gte=since, computed_at__lte=until)
        .order_by("computed_at", "id")
        .values_list("computed_at", "score", "explanation", "texts")
    )
    return [
        MeasureReading(
            at=at, value=score, explanation=list(explanation or []), whys=list((texts or {}).get("why") or [])
        )
        for at, score, explanation, texts in rows
    ]


def health_accounts_with_readings(workspace_id: int, since: dt.datetime, until: dt.datetime) -> QuerySet[Any]:
    """``account_id`` values of the workspace's accounts with a health reading in ``[since, until]``."""
    return AccountHealth.objects.filter(
        workspace_id=workspace_id, computed_at__gte=since, computed_at__lte=until
    ).values("account_id")


def winback_candidates(*, workspace: Workspace) -> QuerySet[Account]:
    """Former customers and accounts whose last opportunity was lost, once the win-back delay has passed."""
    settings_row = key_account_settings(workspace=workspace)
    cutoff = timezone.localdate() - dt.timedelta(days=settings_row.winback_after_days)
    last_lost = (
        Opportunity.objects.for_workspace(workspace)
        .values("account_id")
        .annotate(
            last_lost=Max("close_date", filter=Q(status=OpportunityStatus.LOST)),
            last_won=Max("close_date", filter=Q(status=OpportunityStatus.WON)),
            open=Count("id", filter=Q(status=OpportunityStatus.OPEN)),
        )
        .filter(last_lost__lte=cutoff, open=0)
    )
    lost_ids = [r["account_id"] for r in last_lost if not r["last_won"] or r["last_won"] < r["last_lost"]]
    return (
        Account.objects.for_workspace(workspace)
        .exclude(lifecycle=Lifecycle.CUSTOMER)
        .filter(Q(pk__in=lost_ids) | Q(lifecycle=Lifecycle.FORMER_CUSTOMER, updated_at__date__lte=cutoff))
        .select_related("owner")
        .order_by("name")
    )


# News


def news_feed_list(*, workspace: Workspace) -> QuerySet[NewsFeed]:
    # Ordered here: a query with GROUP BY (the count) does not take the model's Meta.ordering, and the API pages it.
    return (
        NewsFeed.objects.for_workspace(workspace).annotate(entry_count=Count("entries")).order_by("name", "url", "id")
    )


def account_news(*, account: Account, limit: int = 10) -> list[NewsMatch]:
    return list(
        NewsMatch.objects.filter(workspace_id=account.workspace_id, account=account)
        .select_related("entry", "entry__feed")
        .order_by("-entry__published_at", "-id")[:limit]
    )


def open_plan_tasks_count(*, plan: AccountPlan) -> int:
    return plan_actions(plan=plan).filter(status=TaskStatus.OPEN).count()


__all__ = ["Prefetch"]
