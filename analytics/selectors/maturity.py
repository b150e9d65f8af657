"""Evidence for the maturity grid, the "is account-based selling for us?" verdict and the rollout tracker.

All of it reads current state and the rollups (counts, a few aggregates), never raw events.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from abe import l10n
from abe.models import Membership, Role, Workspace
from accounts.models import Account, AccountTeamMember, Contact, IcpVersion, Opportunity, PredictiveModel, Tier
from activation.models import Rule
from content.models import ContentAsset
from personas.models import Persona

from .. import maturity
from ..models import EventTypeDay, MaturityAssessment, RolloutStep, SpendEntry, TierDayFact
from .filters import TARGET_TIERS

EXPANSION_TYPES = ("cross_sell", "up_sell", "renewal")


# The evidence's texts are lazy: the page caches them and renders them in the reader's language (an assessment
# stores them as text, in the language of the person who saved it).
# (Named functions: a cached lazy text is pickled with the function that makes it.)
def _one_decimal(value: float) -> str:
    return l10n.number(value, 1)


def _whole_percent(share: float) -> str:
    return l10n.percent(share, 0)


def _comma_list(names: list[Any]) -> str:
    return ", ".join(str(n) for n in names)


_decimal = lazy(_one_decimal, str)
_percent = lazy(_whole_percent, str)
_listed = lazy(_comma_list, str)


def maturity_evidence(*, workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Per dimension: the facts seen in the workspace and the stage they suggest (a starting point, not a verdict)."""
    accounts = Account.objects.for_workspace(workspace)
    target = accounts.filter(tier__in=TARGET_TIERS)
    n_target = target.count()
    has_icp = IcpVersion.objects.for_workspace(workspace).filter(is_active=True).exists()
    has_model = PredictiveModel.objects.for_workspace(workspace).filter(is_active=True).exists()
    contacts_per_target = (
        (Contact.objects.for_workspace(workspace).filter(account__tier__in=TARGET_TIERS).count() / n_target)
        if n_target
        else 0.0
    )
    expansion = Opportunity.objects.for_workspace(workspace).filter(type__in=EXPANSION_TYPES).exists()
    data_stage = 1 + sum([has_icp and n_target > 0, has_model and contacts_per_target >= 3, expansion])
    personas = Persona.objects.for_workspace(workspace).count()
    assets = ContentAsset.objects.for_workspace(workspace)
    personas_covered = Persona.objects.for_workspace(workspace).filter(content_assets__isnull=False).distinct().count()
    stages_covered = assets.values("stage").distinct().count()
    content_stage = 1 + sum(
        [assets.count() > 0 and personas > 0, personas > 0 and personas_covered == personas, stages_covered >= 4]
    )
    since = timezone.now().date() - timedelta(days=90)
    # The types seen per day, a rollup kept by the refreshes (a few rows a day), not the day counts themselves.
    n_types = EventTypeDay.objects.for_workspace(workspace).filter(day__gte=since).values("type").distinct().count()
    rules = Rule.objects.for_workspace(workspace).filter(is_active=True).count()
    programs_stage = 1 + sum([n_types >= 3, rules >= 3, n_types >= 6])
    # Whether each KPI has data: per-tier days with the measure (three rows a day), not the segment rows.
    recent = TierDayFact.objects.for_workspace(workspace).filter(day__gte=since, tier__in=TARGET_TIERS)
    sums = recent.aggregate(
        events=Count("id", filter=Q(events__gt=0)),
        mqa=Count("id", filter=Q(mqa_entries__gt=0)),
        meetings=Count("id", filter=Q(meetings__gt=0)),
        opps=Count("id", filter=Q(opps_created__gt=0)),
        won=Count("id", filter=Q(opps_won__gt=0)),
    )
    spend = SpendEntry.objects.for_workspace(workspace).exists()
    kpis_with_data = [
        name
        for name, ok in (
            (_("engagement in target accounts"), sums["events"]),
            (_("MQAs"), sums["mqa"]),
            (_("meetings"), sums["meetings"]),
            (_("opportunities in target accounts"), sums["opps"]),
            (_("revenue won in target accounts"), sums["won"]),
            (_("programme spend (CAC, LTV:CAC)"), spend),
        )
        if ok
    ]
    metrics_stage = 1 + sum(
        [
            bool(sums["events"] and sums["mqa"]),
            bool(sums["meetings"] and sums["opps"]),
            bool(sums["won"]),
            bool(spend and sums["won"]),
        ]
    )
    seats = AccountTeamMember.objects.for_workspace(workspace).filter(account__tier__in=TARGET_TIERS)
    roles_on_teams = seats.values("team_role").distinct().count()
    owned_share = (target.exclude(owner=None).count() / n_target) if n_target else 0.0
    team_stage = 1 + sum([owned_share >= 0.8, roles_on_teams >= 2, roles_on_teams >= 4])
    return {
        "data_accounts": {
            "stage": min(data_stage, 5),
            "facts": [
                format_lazy(_("Active ICP: {answer}"), answer=_("yes") if has_icp else _("no")),
                format_lazy(_("Target accounts (strategic + priority): {n}"), n=n_target),
                format_lazy(_("Predictive model: {state}"), state=_("active") if has_model else _("none")),
                format_lazy(_("Contacts per target account: {n}"), n=_decimal(contacts_per_target)),
                format_lazy(
                    _("Cross-sell / up-sell / renewal opportunities: {answer}"),
                    answer=_("yes") if expansion else _("none"),
                ),
            ],
        },
        "content": {
            "stage": min(content_stage, 5),
            "facts": [
                format_lazy(_("Personas: {n}, with content: {covered}"), n=personas, covered=personas_covered),
                format_lazy(_("Content assets: {n}"), n=assets.count()),
                format_lazy(_("Buying stages with content: {n} of 4"), n=stages_covered),
            ],
        },
        "programs": {
            "stage": min(programs_stage, 5),
            "facts": [
                format_lazy(_("Engagement types seen in 90 days: {n}"), n=n_types),
                format_lazy(_("Active activation rules: {n}"), n=rules),
            ],
        },
        "metrics": {
            "stage": min(metrics_stage, 5),
            "facts": [
                format_lazy(
                    _("KPIs with data in 90 days: {names}"),
                    names=_listed(kpis_with_data) if kpis_with_data else _("none"),
                )
            ],
        },
        "team": {
            "stage": min(team_stage, 5),
            "facts": [
                format_lazy(_("Target accounts with an owner: {share}"), share=_percent(owned_share)),
                format_lazy(_("Distinct team roles on target accounts: {n}"), n=roles_on_teams),
            ],
        },
    }


def maturity_assessment_list(*, workspace: Workspace) -> QuerySet[MaturityAssessment]:
    return MaturityAssessment.objects.for_workspace(workspace).select_related("created_by")


def abs_fit(*, workspace: Workspace) -> dict[str, Any]:
    """Seed 001's five questions answered from the workspace's accounts, contacts and closed deals."""
    opportunities = Opportunity.objects.for_workspace(workspace)
    # Account ids through the deals (DISTINCT on one column, not on whole account rows).
    won_accounts = opportunities.filter(status="won").order_by().values("account_id").distinct()
    customers = Account.objects.for_workspace(workspace).filter(pk__in=won_accounts)
    employees = sorted(e for e in customers.values_list("employees", flat=True) if e is not None)
    median = float(employees[len(employees) // 2]) if employees else None
    won = opportunities.filter(status="won")
    stats = won.aggregate(mean=Avg("amount"), n=Count("id"), expansion=Count("id", filter=Q(type__in=EXPANSION_TYPES)))
    pairs = won.exclude(close_date=None).values_list("created_date", "close_date")[:5000]
    cycles = [(closed - opened).days for opened, closed in pairs if closed is not None]
    with_deals = opportunities.order_by().values("account_id").distinct()
    contacts = Contact.objects.for_workspace(workspace).filter(account_id__in=with_deals).count()
    n_with_deals = with_deals.count()
    return maturity.fit_verdict(
        median_employees=median,
        mean_deal=float(stats["mean"]) if stats["mean"] is not None else None,
        mean_stakeholders=contacts / n_with_deals if n_with_deals else None,
        mean_cycle_days=sum(cycles) / len(cycles) if cycles else None,
        expansion_share=stats["expansion"] / stats["n"] if stats["n"] else None,
    )


def rollout_tracker(*, workspace: Workspace) -> dict[str, Any]:
    """The 13 steps with owners and dates, and the share of the sales team that owns target accounts."""
    stored = {s.number: s for s in RolloutStep.objects.for_workspace(workspace).select_related("owner")}
    steps: list[dict[str, Any]] = [
        {"number": i, "title": title, "row": stored.get(i)} for i, title in enumerate(maturity.ROLLOUT_STEPS, 1)
    ]
    sellers = set(Membership.objects.filter(workspace=workspace, role=Role.SALES).values_list("user_id", flat=True))
    on_targets = set(
        Account.objects.for_workspace(workspace)
        .filter(tier__in=TARGET_TIERS, owner_id__in=sellers)
        .order_by()
        .values_list("owner_id", flat=True)
        .distinct()
    ) | set(
        AccountTeamMember.objects.for_workspace(workspace)
        .filter(account__tier__in=TARGET_TIERS, user_id__in=sellers)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    share = len(on_targets) / len(sellers) if sellers else None
    return {
        "steps": steps,
        "done": sum(1 for s in steps if s["row"] and s["row"].done_at),
        "sellers": len(sellers),
        "sellers_on_targets": len(on_targets),
        "stage": maturity.rollout_stage(share),
        "tiers": Tier.choices,
    }
