"""Next-best content, free of the database: which assets fit a contact, and in which order.

An asset **fits** a contact when its content stage is the one mapped to the account's journey stage, it is
meant for the contact's persona (or for every persona), for the account's tier (or every tier), its effort is
within what the tier allows, and the contact has not consumed (or been sent) it already.

Fitting assets are **ranked** by their measured share of reached accounts that moved to a later stage (at the top
stage, customer by default, where there is none: on which a new opportunity was created, an up-sell, cross-sell or
renewal; ``engagement.services.content_performance``), shrunk towards the workspace average with a prior worth
``prior_weight`` accounts::

    score = (moved + prior_weight · prior_rate) / (reached + prior_weight)

so a new asset (nothing reached) scores the average, and one good result out of one does not beat a proven
asset. The most specific measurement is used: this persona at this stage, else every persona at this stage,
else the asset overall. Ties: lower effort first, then title.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from abe import l10n
from abe.labels import ChoiceLabels
from accounts.models import TIER_LABELS

from .models import Effort

EFFORT_RANK = {"low": 0, "medium": 1, "high": 2}
EFFORT_LABELS = ChoiceLabels(Effort)
DEFAULT_PRIOR_RATE = 0.2


@dataclass(frozen=True)
class AssetFacts:
    id: int
    title: str
    stage: str
    effort: str
    personas: frozenset[int]
    tiers: tuple[str, ...]


@dataclass(frozen=True)
class Measured:
    reached: int
    moved: int
    scope: str  # "persona and stage", "stage", "overall"


@dataclass(frozen=True)
class Suggestion:
    asset: AssetFacts
    score: float
    reason: str

    @property
    def effort_label(self) -> str:
        """The asset's effort in the reader's language ("low", "baja")."""
        return EFFORT_LABELS.get(self.asset.effort, self.asset.effort).lower()


def posterior(moved: int, reached: int, *, prior_rate: float, prior_weight: float) -> float:
    return (moved + prior_weight * prior_rate) / (reached + prior_weight)


def measured_for(
    asset_id: int, persona: int | None, stage: str, perf: Mapping[tuple[int, int, str], tuple[int, int]]
) -> Measured | None:
    for key, scope in (
        ((asset_id, persona or 0, stage), "persona and stage"),
        ((asset_id, 0, stage), "stage"),
        ((asset_id, 0, ""), "overall"),
    ):
        if persona is None and scope == "persona and stage":
            continue
        found = perf.get(key)
        if found and found[0] > 0:
            return Measured(reached=found[0], moved=found[1], scope=scope)
    return None


def rank_for_contact(
    *,
    assets: Iterable[AssetFacts],
    persona: int | None,
    persona_name: str,
    tier: str,
    journey_stage: str,
    journey_stage_name: str,
    content_stage: str,
    allowed_effort: str,
    consumed: set[int],
    perf: Mapping[tuple[int, int, str], tuple[int, int]],
    prior_rate: float,
    prior_weight: float,
    limit: int = 3,
    top_stage: bool = False,
) -> list[Suggestion]:
    """``top_stage``: the account is at the top journey stage, where a move is a new opportunity (the reason says
    so)."""
    cap = EFFORT_RANK.get(allowed_effort, 0)
    ranked = []
    for asset in assets:
        if asset.stage != content_stage or asset.id in consumed:
            continue
        if EFFORT_RANK.get(asset.effort, 0) > cap:
            continue
        if asset.tiers and tier not in asset.tiers:
            continue
        if asset.personas and (persona is None or persona not in asset.personas):
            continue
        m = measured_for(asset.id, persona, journey_stage, perf)
        if m is None:
            score = posterior(0, 0, prior_rate=prior_rate, prior_weight=prior_weight)
            reason = gettext(
                "New for this audience: ranked at the workspace average (%(rate)s) until it has results"
            ) % {"rate": l10n.percent(prior_rate)}
        else:
            score = posterior(m.moved, m.reached, prior_rate=prior_rate, prior_weight=prior_weight)
            where = {
                "persona and stage": gettext("%(persona)s at %(stage)s")
                % {"persona": persona_name, "stage": journey_stage_name},
                "stage": gettext("accounts at %(stage)s") % {"stage": journey_stage_name},
                "overall": gettext("accounts overall"),
            }[m.scope]
            figures = {"moved": l10n.number(m.moved), "reached": l10n.number(m.reached), "where": where}
            if top_stage and m.scope != "overall":
                reason = gettext("A new opportunity at %(moved)s of %(reached)s %(where)s after it") % figures
            else:
                reason = gettext("Moved %(moved)s of %(reached)s %(where)s to a later stage") % figures
        fit = (
            gettext("%(persona)s asset") % {"persona": persona_name} if asset.personas else gettext("for every persona")
        )
        reason += gettext("; %(fit)s, %(effort)s effort fits the %(tier)s tier.") % {
            "fit": fit,
            "effort": EFFORT_LABELS.get(asset.effort, asset.effort).lower(),
            "tier": TIER_LABELS.get(tier, tier),
        }
        ranked.append(Suggestion(asset=asset, score=round(score, 4), reason=reason))
    ranked.sort(key=lambda s: (-s.score, EFFORT_RANK.get(s.asset.effort, 0), s.asset.title))
    return ranked[:limit]
