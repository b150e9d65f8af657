"""Writes of the economics inputs: programme spend entries and the workspace's margin, churn and SLAs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from abe.models import Workspace
from accounts.models import Tier

from ..models import AnalyticsSettings, SpendCategory, SpendEntry
from .rollups import rollup_version_bump


@transaction.atomic
def spend_entry_create(
    *,
    workspace: Workspace,
    period_start: date,
    period_end: date,
    category: str,
    amount: Decimal,
    tier: str = "",
    note: str = "",
    by: Any = None,
) -> SpendEntry:
    errors: dict[str, str] = {}
    if period_end < period_start:
        errors["period_end"] = gettext("The period must end on or after its start.")
    if amount < 0:
        errors["amount"] = gettext("Spend cannot be negative.")
    if category not in SpendCategory.values:
        errors["category"] = gettext("One of %(values)s.") % {"values": ", ".join(SpendCategory.values)}
    if tier and tier not in Tier.values:
        errors["tier"] = gettext("Blank (the whole programme) or one of %(values)s.") % {
            "values": ", ".join(Tier.values)
        }
    if errors:
        raise ValidationError(errors)
    entry = SpendEntry.objects.create(
        workspace=workspace,
        period_start=period_start,
        period_end=period_end,
        category=category,
        amount=amount,
        tier=tier,
        note=note,
        created_by=by,
    )
    rollup_version_bump(workspace=workspace)
    return entry


@transaction.atomic
def spend_entry_delete(*, entry: SpendEntry) -> None:
    entry.delete()
    rollup_version_bump(workspace=entry.workspace)


@transaction.atomic
def analytics_settings_update(
    *, workspace: Workspace, gross_margin: float, annual_churn: float, ack_sla_hours: dict[str, float] | None = None
) -> AnalyticsSettings:
    errors: dict[str, str] = {}
    if not 0 < gross_margin <= 1:
        errors["gross_margin"] = gettext("A share between 0 and 1 (0.75 for 75%).")
    if not 0 < annual_churn <= 1:
        errors["annual_churn"] = gettext("A share between 0 and 1 (0.15 for 15% of customers lost a year).")
    for tier, hours in (ack_sla_hours or {}).items():
        if tier not in Tier.values or hours <= 0:
            errors["ack_sla_hours"] = gettext("Positive hours per tier.")
    if errors:
        raise ValidationError(errors)
    row, _ = AnalyticsSettings.objects.select_for_update().get_or_create(workspace=workspace)
    row.gross_margin, row.annual_churn = gross_margin, annual_churn
    if ack_sla_hours is not None:
        row.ack_sla_hours = {tier: float(hours) for tier, hours in ack_sla_hours.items()}
    row.save()
    rollup_version_bump(workspace=workspace)
    return row
