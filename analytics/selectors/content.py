"""Content performance by persona and by journey stage, read from content's asset-performance rollup.

The rollup (``content.AssetPerformance``, refreshed set-based by ``engagement.services.content_performance``)
counts each asset's reach over all time and all accounts: one row per asset, persona (0 = all) and stage at the
first touch ("" = all). These tables sum it in the database; a reach is one (asset, account) pair, so an account
reached by two assets counts twice.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet, Sum

from abe.models import Workspace
from content.models import AssetPerformance
from engagement.services.scoring import scoring_rules
from personas.models import Persona

from .. import kpis

MIN_REACH_FOR_RANKING = 5
TOP_ASSETS = 10


def _sums(qs: QuerySet[AssetPerformance], key: str) -> list[dict[str, Any]]:
    return list(
        qs.order_by()
        .values(key)
        .annotate(
            reached=Sum("accounts_reached"),
            contacts=Sum("contacts_reached"),
            engagements=Sum("engagements"),
            moved=Sum("accounts_moved"),
            pipeline=Sum("pipeline_influenced"),
        )
        .order_by(key)
    )


def content_performance(*, workspace: Workspace) -> dict[str, Any]:
    rows = AssetPerformance.objects.for_workspace(workspace)
    names = dict(Persona.objects.for_workspace(workspace).values_list("pk", "name"))
    stage_names = {s.key: s.label for s in scoring_rules(workspace=workspace).stages}
    order = [s.key for s in reversed(scoring_rules(workspace=workspace).stages)]
    by_persona = _sums(rows.filter(stage="").exclude(persona_key=0), "persona_key")
    by_stage = _sums(rows.filter(persona_key=0).exclude(stage=""), "stage")
    by_stage.sort(key=lambda r: order.index(r["stage"]) if r["stage"] in order else len(order))
    top = list(
        rows.filter(persona_key=0, stage="", accounts_reached__gte=MIN_REACH_FOR_RANKING)
        .select_related("asset")
        .order_by("-accounts_moved", "-accounts_reached", "asset__title")[: TOP_ASSETS * 3]
    )
    top.sort(key=lambda p: (-(p.moved_share or 0), -p.accounts_reached, p.asset.title))
    computed = rows.aggregate(at=Max("computed_at"))["at"]
    return {
        "by_persona": [
            {"label": names.get(r["persona_key"], f"Persona {r['persona_key']}"), **r, "share": _share(r)}
            for r in by_persona
        ],
        "by_stage": [{"label": stage_names.get(r["stage"], r["stage"]), **r, "share": _share(r)} for r in by_stage],
        "top": [
            {
                "label": p.asset.title,
                "stage": p.asset.stage,
                "reached": p.accounts_reached,
                "contacts": p.contacts_reached,
                "engagements": p.engagements,
                "moved": p.accounts_moved,
                "pipeline": p.pipeline_influenced,
                "share": p.moved_share,
            }
            for p in top[:TOP_ASSETS]
        ],
        "computed_at": computed,
    }


def _share(row: dict[str, Any]) -> float | None:
    return kpis.ratio(row["moved"] or 0, row["reached"] or 0)
