"""Reads for prospecting pages and the API: the tier board, ICP versions, models, history, proposals, imports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils.translation import gettext

from abe.cache import version_bump_on_commit, versioned_read
from abe.models import Workspace
from abe.paging import BoundedPage

from ..filters import AccountFilterSet
from ..models import (
    Account,
    IcpVersion,
    PredictiveModel,
    ProposalStatus,
    ProspectingSettings,
    TierChange,
    TierProposal,
)
from ..selectors import account_filterset, account_page, board_stats
from ..selectors import board_stats_invalidate as board_stats_invalidate  # re-exported: services and imports
from .icp import explanation_rows
from .predictive import TrainedModel, feature_label

BOARD_FIELDS = (
    "id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "lifecycle",
    "tier",
    "tier_locked",
    "fit_score",
    "fit_grade",
    "win_probability",
    "priority",
    "fit_criteria_met",
    "engagement_score",
    "engagement_momentum",
    "journey_stage",
    "journey_stage_changed_at",
    "owner__id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)
BOARD_DEFAULT_SORT = "-priority"


def tier_board_filterset(
    *, workspace: Workspace, params: Mapping[str, Any] | None, user: User | AnonymousUser | None = None
) -> AccountFilterSet:
    """The tier board's filter: the accounts filter (one definition) over the board's columns, by priority."""
    base = Account.objects.for_workspace(workspace).select_related("owner").only(*BOARD_FIELDS)
    return account_filterset(
        workspace=workspace, params=params, user=user, queryset=base, default_sort=BOARD_DEFAULT_SORT
    )


def tier_board(
    *, workspace: Workspace, params: Mapping[str, Any] | None, user: User | AnonymousUser | None = None
) -> QuerySet[Account]:
    """Accounts for the tier board: one query per page whatever the filters (the owner is joined)."""
    qs: QuerySet[Account] = tier_board_filterset(workspace=workspace, params=params, user=user).qs
    return qs


def tier_counts(*, workspace: Workspace) -> dict[str, dict[str, int]]:
    tiers: dict[str, dict[str, int]] = board_stats(workspace=workspace)["tiers"]
    return tiers


def board_filter_options(*, workspace: Workspace) -> dict[str, list[str]]:
    stats = board_stats(workspace=workspace)
    return {"industries": stats["industries"], "countries": stats["countries"]}


def tier_board_page(*, filterset: AccountFilterSet, workspace: Workspace, page: int, per_page: int) -> BoundedPage:
    """The page fetched with one extra row (to know if there is a next page) and a bounded count.

    The total comes from the cached tier counts when only the tier is filtered; otherwise the shared pager counts
    at most ``COUNT_CAP + 1`` rows (:mod:`abe.paging`), so a broad filter over 100,000 accounts never scans them
    all to say "1,000+".
    """
    total = None
    if filterset.only_tier:
        counts = tier_counts(workspace=workspace)
        tier = filterset.form.cleaned_data.get("tier") if filterset.is_valid() else ""
        total = counts.get(tier, {}).get("count", 0) if tier else sum(c["count"] for c in counts.values())
    return account_page(filterset=filterset, number=page, per_page=per_page, total=total)


def prospecting_settings(*, workspace: Workspace) -> ProspectingSettings:
    """The workspace's settings, or the unsaved defaults when nobody has changed them yet."""
    return ProspectingSettings.objects.for_workspace(workspace).first() or ProspectingSettings(workspace=workspace)


# The tier board reads the ICP version in force (its criteria: the "criterion met" filter) and the prospecting
# settings (the blend, the capacities) on every request: two queries, ~1 ms of CPU and ~0.7 ms of PostgreSQL's.
# They change only through the services (icp_save, icp_activate, prospecting_settings_update) and the admin,
# which all call ``board_config_invalidate`` (a versioned read: abe.cache.versioned_read).
BOARD_CONFIG_TTL = 300


def _config_keys(workspace: Workspace) -> tuple[str, str]:
    base = f"accounts:board-config:{workspace.pk}:{workspace.created_at.timestamp():.6f}"
    return base + ":version", base


def board_config_invalidate(*, workspace: Workspace | int) -> None:
    """After the current transaction commits, every cached copy of the workspace's ICP and settings is stale."""
    if isinstance(workspace, int):
        workspace = Workspace.objects.only("created_at").get(pk=workspace)
    version_bump_on_commit(_config_keys(workspace)[0])


def board_config(*, workspace: Workspace) -> tuple[IcpVersion | None, ProspectingSettings]:
    """The ICP version in force (or None) and the prospecting settings, as ``icp_active`` and
    ``prospecting_settings`` read them, from the cache when no change was committed since they were read."""
    version_key, data_key = _config_keys(workspace)
    config: tuple[IcpVersion | None, ProspectingSettings] = versioned_read(
        version_key,
        data_key,
        lambda: (icp_active(workspace=workspace), prospecting_settings(workspace=workspace)),
        BOARD_CONFIG_TTL,
    )
    return config


def icp_versions(*, workspace: Workspace) -> QuerySet[IcpVersion]:
    return IcpVersion.objects.for_workspace(workspace).select_related("created_by").order_by("-number")


def icp_active(*, workspace: Workspace) -> IcpVersion | None:
    return IcpVersion.objects.for_workspace(workspace).filter(is_active=True).first()


def model_list(*, workspace: Workspace) -> QuerySet[PredictiveModel]:
    return PredictiveModel.objects.for_workspace(workspace).select_related("trained_by").defer("blob")


def model_active(*, workspace: Workspace) -> PredictiveModel | None:
    return PredictiveModel.objects.for_workspace(workspace).filter(is_active=True).first()


def model_weights(*, model: PredictiveModel, limit: int = 15) -> list[dict[str, Any]]:
    """The model's strongest coefficients, largest magnitude first, with readable labels (the model page)."""
    trained = TrainedModel.loads(bytes(model.blob))
    coef = trained.pipeline.named_steps["model"].coef_[0]
    order = sorted(range(len(coef)), key=lambda j: -abs(coef[j]))[:limit]
    return [
        {
            "label": feature_label(trained.feature_names[j]),
            "value": float(coef[j]),
            "width": min(100, abs(float(coef[j])) * 60),
        }
        for j in order
    ]


def model_metric_rows(*, model: PredictiveModel) -> list[dict[str, Any]]:
    """The model's holdout metrics beside its two baselines (fit score alone, base rate)."""
    labels = (
        ("model", gettext("Model v%(number)s") % {"number": model.number}),
        ("fit_score", gettext("Baseline: fit score alone")),
        ("base_rate", gettext("Baseline: base rate")),
    )
    metrics = model.metrics or {}
    return [{"label": label, **metrics[key]} for key, label in labels if metrics.get(key)]


def tier_history(*, account: Account) -> QuerySet[TierChange]:
    return account.tier_changes.select_related("by").order_by("-created_at", "-id")


def tier_change_list(*, workspace: Workspace) -> QuerySet[TierChange]:
    return TierChange.objects.for_workspace(workspace).select_related("by", "account").order_by("-created_at", "-id")


def proposal_list(*, workspace: Workspace, status: str | None = ProposalStatus.PENDING) -> QuerySet[TierProposal]:
    qs = TierProposal.objects.for_workspace(workspace).select_related("account", "account__owner", "decided_by")
    return (qs.filter(status=status) if status else qs).order_by("-priority", "id")


def account_fit_receipt(*, workspace: Workspace, account: Account) -> dict[str, Any]:
    """The fit explanation of one account, joined with the ICP version that scored it."""
    version = None
    if account.fit_icp_version:
        version = IcpVersion.objects.for_workspace(workspace).filter(number=account.fit_icp_version).first()
    rows = explanation_rows(version.criteria, account.fit_explanation or []) if version else []
    return {"version": version, "rows": rows, "total": round(sum(r["points"] for r in rows), 2)}
