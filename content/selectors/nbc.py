"""Next-best content reads: a fixed number of queries per account, whatever the size of the workspace.

Queries: the settings (1), the assets with their personas (2), the performance rows of the account's stage
and the overall rows (1), the workspace prior (1), the committee (1) and what it already consumed (1).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, Sum

from abe.models import Workspace
from abe.templatetags.abe_tags import stage_label
from accounts.models import Account, Contact

from .. import hooks
from ..models import AssetPerformance, BuyingStage, ContentAsset, ContentSettings, Effort
from ..ranking import DEFAULT_PRIOR_RATE, AssetFacts, Suggestion, rank_for_contact


def content_settings(*, workspace: Workspace) -> ContentSettings:
    """The workspace's content settings (an unsaved default when nobody changed them)."""
    found = ContentSettings.objects.for_workspace(workspace).first()
    return found or ContentSettings(workspace=workspace)


def asset_facts(*, workspace: Workspace) -> list[AssetFacts]:
    return [
        AssetFacts(
            id=a.pk,
            title=a.title,
            stage=a.stage,
            effort=a.effort,
            personas=frozenset(p.pk for p in a.personas.all()),
            tiers=tuple(a.tiers or ()),
        )
        for a in ContentAsset.objects.for_workspace(workspace).prefetch_related("personas").order_by("title", "pk")
    ]


def prior_rate(*, workspace: Workspace) -> float:
    """Share of reached accounts that moved, over every asset (the prior for assets with no results)."""
    totals = (
        AssetPerformance.objects.for_workspace(workspace)
        .filter(persona_key=0, stage="")
        .aggregate(reached=Sum("accounts_reached"), moved=Sum("accounts_moved"))
    )
    if not totals["reached"]:
        return DEFAULT_PRIOR_RATE
    return float(totals["moved"]) / float(totals["reached"])


@dataclass
class ContactSuggestions:
    contact: Contact
    suggestions: list[Suggestion]
    excluded_reason: str = ""


@dataclass
class AccountSuggestions:
    account: Account
    content_stage: str
    allowed_effort: str
    contacts: list[ContactSuggestions]

    @property
    def content_stage_label(self) -> str:
        """The content stage as people read it ("After the sale"), not its key."""
        return str(dict(BuyingStage.choices).get(self.content_stage, self.content_stage))

    @property
    def allowed_effort_label(self) -> str:
        return str(dict(Effort.choices).get(self.allowed_effort, self.allowed_effort))

    @property
    def rolled_up(self) -> list[tuple[Suggestion, Contact]]:
        """Every suggestion of the committee, best first (an asset may suit several people)."""
        pairs = [(s, c.contact) for c in self.contacts for s in c.suggestions]
        return sorted(pairs, key=lambda p: (-p[0].score, p[0].asset.title, p[1].pk))


def next_best_content(
    *,
    account: Account,
    contact_id: int | None = None,
    limit: int = 3,
    settings: ContentSettings | None = None,
    assets: list[AssetFacts] | None = None,
    prior: float | None = None,
    top_stage: str | None = None,
) -> AccountSuggestions:
    """``top_stage``: the top journey stage's key (read from the workspace's stages when not given)."""
    workspace = account.workspace
    settings = settings or content_settings(workspace=workspace)
    assets = assets if assets is not None else asset_facts(workspace=workspace)
    prior = prior if prior is not None else prior_rate(workspace=workspace)
    stage = account.journey_stage
    if top_stage is None:
        stages = hooks.journey_stages(workspace=workspace)
        top_stage = stages[0][0] if stages else ""
    perf = {
        (asset_id, persona_key, st): (reached, moved)
        for asset_id, persona_key, st, reached, moved in AssetPerformance.objects.for_workspace(workspace)
        .filter(Q(stage=stage) | Q(stage="", persona_key=0))
        .values_list("asset_id", "persona_key", "stage", "accounts_reached", "accounts_moved")
    }
    contacts_qs = Contact.objects.for_workspace(workspace).filter(account=account).select_related("persona")
    if contact_id is not None:
        contacts_qs = contacts_qs.filter(pk=contact_id)
    contacts = list(contacts_qs.order_by("last_name", "first_name", "pk"))
    reachable = [c for c in contacts if not c.do_not_contact and c.left_at is None]
    consumed = hooks.consumed_assets(workspace=workspace, contact_ids=[c.pk for c in reachable])
    content_stage = settings.content_stage(stage)
    allowed = settings.allowed_effort(account.tier)
    result = []
    for c in contacts:
        if c.do_not_contact:
            result.append(ContactSuggestions(contact=c, suggestions=[], excluded_reason="Marked do not contact."))
            continue
        if c.left_at is not None:
            result.append(ContactSuggestions(contact=c, suggestions=[], excluded_reason="Left the company."))
            continue
        suggestions = rank_for_contact(
            assets=assets,
            persona=c.persona_id,
            persona_name=c.persona.name if c.persona else "No persona",
            tier=account.tier,
            journey_stage=stage,
            journey_stage_name=stage_label(stage),
            content_stage=content_stage,
            allowed_effort=allowed,
            consumed=consumed.get(c.pk, set()),
            perf=perf,
            prior_rate=prior,
            prior_weight=settings.prior_weight,
            limit=limit,
            top_stage=stage == top_stage,
        )
        result.append(ContactSuggestions(contact=c, suggestions=suggestions))
    return AccountSuggestions(account=account, content_stage=content_stage, allowed_effort=allowed, contacts=result)


@dataclass
class PerformanceRow:
    asset: ContentAsset
    persona_name: str
    stage: str
    row: AssetPerformance


def asset_performance_table(*, workspace: Workspace, asset_id: int | None = None) -> list[AssetPerformance]:
    qs = (
        AssetPerformance.objects.for_workspace(workspace)
        .select_related("asset")
        .order_by("asset__title", "persona_key", "stage")
    )
    if asset_id is not None:
        qs = qs.filter(asset_id=asset_id)
    return list(qs)
