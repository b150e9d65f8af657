"""KPI maths on plain numbers (no database): rates, intervals, economics, lifts. Tested on hand-computed values."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

Z95 = 1.959963984540054
# Below this many observations per group a rate or a lift is shown as "not enough data", not as a figure.
MIN_SAMPLE = 10
LTV_CAC_BAND = (2.0, 4.0)

# The lifts the seeds cite for account-based programmes (000, 001): relative change, target vs standard.
CITED_LIFTS: dict[str, float] = {
    "revenue_per_account": 0.50,
    "opportunities_per_account": 0.70,
    "win_rate": 0.25,
    "velocity": 0.28,
    "acv": 0.75,
    "ltv": 1.50,
}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (good at small n and near 0 or 1); None without data."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_difference(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float, float] | None:
    """Difference p1 - p2 with Newcombe's hybrid Wilson interval (method 10); None if a group is empty."""
    a, b = wilson_interval(s1, n1), wilson_interval(s2, n2)
    if a is None or b is None:
        return None
    p1, p2 = s1 / n1, s2 / n2
    diff = p1 - p2
    low = diff - math.sqrt((p1 - a[0]) ** 2 + (b[1] - p2) ** 2)
    high = diff + math.sqrt((a[1] - p1) ** 2 + (p2 - b[0]) ** 2)
    return diff, low, high


@dataclass(frozen=True)
class Moments:
    """n, sum and sum of squares of a sample: enough for a mean and its variance, summed in SQL."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        if self.n < 2:
            return None
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


def mean_difference(a: Moments, b: Moments) -> tuple[float, float, float] | None:
    """Mean of a minus mean of b with a Welch (normal) 95% interval; None if either group has < 2 values."""
    if a.variance is None or b.variance is None or a.mean is None or b.mean is None:
        return None
    diff = a.mean - b.mean
    half = Z95 * math.sqrt(a.variance / a.n + b.variance / b.n)
    return diff, diff - half, diff + half


def paired_difference(diffs: Moments) -> tuple[float, float, float] | None:
    """Mean of paired differences (after - before) with a normal 95% interval."""
    if diffs.variance is None or diffs.mean is None:
        return None
    half = Z95 * math.sqrt(diffs.variance / diffs.n)
    return diffs.mean, diffs.mean - half, diffs.mean + half


def lift(
    *, name: str, label: str, measured: tuple[float, float, float] | None, baseline: float | None, n: tuple[int, int]
) -> dict[str, Any]:
    """A measured difference as a lift beside the cited one; a lift is claimed only when the interval excludes 0."""
    enough = min(n) >= MIN_SAMPLE and measured is not None
    out: dict[str, Any] = {
        "name": name,
        "label": label,
        "cited": CITED_LIFTS.get(name),
        "n": list(n),
        "status": "ok" if enough else "not_enough_data",
        "difference": None,
        "interval": None,
        "relative": None,
        "lift_found": False,
    }
    if not enough or measured is None:
        return out
    diff, low, high = measured
    out["difference"], out["interval"] = diff, [low, high]
    out["relative"] = diff / baseline if baseline else None
    out["lift_found"] = low > 0
    out["status"] = "lift" if low > 0 else ("drop" if high < 0 else "no_clear_difference")
    return out


def ltv(*, acv: float | None, gross_margin: float, annual_churn: float) -> float | None:
    """Lifetime value: yearly contract value x gross margin x expected lifetime in years (1 / churn)."""
    if acv is None or annual_churn <= 0:
        return None
    return acv * gross_margin / annual_churn


def ltv_cac_band(value: float | None) -> str | None:
    if value is None:
        return None
    if value < LTV_CAC_BAND[0]:
        return "below"
    return "on_track" if value <= LTV_CAC_BAND[1] else "above"


def payback_months(*, cac: float | None, acv: float | None, gross_margin: float) -> float | None:
    """Months of gross-margin revenue that pay back the cost of acquiring one customer."""
    if cac is None or not acv or gross_margin <= 0:
        return None
    return cac / (acv * gross_margin / 12)


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period (None when it cannot be said)."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / abs(previous)
