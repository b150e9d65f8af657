"""Demo personas: the marketing-automation buying committee of seed 001, plus IT and procurement."""

from __future__ import annotations

from abe.demo import DemoContext

from .models import Persona

PERSONAS = [
    (
        "CMO",
        "marketing",
        "c_level",
        "decision_maker",
        "Proving marketing's contribution to revenue; fragmented data.",
        "Predictable pipeline from target accounts.",
        "Analyst reports, peer CMOs, events",
        ["events", "email"],
    ),
    (
        "Sales director",
        "sales",
        "director",
        "economic_buyer",
        "Missed quota in key accounts; long cycles.",
        "Bigger deals, faster.",
        "Peers, sales communities",
        ["phone", "email"],
    ),
    (
        "Sales manager",
        "sales",
        "manager",
        "influencer",
        "Reps chasing the wrong accounts.",
        "Focus the team on accounts that will buy.",
        "LinkedIn, webinars",
        ["social", "webinar"],
    ),
    (
        "Marketing specialist",
        "marketing",
        "individual",
        "end_user",
        "Manual list building and campaign ops.",
        "Campaigns that reach the right people.",
        "Blogs, how-to videos",
        ["email", "web"],
    ),
    (
        "Sales-ops rep",
        "sales_ops",
        "individual",
        "technical_evaluator",
        "Messy CRM data and broken integrations.",
        "Clean data flowing between tools.",
        "Documentation, communities",
        ["web", "email"],
    ),
    (
        "Finance director",
        "finance",
        "director",
        "economic_buyer",
        "Software spend without proven ROI.",
        "A business case with payback under a year.",
        "Business press, ROI studies",
        ["email", "direct_mail"],
    ),
    (
        "CIO",
        "it",
        "c_level",
        "decision_maker",
        "Security reviews and tool sprawl.",
        "Fewer, integrated platforms.",
        "Analyst reports, events",
        ["events", "email"],
    ),
    (
        "Procurement lead",
        "procurement",
        "manager",
        "gatekeeper",
        "Vendor risk and contract terms.",
        "Compliant purchases on time.",
        "Vendor portals",
        ["email", "phone"],
    ),
]


def build(ctx: DemoContext) -> str:
    personas = Persona.objects.bulk_create(
        [
            Persona(
                workspace=ctx.workspace,
                name=name,
                department=dept,
                seniority=seniority,
                typical_buying_role=role,
                challenges=challenges,
                goals=goals,
                information_sources=sources,
                preferred_channels=channels,
            )
            for name, dept, seniority, role, challenges, goals, sources, channels in PERSONAS
        ]
    )
    ctx.data["personas"] = {p.name: p for p in personas}
    return f"{len(personas)} personas"
