"""The filters every analytics page and endpoint takes: a period, a tier, an owner, an industry and a saved view."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext

from abe.models import Workspace
from accounts.models import SavedView, Tier
from accounts.selectors import saved_view_list

TARGET_TIERS = (Tier.STRATEGIC.value, Tier.PRIORITY.value)
NON_TARGET_TIERS = (Tier.STANDARD.value,)
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class KpiFilters:
    start: date
    end: date
    tier: str = ""
    owner: int | None = None
    industry: str = ""
    # A saved view of the accounts list (accounts.SavedView) and the user reading it ("my accounts" in a shared
    # view means the reader's). Kept out of equality: ``view_key`` stands for both in comparisons and cache keys.
    view: SavedView | None = field(default=None, compare=False)
    user: Any = field(default=None, compare=False)
    view_key: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> KpiFilters:
        """The period of the same length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def query(self) -> dict[str, str]:
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.tier:
            out["tier"] = self.tier
        if self.owner is not None:
            out["owner"] = str(self.owner)
        if self.industry:
            out["industry"] = self.industry
        if self.view is not None:
            out["view"] = str(self.view.pk)
        return out

    def cache_key(self) -> str:
        return "|".join(
            [self.start.isoformat(), self.end.isoformat(), self.tier, str(self.owner), self.industry, self.view_key]
        )


def kpi_filters_parse(
    params: Any, *, today: date | None = None, workspace: Workspace | None = None, user: Any = None
) -> KpiFilters:
    """Read ``from``, ``to``, ``tier``, ``owner``, ``industry``, ``view`` (or ``days``); field errors as
    ValidationError. ``view`` (a saved view's id) needs the workspace and the reading user."""
    today = today or timezone.now().date()
    errors: dict[str, str] = {}
    end = today
    start = today - timedelta(days=DEFAULT_DAYS - 1)
    if params.get("days"):
        try:
            days = int(params["days"])
            if not 1 <= days <= MAX_DAYS:
                raise ValueError
            start = today - timedelta(days=days - 1)
        except ValueError:
            errors["days"] = gettext("A whole number of days from 1 to %(max)s.") % {"max": MAX_DAYS}
    for key in ("from", "to"):
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        try:
            value = parse_date(raw)
        except ValueError:
            value = None
        if value is None:
            errors[key] = gettext("A date as YYYY-MM-DD.")
        elif key == "from":
            start = value
        else:
            end = value
    if not errors and start > end:
        errors["from"] = gettext("The start of the period must not be after its end.")
    if not errors and (end - start).days + 1 > MAX_DAYS:
        errors["from"] = gettext("A period of at most %(max)s days.") % {"max": MAX_DAYS}
    tier = (params.get("tier") or "").strip()
    if tier and tier not in Tier.values:
        errors["tier"] = gettext("One of %(values)s.") % {"values": ", ".join(Tier.values)}
    owner: int | None = None
    if params.get("owner"):
        try:
            owner = int(params["owner"])
        except ValueError:
            errors["owner"] = gettext("A user id.")
    view: SavedView | None = None
    raw_view = (params.get("view") or "").strip()
    if raw_view:
        try:
            if workspace is None or user is None or not getattr(user, "is_authenticated", False):
                raise SavedView.DoesNotExist
            view = saved_view_list(workspace=workspace, user=user).get(pk=int(raw_view))
        except (ValueError, SavedView.DoesNotExist):
            errors["view"] = gettext("A saved view (of the accounts list or the tier board) that you can open.")
    if errors:
        raise ValidationError(errors)
    return KpiFilters(
        start=start,
        end=end,
        tier=tier,
        owner=owner,
        industry=(params.get("industry") or "").strip(),
        view=view,
        user=user if view is not None else None,
        # The view's filters can change: its last edit is part of the key; "my accounts" depends on the reader.
        view_key=f"{view.pk}@{view.updated_at.isoformat()}/{user.pk}" if view is not None else "",
    )
