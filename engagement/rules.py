"""The engagement maths, free of the database: defaults, decay, caps, multipliers, breadth, momentum, stages.

Everything that turns counts into scores lives here so that the incremental path (ingestion), the full
recompute, the settings preview and the trend backfill all apply exactly the same formulas. See
``docs/scoring.md`` for the derivation.

- An event of type ``t`` counts from the start (00:00 UTC) of its day ``d``; per (contact, type, day) only
  the first ``cap_t`` events count.
- Its value at time ``T`` is ``2^(−(T − d) / h_t)`` (half-life ``h_t`` days).
- Stored per (account, contact, type): ``log_sum = ln Σ_d min(n_d, cap_t) · 2^((d − R) / h_t)`` with a fixed
  reference time ``R``, so the decayed sum at ``T`` is ``exp(log_sum − ln2 · (T − R) / h_t)``.
- Contact score = role multiplier × seniority multiplier × Σ_t weight_t × decayed sum_t.
- Account score = (1 + breadth bonus × (roles engaged in 30 days − 1)⁺) × Σ contact scores
  + Σ_t weight_t × decayed sum_t of account-level signals (no contact).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from django.utils.translation import gettext_noop

from abe.labels import DEFAULT_STAGE_NAMES, stage_name
from personas.models import BuyingRole, Seniority

from .models import EventType

LN2 = math.log(2.0)
SECONDS_PER_DAY = 86_400.0
REFERENCE = datetime(2020, 1, 1, tzinfo=UTC)
REFERENCE_DAY = REFERENCE.date()
BREADTH_WINDOW_DAYS = 30
MOMENTUM_RECENT_DAYS = 7
MOMENTUM_BASELINE_WEEKS = 4
MOMENTUM_FLOOR = 1.0  # points: a baseline below one point counts as one, so a first burst reads as a large rise

# per event type: (weight, half-life in days, daily cap per contact)
DEFAULT_TYPE_RULES: dict[str, tuple[float, float, int]] = {
    EventType.EMAIL_OPEN: (1.0, 14.0, 3),
    EventType.EMAIL_CLICK: (3.0, 21.0, 3),
    EventType.WEB_VISIT: (2.0, 14.0, 5),
    EventType.PRICING_PAGE_VISIT: (8.0, 21.0, 2),
    EventType.CONTENT_DOWNLOAD: (6.0, 30.0, 3),
    EventType.WEBINAR_REGISTRATION: (5.0, 30.0, 2),
    EventType.WEBINAR_ATTENDANCE: (10.0, 45.0, 2),
    EventType.EVENT_ATTENDANCE: (12.0, 60.0, 2),
    EventType.MEETING: (20.0, 60.0, 2),
    EventType.REPLY: (10.0, 30.0, 3),
    EventType.FORM_SUBMISSION: (10.0, 30.0, 2),
    EventType.INTENT_SIGNAL: (4.0, 14.0, 3),
    EventType.TRIGGER_EVENT: (8.0, 45.0, 2),
}
DEFAULT_ROLE_MULTIPLIERS: dict[str, float] = {
    BuyingRole.DECISION_MAKER: 1.5,
    BuyingRole.ECONOMIC_BUYER: 1.4,
    BuyingRole.CHAMPION: 1.3,
    BuyingRole.INFLUENCER: 1.1,
    BuyingRole.TECHNICAL_EVALUATOR: 1.1,
    BuyingRole.END_USER: 0.9,
    BuyingRole.BLOCKER: 1.0,
    BuyingRole.GATEKEEPER: 0.8,
}
DEFAULT_SENIORITY_MULTIPLIERS: dict[str, float] = {
    Seniority.C_LEVEL: 1.5,
    Seniority.VP: 1.3,
    Seniority.DIRECTOR: 1.2,
    Seniority.MANAGER: 1.0,
    Seniority.INDIVIDUAL: 0.8,
}
DEFAULT_BREADTH_BONUS = 0.15
# Condition on the account's opportunities (value -> label, translated where shown).
OPPORTUNITY_CONDITIONS = {"": "—", "won": gettext_noop("Won"), "open": gettext_noop("Open")}
# Stored in English (the configuration's own words); shown translated while unchanged (abe.labels.stage_name).
DEFAULT_STAGES: list[dict[str, Any]] = [
    {"key": k, "name": DEFAULT_STAGE_NAMES[k], **rest}
    for k, rest in cast(
        list[tuple[str, dict[str, Any]]],
        [
            ("customer", {"opportunity": "won", "min_score": None, "min_breadth": None}),
            ("opportunity", {"opportunity": "open", "min_score": None, "min_breadth": None}),
            ("mqa", {"opportunity": "", "min_score": 150.0, "min_breadth": 3}),
            ("engaged", {"opportunity": "", "min_score": 40.0, "min_breadth": None}),
            ("aware", {"opportunity": "", "min_score": 1.0, "min_breadth": None}),
            ("unaware", {"opportunity": "", "min_score": None, "min_breadth": None}),
        ],
    )
]


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def log_add(a: float | None, b: float | None) -> float | None:
    """``ln(e^a + e^b)`` without overflow; ``None`` stands for ln 0."""
    if a is None:
        return b
    if b is None:
        return a
    high, low = (a, b) if a >= b else (b, a)
    return high + math.log1p(math.exp(low - high))


@dataclass(frozen=True)
class StageRule:
    key: str
    name: str
    opportunity: str = ""
    min_score: float | None = None
    min_breadth: int | None = None

    def matches(self, *, score: float, breadth: int, has_won: bool, has_open: bool) -> bool:
        if self.opportunity == "won" and not has_won:
            return False
        if self.opportunity == "open" and not has_open:
            return False
        if self.min_score is not None and score < self.min_score:
            return False
        return self.min_breadth is None or breadth >= self.min_breadth

    @property
    def label(self) -> str:
        """The name people read: a default stage's name in the active language, an admin's own name as typed."""
        return stage_name(self.key, self.name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "opportunity": self.opportunity,
            "min_score": self.min_score,
            "min_breadth": self.min_breadth,
        }


@dataclass(frozen=True)
class ScoringRules:
    weights: Mapping[str, float]
    half_lives: Mapping[str, float]
    caps: Mapping[str, int]
    role_multipliers: Mapping[str, float]
    seniority_multipliers: Mapping[str, float]
    breadth_bonus_per_role: float = DEFAULT_BREADTH_BONUS
    stages: tuple[StageRule, ...] = field(default_factory=tuple)
    version: int = 0

    @classmethod
    def defaults(cls) -> ScoringRules:
        return cls.from_values()

    @classmethod
    def from_values(
        cls,
        *,
        weights: Mapping[str, float] | None = None,
        half_lives: Mapping[str, float] | None = None,
        daily_caps: Mapping[str, int] | None = None,
        role_multipliers: Mapping[str, float] | None = None,
        seniority_multipliers: Mapping[str, float] | None = None,
        breadth_bonus_per_role: float | None = None,
        stages: Iterable[Mapping[str, Any]] | None = None,
        version: int = 0,
    ) -> ScoringRules:
        weights, half_lives, daily_caps = weights or {}, half_lives or {}, daily_caps or {}
        return cls(
            weights={t: float(weights.get(t, w)) for t, (w, _, _) in DEFAULT_TYPE_RULES.items()},
            half_lives={t: float(half_lives.get(t, h)) for t, (_, h, _) in DEFAULT_TYPE_RULES.items()},
            caps={t: int(daily_caps.get(t, c)) for t, (_, _, c) in DEFAULT_TYPE_RULES.items()},
            role_multipliers={**DEFAULT_ROLE_MULTIPLIERS, **(role_multipliers or {})},
            seniority_multipliers={**DEFAULT_SENIORITY_MULTIPLIERS, **(seniority_multipliers or {})},
            breadth_bonus_per_role=DEFAULT_BREADTH_BONUS if breadth_bonus_per_role is None else breadth_bonus_per_role,
            stages=tuple(StageRule(**s) for s in (stages or DEFAULT_STAGES)),
            version=version,
        )

    @classmethod
    def from_config(cls, config: Any) -> ScoringRules:
        return cls.from_values(
            weights=config.weights,
            half_lives=config.half_lives,
            daily_caps=config.daily_caps,
            role_multipliers=config.role_multipliers,
            seniority_multipliers=config.seniority_multipliers,
            breadth_bonus_per_role=config.breadth_bonus_per_role,
            stages=config.stages,
            version=config.version,
        )

    # Decay -----------------------------------------------------------------------------------------------
    def day_exponent(self, event_type: str, day: date) -> float:
        """``ln 2^((d − R) / h)``: the log-weight at the reference time of one event counted on ``day``."""
        return LN2 * (day - REFERENCE_DAY).days / self.half_lives[event_type]

    def time_exponent(self, event_type: str, at: datetime) -> float:
        return LN2 * (at - REFERENCE).total_seconds() / SECONDS_PER_DAY / self.half_lives[event_type]

    def capped(self, event_type: str, count: int) -> int:
        return min(count, self.caps[event_type])

    def component_log_delta(self, event_type: str, day: date, old_count: int, new_count: int) -> float | None:
        """The log of what ``new_count − old_count`` more events on ``day`` add to a component (None: nothing)."""
        cap = self.caps[event_type]
        added = min(new_count, cap) - min(old_count, cap)
        if added <= 0:
            return None
        return math.log(added) + self.day_exponent(event_type, day)

    def decayed(self, event_type: str, log_sum: float, at: datetime) -> float:
        """The decayed, capped event count of a component at ``at``."""
        return math.exp(log_sum - self.time_exponent(event_type, at))

    def points(self, event_type: str, log_sum: float, at: datetime) -> float:
        return self.weights[event_type] * self.decayed(event_type, log_sum, at)

    # People ----------------------------------------------------------------------------------------------
    def contact_multiplier(self, buying_role: str, seniority: str) -> float:
        return self.role_multipliers.get(buying_role or "", 1.0) * self.seniority_multipliers.get(seniority or "", 1.0)

    def breadth_multiplier(self, roles_engaged: int) -> float:
        return 1.0 + self.breadth_bonus_per_role * max(0, roles_engaged - 1)

    # Stages ----------------------------------------------------------------------------------------------
    def stage_for(self, *, score: float, breadth: int, has_won: bool, has_open: bool) -> str:
        for stage in self.stages:
            if stage.matches(score=score, breadth=breadth, has_won=has_won, has_open=has_open):
                return stage.key
        return self.stages[-1].key

    def stage_names(self) -> dict[str, str]:
        """key -> the name people read (translated while it is a default name)."""
        return {s.key: s.label for s in self.stages}


def momentum(points_recent: float, baseline_weekly: float) -> float:
    """Relative change of the last 7 days against the weekly average of the 4 weeks before (0.5 = +50%)."""
    return (points_recent - baseline_weekly) / max(baseline_weekly, MOMENTUM_FLOOR)


def momentum_windows(today: date) -> tuple[date, date, date]:
    """(first day of the recent week, first day of the baseline, first day after the baseline)."""
    recent_start = today - timedelta(days=MOMENTUM_RECENT_DAYS - 1)
    baseline_start = recent_start - timedelta(days=7 * MOMENTUM_BASELINE_WEEKS)
    return recent_start, baseline_start, recent_start


def breadth_window_start(today: date) -> date:
    return today - timedelta(days=BREADTH_WINDOW_DAYS - 1)
