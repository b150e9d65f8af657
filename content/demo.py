"""Demo content library: seed 001's content by stage and effort."""

from __future__ import annotations

import re

from abe.demo import DemoContext

from .models import ContentAsset

ASSETS = [
    ("Is your team struggling with pipeline from key accounts?", "email", "prospecting", "low", [], ["Sales director"]),
    ("ABM benchmark report 2026", "report", "prospecting", "low", [], ["CMO", "Marketing specialist"]),
    ("Account-based engagement in 5 minutes", "video", "prospecting", "low", ["standard"], []),
    ("The buying committee infographic", "infographic", "prospecting", "low", [], ["Marketing specialist"]),
    (
        "Personalised pipeline report for your accounts",
        "report",
        "prospecting",
        "medium",
        ["strategic", "priority"],
        ["CMO"],
    ),
    (
        "Account-only webinar: scoring that sales trusts",
        "webinar",
        "engagement",
        "medium",
        ["priority"],
        ["Sales manager"],
    ),
    (
        "ROI business case template",
        "business_case",
        "engagement",
        "medium",
        ["strategic", "priority"],
        ["Finance director"],
    ),
    ("Integration deep-dive workshop", "workshop", "engagement", "medium", [], ["Sales-ops rep", "CIO"]),
    ("On-site ABM strategy workshop", "workshop", "activation", "high", ["strategic"], ["CMO", "Sales director"]),
    ("30-day guided trial", "trial", "activation", "high", ["strategic", "priority"], ["Sales-ops rep"]),
    ("Executive letter from our CEO", "direct_mail", "activation", "medium", ["strategic"], ["CMO", "CIO"]),
    ("Quarterly executive check-in deck", "report", "post_sale", "medium", ["strategic"], ["CMO"]),
    ("Admin training session", "webinar", "post_sale", "low", [], ["Marketing specialist", "Sales-ops rep"]),
    ("Customer summit", "event", "post_sale", "high", [], []),
]


def build(ctx: DemoContext) -> str:
    personas = ctx.data.get("personas", {})
    for title, fmt, stage, effort, tiers, persona_names in ASSETS:
        asset = ContentAsset.objects.create(
            workspace=ctx.workspace,
            title=title,
            format=fmt,
            stage=stage,
            effort=effort,
            tiers=tiers,
            url="https://content.demo.example/" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60],
        )
        asset.personas.set([personas[n] for n in persona_names if n in personas])
    return f"{len(ASSETS)} content assets"
