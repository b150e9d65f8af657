"""ICP maths: bands give partial points, the first matching band wins, grades follow thresholds, bad input is named."""

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from accounts.prospecting.frame import accounts_frame
from accounts.prospecting.icp import fit_score, icp_validate

SEED_003 = [
    {
        "key": "territory",
        "label": "Territory and size",
        "weight": 60,
        "bands": [
            {
                "label": "North-east, 10-50 people",
                "points": 1.0,
                "when": {"country": ["US"], "region": ["NY", "MA"], "employees": {"min": 10, "max": 50}},
            },
            {"label": "Rest of the US", "points": 0.5, "when": {"country": ["US"]}},
        ],
    },
    {
        "key": "stack",
        "label": "Complementary tool",
        "weight": 40,
        "bands": [
            {"label": "Uses Slack", "points": 1.0, "when": {"technologies": {"any": ["slack"]}}},
        ],
    },
]


def _frame(*rows):
    base = dict(
        id=0,
        industry="",
        country="",
        region="",
        city="",
        employees=None,
        annual_revenue=None,
        founded_year=None,
        ownership_type="",
        number_of_offices=None,
        technologies=[],
        lifecycle="prospect",
        trigger_event_date=None,
        fit_score=None,
        priority=None,
        tier="standard",
        tier_locked=False,
    )
    return accounts_frame([base | {"id": i + 1} | r for i, r in enumerate(rows)])


def test_bands_give_full_partial_or_no_points_and_explain_each_criterion():
    criteria, thresholds = icp_validate(SEED_003)
    frame = _frame(
        {"country": "US", "region": "NY", "employees": 30, "technologies": ["Slack"]},
        {"country": "US", "region": "TX", "employees": 30},
        {"country": "DE", "employees": 30, "technologies": ["Slack"]},
        {"country": "US", "region": "MA", "employees": None},
    )

    result = fit_score(frame, criteria, thresholds)

    assert result.score.tolist() == [100.0, 30.0, 40.0, 30.0]
    assert result.grade.tolist() == ["A", "E", "D", "E"]
    assert result.explanation(criteria, 0) == [
        ["territory", "North-east, 10-50 people", 60.0],
        ["stack", "Uses Slack", 40.0],
    ]
    assert result.explanation(criteria, 2) == [["territory", None, 0.0], ["stack", "Uses Slack", 40.0]]
    assert result.met_mask.tolist() == [0b11, 0b01, 0b10, 0b01]


def test_absent_technology_and_numeric_bands_and_custom_grades():
    criteria, thresholds = icp_validate(
        [
            {
                "key": "no_competitor",
                "weight": 1,
                "bands": [{"label": "No Marketo", "when": {"technologies": {"none": ["Marketo"]}}}],
            },
            {
                "key": "revenue",
                "weight": 1,
                "bands": [
                    {"label": "Big", "when": {"annual_revenue": {"min": 1e9}}},
                    {"label": "Mid", "points": 0.5, "when": {"annual_revenue": {"min": 1e8}}},
                ],
            },
        ],
        {"A": 90, "B": 80, "C": 70, "D": 60, "E": 50},
    )
    frame = _frame({"technologies": ["Marketo"], "annual_revenue": 2e9}, {"annual_revenue": 5e8}, {})

    result = fit_score(frame, criteria, thresholds)

    assert result.score.tolist() == [50.0, 75.0, 50.0]
    assert result.grade.tolist() == ["E", "C", "E"]


@pytest.mark.parametrize(
    "criteria, message",
    [
        ([{"key": "x", "weight": 1, "bands": [{"when": {"colour": ["red"]}}]}], "Unknown attribute"),
        ([{"key": "x", "weight": 0, "bands": [{"when": {"industry": ["A"]}}]}], "weight"),
        ([{"key": "x", "weight": 1, "bands": [{"points": 2, "when": {"industry": ["A"]}}]}], "points"),
        ([{"key": "x", "weight": 1, "bands": [{"when": {"employees": {"min": 9, "max": 1}}}]}], "min is above max"),
        ([{"key": "x", "weight": 1, "bands": [{"when": {"technologies": ["a"]}}]}], "technologies"),
        ([{"key": "Bad Key", "weight": 1, "bands": [{"when": {"industry": ["A"]}}]}], "key"),
        ({"key": "x"}, "list of criteria"),
    ],
)
def test_invalid_criteria_are_rejected_with_a_message(criteria, message):
    with pytest.raises(ValidationError) as exc:
        icp_validate(criteria)

    assert message in " ".join(exc.value.messages)


def test_scoring_is_vectorised_over_many_accounts():
    criteria, thresholds = icp_validate(SEED_003)
    frame = _frame(*[{"country": "US", "region": "NY", "employees": 20}] * 5000)

    result = fit_score(frame, criteria, thresholds)

    assert np.all(result.score == 60.0) and len(result.grade) == 5000
