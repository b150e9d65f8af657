"""The ABM maturity grid (seed 004): 5 stages x 5 dimensions, with descriptors and the step to the next stage.

Plain data and maths, no database: the questionnaire, the evidence rules and the "is account-based selling
for us?" verdict (seed 001) are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from abe import l10n

STAGES: list[tuple[int, Any]] = [
    (1, _("Aware")),
    (2, _("Defining")),
    (3, _("Early")),
    (4, _("Mature")),
    (5, _("Advanced")),
]
STAGE_NAMES = dict(STAGES)


@dataclass(frozen=True)
class Dimension:
    key: str
    name: Any  # lazily translated text, as the descriptors
    descriptors: tuple[Any, Any, Any, Any, Any]  # what stage 1..5 looks like


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "data_accounts",
        _("Data & accounts"),
        (
            _("Identifying which kinds of accounts and key characteristics make sense for the business."),
            _("Accounts selected jointly by marketing, sales, support and services."),
            _(
                "Predictive models and/or intent data refine the selection; "
                "contact data for the target accounts' buyers is checked."
            ),
            _(
                "A mature selection process with enrichment and data hygiene; "
                "account-based work extends to cross-sell, up-sell and retention."
            ),
            _("Account selection is dynamic (it adjusts with engagement) and drives the whole company's go-to-market."),
        ),
    ),
    Dimension(
        "content",
        _("Messages & content"),
        (
            _("Identifying personas and content gaps: is there relevant content for every persona?"),
            _("Developing and re-purposing content for key buyers, with more personalisation."),
            _("Content for every persona, personalised and delivered at the right moment."),
            _("Personalised content for every persona at the right time, across the journey."),
            _(
                "New account-specific content every month for each buying group, "
                "updated with sales from measured results."
            ),
        ),
    ),
    Dimension(
        "programs",
        _("Programs"),
        (
            _("Identifying the best channels and programs."),
            _("Some digital programs and the basic program concepts."),
            _("Programs optimised for the different personas (channel, timing)."),
            _("A mix of digital and offline programs (e.g. web personalisation and direct mail)."),
            _("Account-centred programs across the whole buying cycle, uniting every sales and marketing effort."),
        ),
    ),
    Dimension(
        "metrics",
        _("Metrics"),
        (
            _(
                "Making sure each lifecycle stage can be measured; "
                "account activity is tracked in the CRM and automation."
            ),
            _("Engagement per account, click-through, inquiries and MQAs in tier-1 targets are tracked."),
            _("Meetings with the right people, velocity, and opportunity creation in target accounts are tracked."),
            _("KPIs are met: revenue won in target accounts, cross-sell, up-sell and renewal."),
            _("Return on the programme is measured at account and buying-group level and steers investment."),
        ),
    ),
    Dimension(
        "team",
        _("Team"),
        (
            _("Identifying the key players and the sales champion."),
            _("Buy-in of the stakeholders across the organisation."),
            _("Tight synchronisation with the sales development reps and the sales team."),
            _("Tight synchronisation across teams and regions: SDRs, sales, support, services."),
            _("Sales, marketing and customer success work as one account team under a single leadership."),
        ),
    ),
)
DIMENSION_KEYS = tuple(d.key for d in DIMENSIONS)


def next_step(dimension: Dimension, stage: int) -> Any:  # lazily translated text
    """What to do to reach the next stage: the next stage's descriptor (or how to stay at the top)."""
    if stage >= 5:
        return _("Keep it: review yearly that this still holds as the team and the market change.")
    return format_lazy(_("To reach {stage}: {step}"), stage=STAGE_NAMES[stage + 1], step=dimension.descriptors[stage])


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


#: A number grouped the reader's way ("1,000", "1.000"), formatted when the text is rendered.
_number = lazy(l10n.number, str)
#: An amount in the workspace's currency, formatted when the text is rendered.
_money = lazy(l10n.money, str)

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
    """Each criterion as yes / no / unknown with the figure behind it, and an explained verdict. The texts are
    lazy: the page caches this and translates it when it renders, in the reader's language."""

    def answer(value: float | None, ok: bool) -> str:
        return "unknown" if value is None else ("yes" if ok else "no")

    criteria = [
        {
            "key": "large_customers",
            "question": _("Do you sell to large companies rather than small ones?"),
            "value": median_employees,
            "threshold": format_lazy(_("median ≥ {n} employees"), n=_number(FIT_LARGE_EMPLOYEES)),
            "answer": answer(median_employees, (median_employees or 0) >= FIT_LARGE_EMPLOYEES),
        },
        {
            "key": "deal_size",
            "question": _("Is the average deal above $50k?"),
            "value": mean_deal,
            "threshold": format_lazy("≥ {amount}", amount=_money(FIT_DEAL_SIZE)),
            "answer": answer(mean_deal, (mean_deal or 0) >= FIT_DEAL_SIZE),
        },
        {
            "key": "stakeholders",
            "question": _("Are many stakeholders involved per deal?"),
            "value": mean_stakeholders,
            "threshold": format_lazy(_("≥ {n} known contacts per account with a deal"), n=FIT_STAKEHOLDERS),
            "answer": answer(mean_stakeholders, (mean_stakeholders or 0) >= FIT_STAKEHOLDERS),
        },
        {
            "key": "sales_cycle",
            "question": _("Does the sales cycle last 3 months or more?"),
            "value": mean_cycle_days,
            "threshold": format_lazy(_("≥ {n} days"), n=FIT_CYCLE_DAYS),
            "answer": answer(mean_cycle_days, (mean_cycle_days or 0) >= FIT_CYCLE_DAYS),
        },
        {
            "key": "room_to_grow",
            "question": _("Subscription with room to grow (cross-sell, up-sell, renewal)?"),
            "value": expansion_share,
            # xgettext:no-python-format
            "threshold": _("≥ 20% of won deals are expansion or renewal"),
            "answer": answer(expansion_share, (expansion_share or 0) >= 0.2),
        },
    ]
    yes = sum(1 for c in criteria if c["answer"] == "yes")
    known = sum(1 for c in criteria if c["answer"] != "unknown")
    if known < 3:
        verdict, text = "unknown", _("Not enough data yet: add accounts, contacts and closed deals to answer.")
    elif yes >= 4:
        verdict = "yes"
        text = format_lazy(
            _("{yes} of 5 signs point to account-based selling: large, complex, long, growing deals."), yes=yes
        )
    elif yes >= 2:
        verdict = "partly"
        text = format_lazy(
            _(
                "{yes} of 5 signs: start small with a 'tiger team' on the best-fit accounts "
                "and measure before widening."
            ),
            yes=yes,
        )
    else:
        verdict = "no"
        text = format_lazy(_("Only {yes} of 5 signs: a high-volume approach probably fits better for now."), yes=yes)
    return {"verdict": verdict, "explanation": text, "criteria": criteria, "yes": yes, "known": known}


ROLLOUT_STEPS: tuple[Any, ...] = (
    _("Review your best customers"),
    _("Define the ideal customer profile (ICP)"),
    _("Define the buyer personas"),
    _("Develop a content strategy"),
    _("Build the target account list"),
    _("Segment the accounts into tiers"),
    # xgettext:no-python-format
    _("Assign a third of the sales development team to target accounts (30%)"),
    _("Decide which metrics to track"),
    # xgettext:no-python-format
    _("Move the next 20% of the team to account-based selling (50%)"),
    _("Analyse the content strategy: what to replicate, where to correct course"),
    # xgettext:no-python-format
    _("Move the next 25% of the team (75%)"),
    _("Review the key metrics"),
    # xgettext:no-python-format
    _("Move the last 15% of the team (100%)"),
)
ROLLOUT_STAGES = (0.30, 0.50, 0.75, 1.00)


def rollout_stage(share: float | None) -> dict[str, Any]:
    """Which of the 30/50/75/100% stages the share of the sales team on target accounts has reached."""
    if share is None:
        return {"share": None, "reached": None, "next": ROLLOUT_STAGES[0]}
    reached = max((s for s in ROLLOUT_STAGES if share >= s - 1e-9), default=None)
    following = next((s for s in ROLLOUT_STAGES if share < s - 1e-9), None)
    return {"share": share, "reached": reached, "next": following}
