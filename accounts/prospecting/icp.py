"""The Ideal Customer Profile: weighted criteria with ordered sub-criteria bands, and the fit score.

A criterion looks at one or more account attributes and has a ``weight`` (its share of the 100 points) and
ordered ``bands``; the first band whose conditions all hold gives ``points`` (a fraction 0..1 of the weight).
No band: no points. A band's ``when`` maps attributes to conditions:

- categorical attributes (industry, country, region, city, ownership_type, lifecycle): a list of values
  (case-insensitive);
- numeric attributes (employees, annual_revenue, number_of_offices, founded_year, trigger_event_age_days):
  ``{"min": x, "max": y}`` (both inclusive, either optional);
- ``technologies``: ``{"any": [...]}`` (at least one in use), ``{"all": [...]}`` or ``{"none": [...]}``.

Example after seed 003 (prefer 10-50 employees in the US north-east, accept the rest of the US for less)::

    {"key": "territory", "label": "Territory and size", "weight": 30, "bands": [
        {"label": "North-east, 10-50 people", "points": 1.0,
         "when": {"country": ["US"], "region": ["NY", "MA", "PA"], "employees": {"min": 10, "max": 50}}},
        {"label": "Rest of the US", "points": 0.5, "when": {"country": ["US"]}}]}

fit = 100 * sum(weight_i * points_i) / sum(weight_i); grades come from thresholds (A >= 85, B >= 70 ...).
Everything is computed over a whole DataFrame of accounts at once (numpy), never row by row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from abe import l10n
from accounts.models import FIT_GRADES

CATEGORICAL = ("industry", "country", "region", "city", "ownership_type", "lifecycle")
NUMERIC = ("employees", "annual_revenue", "number_of_offices", "founded_year", "trigger_event_age_days")
SET_ATTRIBUTES = ("technologies",)
ATTRIBUTES = CATEGORICAL + NUMERIC + SET_ATTRIBUTES
# Marked for translation; shown with gettext where a person reads them (the ICP editor).
ATTRIBUTE_LABELS = {
    "industry": gettext_noop("Industry"),
    "country": gettext_noop("Country"),
    "region": gettext_noop("Region / state"),
    "city": gettext_noop("City"),
    "ownership_type": gettext_noop("Ownership"),
    "lifecycle": gettext_noop("Lifecycle"),
    "employees": gettext_noop("Employees"),
    "annual_revenue": gettext_noop("Annual revenue"),
    "number_of_offices": gettext_noop("Offices"),
    "founded_year": gettext_noop("Founded"),
    "trigger_event_age_days": gettext_noop("Days since trigger event"),
    "technologies": gettext_noop("Technologies"),
}
DEFAULT_GRADES = {"A": 85.0, "B": 70.0, "C": 55.0, "D": 40.0, "E": 25.0}  # below E: F
GRADES = FIT_GRADES
MAX_CRITERIA = 40
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class FitResult:
    """Per-account results, aligned with the input frame's rows."""

    score: np.ndarray  # float 0..100
    grade: np.ndarray  # object, "A".."F"
    met_mask: np.ndarray  # int64 bitmask of criteria that gave points
    points: np.ndarray  # float (n_accounts, n_criteria)
    band: np.ndarray  # int (n_accounts, n_criteria), -1 when no band matched

    def explanation(self, criteria: list[dict], row: int) -> list[list[Any]]:
        """The compact receipt of one account: [[key, band label or None, points], ...]."""
        out = []
        for j, criterion in enumerate(criteria):
            b = int(self.band[row, j])
            out.append(
                [
                    criterion["key"],
                    criterion["bands"][b]["label"] if b >= 0 else None,
                    round(float(self.points[row, j]), 2),
                ]
            )
        return out


def _condition_errors(attribute: str, condition: Any) -> str | None:
    if attribute not in ATTRIBUTES:
        return gettext("Unknown attribute “%(attribute)s”. Use one of: %(known)s.") % {
            "attribute": attribute,
            "known": ", ".join(ATTRIBUTES),
        }
    if attribute in CATEGORICAL:
        if not isinstance(condition, list) or not condition or not all(isinstance(v, str) for v in condition):
            return gettext("%(attribute)s: give a non-empty list of values.") % {"attribute": attribute}
    elif attribute in NUMERIC:
        if not isinstance(condition, dict) or not set(condition) <= {"min", "max"} or not condition:
            return gettext("%(attribute)s: give {'min': x, 'max': y} (either may be left out).") % {
                "attribute": attribute
            }
        for bound in condition.values():
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float)):
                return gettext("%(attribute)s: bounds must be numbers.") % {"attribute": attribute}
        lo, hi = condition.get("min"), condition.get("max")
        if lo is not None and hi is not None and lo > hi:
            return gettext("%(attribute)s: min is above max.") % {"attribute": attribute}
    else:
        if (
            not isinstance(condition, dict)
            or len(condition) != 1
            or next(iter(condition)) not in ("any", "all", "none")
        ):
            return gettext("technologies: give exactly one of {'any': [...]}, {'all': [...]}, {'none': [...]}.")
        values = next(iter(condition.values()))
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            return gettext("technologies: give a non-empty list of technology names.")
    return None


# How a technologies condition reads ("any of Salesforce, Segment").
SET_MODES = {
    "any": gettext_noop("any of %(values)s"),
    "all": gettext_noop("all of %(values)s"),
    "none": gettext_noop("none of %(values)s"),
}


def condition_text(attribute: str, condition: Any) -> str:
    """A band's condition as a person reads it, in the active language: "Employees: 200 to 5,000", "Technologies:
    none of Marketo, Demandbase", "Country: US, CA". (The ICP page showed the stored JSON, ``{'max': 5000, 'min':
    200}``.) A condition of another shape (a version saved before validation knew it) reads as stored."""
    label = gettext(ATTRIBUTE_LABELS[attribute]) if attribute in ATTRIBUTE_LABELS else attribute
    text = str(condition)
    if attribute in NUMERIC and isinstance(condition, dict) and condition:
        lo, hi = condition.get("min"), condition.get("max")
        shown = {
            k: l10n.number(v, 0 if float(v).is_integer() else 2) for k, v in (("min", lo), ("max", hi)) if v is not None
        }
        if "min" in shown and "max" in shown:
            text = gettext("%(min)s to %(max)s") % shown
        elif "min" in shown:
            text = gettext("at least %(min)s") % shown
        elif "max" in shown:
            text = gettext("at most %(max)s") % shown
    elif isinstance(condition, dict) and len(condition) == 1 and next(iter(condition)) in SET_MODES:
        mode, values = next(iter(condition.items()))
        if isinstance(values, list):
            text = gettext(SET_MODES[mode]) % {"values": ", ".join(str(v) for v in values)}
    elif isinstance(condition, list):
        text = ", ".join(str(v) for v in condition)
    # Translators: one condition of an ICP band, e.g. "Employees: 200 to 5,000".
    return gettext("%(attribute)s: %(condition)s") % {"attribute": label, "condition": text}


WEIGHT_TOTAL = 100.0


def icp_weights_settle(criteria: Any, *, normalise: bool) -> Any:
    """Weights are shares of 100 points, so the editor, the receipt and the tier board show the same numbers.

    Criteria whose weights do not add up to 100 are refused (ValidationError on ``criteria``) unless ``normalise``
    asks for them to be rescaled; then each weight becomes its share of 100, rounded to 2 decimals (the largest
    absorbs the rounding so that the total is exactly 100). Malformed criteria are returned as they are, for
    ``icp_validate`` to name their problems."""
    if not isinstance(criteria, list) or not criteria:
        return criteria
    raw = [c.get("weight") if isinstance(c, dict) else None for c in criteria]
    if not all(isinstance(w, int | float) and not isinstance(w, bool) and w > 0 for w in raw):
        return criteria
    weights = [float(w) for w in raw if w is not None]
    total = sum(weights)
    if abs(total - WEIGHT_TOTAL) <= 0.01:
        return criteria
    if not normalise:
        raise ValidationError(
            {
                "criteria": [
                    gettext(
                        "The weights add up to %(total)s; they must add up to %(expected)s. Change them, or ask for "
                        "them to be rescaled (“normalise”: true) and check the resulting weights."
                    )
                    % {"total": f"{total:g}", "expected": f"{WEIGHT_TOTAL:g}"}
                ]
            }
        )
    scaled = [round(w * WEIGHT_TOTAL / total, 2) for w in weights]
    largest = max(range(len(scaled)), key=lambda i: scaled[i])
    scaled[largest] = round(scaled[largest] + WEIGHT_TOTAL - sum(scaled), 2)
    return [{**c, "weight": w} for c, w in zip(criteria, scaled, strict=True)]


def icp_validate(criteria: Any, grade_thresholds: Any = None) -> tuple[list[dict], dict[str, float]]:
    """Check and normalise criteria (and grade thresholds); raise a ValidationError naming each problem."""
    errors: list[str] = []
    if not isinstance(criteria, list):
        raise ValidationError({"criteria": gettext("Give a list of criteria.")})
    if len(criteria) > MAX_CRITERIA:
        errors.append(gettext("At most %(maximum)s criteria.") % {"maximum": MAX_CRITERIA})
    clean: list[dict] = []
    keys: set[str] = set()
    for i, criterion in enumerate(criteria, start=1):
        where = gettext("Criterion %(number)s") % {"number": i}
        if not isinstance(criterion, dict):
            errors.append(gettext("%(where)s: must be an object.") % {"where": where})
            continue
        key = str(criterion.get("key") or "").strip()
        if not KEY_RE.match(key):
            errors.append(
                gettext("%(where)s: key must be lower-case letters, digits or _ (e.g. “industry”).") % {"where": where}
            )
        elif key in keys:
            errors.append(gettext("%(where)s: the key “%(key)s” is used twice.") % {"where": where, "key": key})
        keys.add(key)
        weight = criterion.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0 or weight > 1000:
            errors.append(gettext("%(where)s: weight must be a number above 0 (and at most 1000).") % {"where": where})
        bands = criterion.get("bands")
        if not isinstance(bands, list) or not bands:
            errors.append(gettext("%(where)s: give at least one band.") % {"where": where})
            bands = []
        clean_bands = []
        for k, band in enumerate(bands, start=1):
            if not isinstance(band, dict):
                errors.append(gettext("%(where)s, band %(band)s: must be an object.") % {"where": where, "band": k})
                continue
            points = band.get("points", 1.0)
            if isinstance(points, bool) or not isinstance(points, int | float) or not 0 <= points <= 1:
                errors.append(
                    gettext("%(where)s, band %(band)s: points must be between 0 and 1 (a share of the weight).")
                    % {"where": where, "band": k}
                )
            when = band.get("when")
            if not isinstance(when, dict) or not when:
                errors.append(
                    gettext("%(where)s, band %(band)s: give at least one condition in “when”.")
                    % {"where": where, "band": k}
                )
                when = {}
            for attribute, condition in when.items():
                problem = _condition_errors(attribute, condition)
                if problem:
                    errors.append(
                        f"{where}, " + gettext("band %(band)s: %(problem)s") % {"band": k, "problem": problem}
                    )
            label = str(band.get("label") or "").strip() or f"Band {k}"
            numeric_points = float(points) if isinstance(points, int | float) else 0.0
            clean_bands.append({"label": label[:120], "points": numeric_points, "when": when})
        label = str(criterion.get("label") or "").strip() or key.replace("_", " ").capitalize()
        clean.append({"key": key, "label": label[:120], "weight": weight, "bands": clean_bands})
    thresholds = dict(DEFAULT_GRADES)
    if grade_thresholds:
        if not isinstance(grade_thresholds, dict) or not set(grade_thresholds) <= set(DEFAULT_GRADES):
            errors.append(gettext("Grade thresholds: give scores for A, B, C, D and E."))
        else:
            thresholds.update({g: float(v) for g, v in grade_thresholds.items()})
            ordered = [thresholds[g] for g in DEFAULT_GRADES]
            if ordered != sorted(ordered, reverse=True) or not all(0 <= v <= 100 for v in ordered):
                errors.append(gettext("Grade thresholds must fall from A to E, between 0 and 100."))
    if errors:
        raise ValidationError({"criteria": errors})
    return clean, thresholds


def _mask(frame: pd.DataFrame, attribute: str, condition: Any) -> np.ndarray:
    if attribute in CATEGORICAL:
        # Decide once per distinct value (a few dozen), not once per account.
        wanted = {str(v).strip().lower() for v in condition}
        codes, uniques = pd.factorize(frame[attribute].to_numpy(dtype=object))
        matches = np.array([str(u).lower() in wanted for u in uniques] + [False], dtype=bool)
        return matches[codes]  # code -1 (a missing value) picks the trailing False
    if attribute in NUMERIC:
        values = frame[attribute].to_numpy(dtype=float)
        mask = ~np.isnan(values)
        if condition.get("min") is not None:
            mask &= np.nan_to_num(values, nan=-np.inf) >= condition["min"]
        if condition.get("max") is not None:
            mask &= np.nan_to_num(values, nan=np.inf) <= condition["max"]
        return mask
    ((mode, names),) = condition.items()
    wanted_tech = frozenset(n.strip().lower() for n in names)
    techs = frame["technologies"].tolist()
    decided: dict[frozenset[str], bool] = {}  # per distinct technology set: accounts share a few hundred
    for ts in set(techs):
        lowered = frozenset(t.lower() for t in ts)
        if mode == "any":
            decided[ts] = not wanted_tech.isdisjoint(lowered)
        elif mode == "all":
            decided[ts] = wanted_tech <= lowered
        else:
            decided[ts] = wanted_tech.isdisjoint(lowered)
    return np.fromiter((decided[ts] for ts in techs), bool, len(techs))


def grade_of(scores: np.ndarray, thresholds: dict[str, float] | None = None) -> np.ndarray:
    thresholds = thresholds or DEFAULT_GRADES
    conditions = [scores >= thresholds[g] for g in DEFAULT_GRADES]
    return np.select(conditions, list(DEFAULT_GRADES), default="F").astype(object)


def fit_score(frame: pd.DataFrame, criteria: list[dict], grade_thresholds: dict[str, float] | None = None) -> FitResult:
    """Score every row of ``frame`` against ``criteria`` (already validated), vectorised over accounts."""
    n, m = len(frame), len(criteria)
    points = np.zeros((n, m))
    band_index = np.full((n, m), -1, dtype=np.int64)
    met = np.zeros(n, dtype=np.int64)
    total_weight = float(sum(c["weight"] for c in criteria)) or 1.0
    for j, criterion in enumerate(criteria):
        masks = []
        for band in criterion["bands"]:
            mask = np.ones(n, dtype=bool)
            for attribute, condition in band["when"].items():
                mask &= _mask(frame, attribute, condition)
            masks.append(mask)
        band_points = np.array([b["points"] for b in criterion["bands"]], dtype=float)
        chosen = np.select(masks, np.arange(len(masks)), default=-1) if masks else np.full(n, -1)
        band_index[:, j] = chosen
        got = np.where(chosen >= 0, band_points[np.clip(chosen, 0, None)], 0.0) * criterion["weight"]
        points[:, j] = got * 100.0 / total_weight
        met |= np.where(got > 0, np.int64(1) << np.int64(j), np.int64(0))
    score = np.round(points.sum(axis=1), 2) if m else np.zeros(n)
    return FitResult(score=score, grade=grade_of(score, grade_thresholds), met_mask=met, points=points, band=band_index)


def explanation_rows(criteria: list[dict], receipt: list[list[Any]]) -> list[dict[str, Any]]:
    """A stored receipt joined with its criteria, for display: label, band, points and maximum."""
    by_key = {c["key"]: c for c in criteria}
    total_weight = float(sum(c["weight"] for c in criteria)) or 1.0
    rows = []
    for key, band, points in receipt:
        criterion = by_key.get(key)
        if criterion is None:
            continue
        rows.append(
            {
                "key": key,
                "label": criterion["label"],
                "band": band,
                "points": points,
                "max_points": round(criterion["weight"] * 100.0 / total_weight, 2),
                "attributes": sorted({a for b in criterion["bands"] for a in b["when"]}),
            }
        )
    return rows
