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


# ``load_demo --language es``: the same committee in Spanish (names, challenges, goals, where they listen).
SPANISH = {
    "CMO": (
        "Director/a de marketing (CMO)",
        "Demostrar la aportación de marketing a los ingresos; datos fragmentados.",
        "Pipeline predecible de las cuentas objetivo.",
        "Informes de analistas, otros CMO, eventos",
    ),
    "Sales director": (
        "Director/a comercial",
        "Cuota no alcanzada en cuentas clave; ciclos largos.",
        "Operaciones más grandes, más rápido.",
        "Colegas, comunidades de ventas",
    ),
    "Sales manager": (
        "Jefe/a de ventas",
        "Comerciales persiguiendo las cuentas equivocadas.",
        "Centrar al equipo en las cuentas que van a comprar.",
        "LinkedIn, webinars",
    ),
    "Marketing specialist": (
        "Especialista de marketing",
        "Listas hechas a mano y operaciones de campaña manuales.",
        "Campañas que llegan a las personas adecuadas.",
        "Blogs, vídeos prácticos",
    ),
    "Sales-ops rep": (
        "Responsable de operaciones de ventas",
        "Datos del CRM desordenados e integraciones rotas.",
        "Datos limpios que fluyen entre herramientas.",
        "Documentación, comunidades",
    ),
    "Finance director": (
        "Director/a financiero/a",
        "Gasto en software sin ROI demostrado.",
        "Un caso de negocio con retorno en menos de un año.",
        "Prensa económica, estudios de ROI",
    ),
    "CIO": (
        "Director/a de sistemas (CIO)",
        "Revisiones de seguridad y exceso de herramientas.",
        "Menos plataformas, mejor integradas.",
        "Informes de analistas, eventos",
    ),
    "Procurement lead": (
        "Responsable de compras",
        "Riesgo de proveedores y condiciones contractuales.",
        "Compras conformes y a tiempo.",
        "Portales de proveedores",
    ),
}


def translate(ctx: DemoContext) -> str:
    """Run by ``load_demo --language es`` after every app's build: the personas' own words in Spanish."""
    if ctx.language != "es":
        return "personas in English"
    for persona in Persona.objects.for_workspace(ctx.workspace):
        if persona.name in SPANISH:
            name, challenges, goals, sources = SPANISH[persona.name]
            persona.name, persona.challenges, persona.goals, persona.information_sources = (
                name,
                challenges,
                goals,
                sources,
            )
            persona.save(update_fields=["name", "challenges", "goals", "information_sources"])
    return f"{len(SPANISH)} personas in Spanish"
