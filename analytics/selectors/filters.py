"""The filters every analytics page and endpoint takes: a period, a tier, an owner and an industry."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.models import Tier

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
        return out


def kpi_filters_parse(params: dict[str, str], *, today: date | None = None) -> KpiFilters:
    """Read ``from``, ``to``, ``tier``, ``owner``, ``industry`` (or ``days``); field errors as ValidationError."""
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
            errors["days"] = f"A whole number of days from 1 to {MAX_DAYS}."
    for key in ("from", "to"):
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        try:
            value = parse_date(raw)
        except ValueError:
            value = None
        if value is None:
            errors[key] = "A date as YYYY-MM-DD."
        elif key == "from":
            start = value
        else:
            end = value
    if not errors and start > end:
        errors["from"] = "The start of the period must not be after its end."
    if not errors and (end - start).days + 1 > MAX_DAYS:
        errors["from"] = f"A period of at most {MAX_DAYS} days."
    tier = (params.get("tier") or "").strip()
    if tier and tier not in Tier.values:
        errors["tier"] = f"One of {', '.join(Tier.values)}."
    owner: int | None = None
    if params.get("owner"):
        try:
            owner = int(params["owner"])
        except ValueError:
            errors["owner"] = "A user id."
    if errors:
        raise ValidationError(errors)
    return KpiFilters(start=start, end=end, tier=tier, owner=owner, industry=(params.get("industry") or "").strip())
