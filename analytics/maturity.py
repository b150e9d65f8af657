"""The ABM maturity grid (seed 004): 5 stages x 5 dimensions, with descriptors and the step to the next stage.

Plain data and maths, no database: the questionnaire, the evidence rules and the "is account-based selling
for us?" verdict (seed 001) are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STAGES: list[tuple[int, str]] = [(1, "Aware"), (2, "Defining"), (3, "Early"), (4, "Mature"), (5, "Advanced")]
STAGE_NAMES = dict(STAGES)


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    descriptors: tuple[str, str, str, str, str]  # what stage 1..5 looks like


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "data_accounts",
        "Data & accounts",
        (
            "Identifying which kinds of accounts and key characteristics make sense for the business.",
            "Accounts selected jointly by marketing, sales, support and services.",
            "Predictive models and/or intent data refine the selection; "
            "contact data for the target accounts' buyers is checked.",
            "A mature selection process with enrichment and data hygiene; "
            "account-based work extends to cross-sell, up-sell and retention.",
            "Account selection is dynamic (it adjusts with engagement) and drives the whole company's go-to-market.",
        ),
    ),
    Dimension(
        "content",
        "Messages & content",
        (
            "Identifying personas and content gaps: is there relevant content for every persona?",
            "Developing and re-purposing content for key buyers, with more personalisation.",
            "Content for every persona, personalised and delivered at the right moment.",
            "Personalised content for every persona at the right time, across the journey.",
            "New account-specific content every month for each buying group, updated with sales from measured results.",
        ),
    ),
    Dimension(
        "programs",
        "Programs",
        (
            "Identifying the best channels and programs.",
            "Some digital programs and the basic program concepts.",
            "Programs optimised for the different personas (channel, timing).",
            "A mix of digital and offline programs (e.g. web personalisation and direct mail).",
            "Account-centred programs across the whole buying cycle, uniting every sales and marketing effort.",
        ),
    ),
    Dimension(
        "metrics",
        "Metrics",
        (
            "Making sure each lifecycle stage can be measured; account activity is tracked in the CRM and automation.",
            "Engagement per account, click-through, inquiries and MQAs in tier-1 targets are tracked.",
            "Meetings with the right people, velocity, and opportunity creation in target accounts are tracked.",
            "KPIs are met: revenue won in target accounts, cross-sell, up-sell and renewal.",
            "Return on the programme is measured at account and buying-group level and steers investment.",
        ),
    ),
    Dimension(
        "team",
        "Team",
        (
            "Identifying the key players and the sales champion.",
            "Buy-in of the stakeholders across the organisation.",
            "Tight synchronisation with the sales development reps and the sales team.",
            "Tight synchronisation across teams and regions: SDRs, sales, support, services.",
            "Sales, marketing and customer success work as one account team under a single leadership.",
        ),
    ),
)
DIMENSION_KEYS = tuple(d.key for d in DIMENSIONS)


def next_step(dimension: Dimension, stage: int) -> str:
    """What to do to reach the next stage: the next stage's descriptor (or how to stay at the top)."""
    if stage >= 5:
        return "Keep it: review yearly that this still holds as the team and the market change."
    return f"To reach {STAGE_NAMES[stage + 1]}: {dimension.descriptors[stage]}"


def validate_stages(stages: Any) -> dict[str, int]:
    """``{dimension: 1..5}`` for all five dimensions, or a ValueError naming what is wrong."""
    if not isinstance(stages, dict):
        raise ValueError("An object with a stage from 1 to 5 for each dimension.")
    missing = [key for key in DIMENSION_KEYS if key not in stages]
    unknown = [key for key in stages if key not in DIMENSION_KEYS]
    if missing or unknown:
        raise ValueError(
            f"Give a stage for exactly these dimensions: {', '.join(DIMENSION_KEYS)}"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    out: dict[str, int] = {}
    for key in DIMENSION_KEYS:
        value = stages[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValueError(f"{key}: a whole number from 1 (Aware) to 5 (Advanced).")
        out[key] = value
    return out


# "Is account-based selling for us?" (seed 001): five questions, each answered from the data where possible.
FIT_DEAL_SIZE = 50_000
FIT_STAKEHOLDERS = 4
FIT_CYCLE_DAYS = 90
FIT_LARGE_EMPLOYEES = 1000


def fit_verdict(
    *,
    median_employees: float | None,
    mean_deal: float | None,
    mean_stakeholders: float | None,
    mean_cycle_days: float | None,
    expansion_share: float | None,
) -> dict[str, Any]:
    """Each criterion as yes / no / unknown with the figure behind it, and an explained verdict."""

    def answer(value: float | None, ok: bool) -> str:
        return "unknown" if value is None else ("yes" if ok else "no")

    criteria = [
        {
            "key": "large_customers",
            "question": "Do you sell to large companies rather than small ones?",
            "value": median_employees,
            "threshold": f"median ≥ {FIT_LARGE_EMPLOYEES:,} employees",
            "answer": answer(median_employees, (median_employees or 0) >= FIT_LARGE_EMPLOYEES),
        },
        {
            "key": "deal_size",
            "question": "Is the average deal above $50k?",
            "value": mean_deal,
            "threshold": f"≥ ${FIT_DEAL_SIZE:,}",
            "answer": answer(mean_deal, (mean_deal or 0) >= FIT_DEAL_SIZE),
        },
        {
            "key": "stakeholders",
            "question": "Are many stakeholders involved per deal?",
            "value": mean_stakeholders,
            "threshold": f"≥ {FIT_STAKEHOLDERS} known contacts per account with a deal",
            "answer": answer(mean_stakeholders, (mean_stakeholders or 0) >= FIT_STAKEHOLDERS),
        },
        {
            "key": "sales_cycle",
            "question": "Does the sales cycle last 3 months or more?",
            "value": mean_cycle_days,
            "threshold": f"≥ {FIT_CYCLE_DAYS} days",
            "answer": answer(mean_cycle_days, (mean_cycle_days or 0) >= FIT_CYCLE_DAYS),
        },
        {
            "key": "room_to_grow",
            "question": "Subscription with room to grow (cross-sell, up-sell, renewal)?",
            "value": expansion_share,
            "threshold": "≥ 20% of won deals are expansion or renewal",
            "answer": answer(expansion_share, (expansion_share or 0) >= 0.2),
        },
    ]
    yes = sum(1 for c in criteria if c["answer"] == "yes")
    known = sum(1 for c in criteria if c["answer"] != "unknown")
    if known < 3:
        verdict, text = "unknown", "Not enough data yet: add accounts, contacts and closed deals to answer."
    elif yes >= 4:
        verdict, text = "yes", f"{yes} of 5 signs point to account-based selling: large, complex, long, growing deals."
    elif yes >= 2:
        verdict, text = (
            "partly",
            (
                f"{yes} of 5 signs: start small with a 'tiger team' on the best-fit accounts "
                "and measure before widening."
            ),
        )
    else:
        verdict, text = "no", f"Only {yes} of 5 signs: a high-volume approach probably fits better for now."
    return {"verdict": verdict, "explanation": text, "criteria": criteria, "yes": yes, "known": known}


ROLLOUT_STEPS: tuple[str, ...] = (
    "Review your best customers",
    "Define the ideal customer profile (ICP)",
    "Define the buyer personas",
    "Develop a content strategy",
    "Build the target account list",
    "Segment the accounts into tiers",
    "Assign a third of the sales development team to target accounts (30%)",
    "Decide which metrics to track",
    "Move the next 20% of the team to account-based selling (50%)",
    "Analyse the content strategy: what to replicate, where to correct course",
    "Move the next 25% of the team (75%)",
    "Review the key metrics",
    "Move the last 15% of the team (100%)",
)
ROLLOUT_STAGES = (0.30, 0.50, 0.75, 1.00)


def rollout_stage(share: float | None) -> dict[str, Any]:
    """Which of the 30/50/75/100% stages the share of the sales team on target accounts has reached."""
    if share is None:
        return {"share": None, "reached": None, "next": ROLLOUT_STAGES[0]}
    reached = max((s for s in ROLLOUT_STAGES if share >= s - 1e-9), default=None)
    following = next((s for s in ROLLOUT_STAGES if share < s - 1e-9), None)
    return {"share": share, "reached": reached, "next": following}
