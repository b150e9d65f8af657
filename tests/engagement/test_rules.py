"""The engagement maths against hand-computed cases: decay, caps, multipliers, breadth, momentum, stages."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from engagement.rules import ScoringRules, StageRule, log_add, momentum


def rules(**overrides) -> ScoringRules:
    return ScoringRules.from_values(**overrides)


def test_one_event_decays_by_half_each_half_life():
    r = rules(weights={"meeting": 20}, half_lives={"meeting": 10})
    log_sum = r.component_log_delta("meeting", date(2026, 1, 1), 0, 1)

    at_start = r.points("meeting", log_sum, datetime(2026, 1, 1, tzinfo=UTC))
    one_half_life = r.points("meeting", log_sum, datetime(2026, 1, 11, tzinfo=UTC))
    two_half_lives = r.points("meeting", log_sum, datetime(2026, 1, 21, tzinfo=UTC))

    assert at_start == pytest.approx(20.0)
    assert one_half_life == pytest.approx(10.0)
    assert two_half_lives == pytest.approx(5.0)


def test_daily_cap_counts_only_the_first_events_of_a_day():
    r = rules(daily_caps={"web_visit": 3})

    assert r.component_log_delta("web_visit", date(2026, 1, 1), 0, 2) == pytest.approx(
        math.log(2) + r.day_exponent("web_visit", date(2026, 1, 1))
    )
    # 2 already counted: 5 more only add 1 (cap 3); once at the cap, nothing more counts.
    assert r.component_log_delta("web_visit", date(2026, 1, 1), 2, 7) == pytest.approx(
        r.day_exponent("web_visit", date(2026, 1, 1))
    )
    assert r.component_log_delta("web_visit", date(2026, 1, 1), 3, 9) is None


def test_multipliers_combine_role_and_seniority_and_default_to_one():
    r = rules(role_multipliers={"champion": 1.2}, seniority_multipliers={"vp": 1.5})

    assert r.contact_multiplier("champion", "vp") == pytest.approx(1.8)
    assert r.contact_multiplier("", "") == 1.0


def test_breadth_bonus_grows_with_each_role_beyond_the_first():
    r = rules(breadth_bonus_per_role=0.25)

    assert [r.breadth_multiplier(n) for n in (0, 1, 2, 4)] == [1.0, 1.0, 1.25, 1.75]


def test_momentum_compares_the_last_week_with_the_weekly_baseline():
    assert momentum(30.0, 20.0) == pytest.approx(0.5)
    assert momentum(10.0, 20.0) == pytest.approx(-0.5)
    assert momentum(5.0, 0.0) == pytest.approx(5.0)  # baseline floored at one point
    assert momentum(0.0, 0.0) == 0.0


def test_log_add_is_the_log_of_a_sum_even_for_huge_exponents():
    assert log_add(None, 3.0) == 3.0
    assert log_add(math.log(2), math.log(3)) == pytest.approx(math.log(5))
    assert log_add(2000.0, 2000.0) == pytest.approx(2000.0 + math.log(2))


def test_stages_are_evaluated_from_the_top_down():
    r = rules(
        stages=[
            {"key": "customer", "name": "Customer", "opportunity": "won"},
            {"key": "mqa", "name": "MQA", "min_score": 100, "min_breadth": 3},
            {"key": "engaged", "name": "Engaged", "min_score": 20},
            {"key": "unaware", "name": "Unaware"},
        ]
    )

    assert r.stage_for(score=500, breadth=5, has_won=True, has_open=False) == "customer"
    assert r.stage_for(score=150, breadth=3, has_won=False, has_open=False) == "mqa"
    assert r.stage_for(score=150, breadth=2, has_won=False, has_open=False) == "engaged"
    assert r.stage_for(score=5, breadth=0, has_won=False, has_open=False) == "unaware"
    assert StageRule("x", "X", min_score=1).matches(score=1, breadth=0, has_won=False, has_open=False)
