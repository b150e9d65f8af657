"""Demo content library: seed 001's content by stage and effort."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection

from abe.demo import DemoContext
from abe.models import Workspace
from accounts.models import Account, Lifecycle, Tier
from personas.committee import DEFAULT_REQUIREMENTS
from personas.services import committee_template_save

from .models import ContentAsset, CustomerResult, OutreachTemplate, Play, PlayStep

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


# More of seed 001's content by stage and effort, one per persona-stage pair: ~60 assets in all.
SERIES = [
    ("Checklist: {p} priorities for {y}", "infographic", "prospecting", "low"),
    ("{p} guide: building the business case", "report", "engagement", "low"),
    ("Customer story for the {p}", "case_study", "engagement", "low"),
    ("Two-minute video for the {p}", "video", "prospecting", "low"),
    ("Topic workshop for the {p}", "workshop", "activation", "medium"),
    ("Personalised benchmark for the {p}", "report", "activation", "medium"),
    ("Quarterly value review for the {p}", "report", "post_sale", "low"),
]
SERIES_PERSONAS = [
    "CMO",
    "Sales director",
    "Finance director",
    "CIO",
    "Sales-ops rep",
    "Marketing specialist",
    "Procurement lead",
]

TEMPLATES = [
    (
        "Seed: struggling with a challenge",
        "{{ contact.first_name }}, a thought on {{ account.name }}",
        "{{ contact.first_name }}, is {{ account.name }} struggling with {{ persona.challenge }}?\n\n"
        "Here's how {{ similar.name }} achieved {{ similar.result }}.\n\nWorth 20 minutes?\n{{ owner.full_name }}",
    ),
    (
        "Goal-led introduction",
        "{{ persona.goal }} at {{ account.name }}",
        "Hi {{ contact.first_name }},\n\nMost {{ persona.name }}s we work with want {{ persona.goal }}. "
        "{{ similar.name }} ({{ similar.industry }}) got there: {{ similar.result }}.\n\n{{ owner.first_name }}",
    ),
    (
        "Economic buyer: ROI",
        "The numbers behind {{ similar.name }}'s result",
        "{{ contact.first_name }},\n\nAs {{ contact.title }} you will want the business case first. "
        "{{ similar.name }} reports {{ similar.result }}. I can build the same model for {{ account.name }}.\n\n"
        "{{ owner.full_name }} ({{ owner.email }})",
    ),
    (
        "Event follow-up",
        "Good to meet you, {{ contact.first_name }}",
        "Thanks for stopping by, {{ contact.first_name }}. You mentioned {{ persona.challenge }}; "
        "here is the short version of how we help {{ account.industry }} teams.\n\n{{ owner.first_name }}",
    ),
    (
        "Champion check-in",
        "Anything I can prepare for {{ account.name }}?",
        "Hi {{ contact.first_name }}, is there anything you need for the internal discussion at {{ account.name }}? "
        "Happy to send slides for your colleagues.\n\n{{ owner.full_name }}",
    ),
]

RESULTS = [
    "40% more pipeline from target accounts in two quarters",
    "a 30% shorter sales cycle",
    "twice the meeting rate with executives",
    "€1.2M of influenced pipeline in year one",
]


def _assets(ctx: DemoContext) -> int:
    personas = ctx.data.get("personas", {})
    rows = [(t, f, st, e, tiers, names) for t, f, st, e, tiers, names in ASSETS]
    for name in SERIES_PERSONAS:
        for title, fmt, stage, effort in SERIES:
            tiers = ["strategic", "priority"] if effort == "medium" else []
            rows.append((title.format(p=name, y=ctx.today.year), fmt, stage, effort, tiers, [name]))
    assets = ContentAsset.objects.bulk_create(
        [
            ContentAsset(
                workspace=ctx.workspace,
                title=title,
                format=fmt,
                stage=stage,
                effort=effort,
                tiers=tiers,
                url="https://content.demo.example/" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60],
            )
            for title, fmt, stage, effort, tiers, _ in rows
        ]
    )
    Through = ContentAsset.personas.through
    Through.objects.bulk_create(
        [
            Through(contentasset_id=asset.pk, persona_id=personas[n].pk)
            for asset, row in zip(assets, rows, strict=True)
            for n in row[5]
            if n in personas
        ]
    )
    return len(assets)


def _committee_map(ctx: DemoContext) -> None:
    """Influence and stance by role, reports-to (everyone to the economic buyer, who reports to the decision
    maker), and about 1% of people who left: set-based UPDATEs, fast on PostgreSQL and SQLite."""
    ws = ctx.workspace.pk
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE accounts_contact SET
              influence = CASE buying_role WHEN 'decision_maker' THEN 'high' WHEN 'economic_buyer' THEN 'high'
                          WHEN 'champion' THEN 'medium' WHEN 'technical_evaluator' THEN 'medium'
                          WHEN 'blocker' THEN 'medium' ELSE 'low' END,
              stance = CASE WHEN buying_role = 'champion' THEN 'champion'
                            WHEN id %% 7 = 0 THEN 'detractor' WHEN id %% 3 = 0 THEN 'supporter' ELSE 'neutral' END,
              left_at = CASE WHEN id %% 97 = 0 THEN %s ELSE NULL END
            WHERE workspace_id = %s
            """,
            [ctx.today - timedelta(days=40), ws],
        )
        # The heads of each committee go to a temporary table first: a correlated subquery over a GROUP BY is
        # recomputed per row on SQLite (quadratic: 30 s for the demo's 11,675 contacts).
        cursor.execute("DROP TABLE IF EXISTS demo_committee_heads")
        cursor.execute(
            """
            CREATE TEMP TABLE demo_committee_heads AS
            SELECT account_id,
                   MIN(CASE WHEN buying_role = 'decision_maker' THEN id END) AS dm,
                   MIN(CASE WHEN buying_role = 'economic_buyer' THEN id END) AS eb
            FROM accounts_contact WHERE workspace_id = %s GROUP BY account_id
            """,
            [ws],
        )
        cursor.execute("CREATE INDEX demo_committee_heads_account ON demo_committee_heads (account_id)")
        cursor.execute(
            """
            UPDATE accounts_contact SET reports_to_id = (
              SELECT CASE WHEN accounts_contact.buying_role = 'economic_buyer' THEN h.dm
                          WHEN accounts_contact.buying_role = 'decision_maker' THEN NULL
                          ELSE COALESCE(h.eb, h.dm) END
              FROM demo_committee_heads h
              WHERE h.account_id = accounts_contact.account_id)
            WHERE workspace_id = %s
            """,
            [ws],
        )
        cursor.execute("DROP TABLE demo_committee_heads")


def build(ctx: DemoContext) -> str:
    count = _assets(ctx)
    for tier in ("strategic", "priority", "standard"):
        committee_template_save(
            workspace=ctx.workspace,
            tier=tier,
            requirements=DEFAULT_REQUIREMENTS[tier],
            engaged_days=30 if tier != "standard" else 45,
        )
    _committee_map(ctx)
    owner = ctx.users.get("sales")
    for name, subject, body in TEMPLATES:
        OutreachTemplate.objects.create(
            workspace=ctx.workspace, name=name, subject=subject, body=body, created_by=ctx.users.get("marketing")
        )
    customers = list(
        Account.objects.for_workspace(ctx.workspace).filter(lifecycle=Lifecycle.CUSTOMER).order_by("pk")[:60]
    )
    CustomerResult.objects.bulk_create(
        [
            CustomerResult(workspace=ctx.workspace, account=a, result=RESULTS[i % len(RESULTS)])
            for i, a in enumerate(customers)
        ]
    )
    ctx.data["demo_template_owner"] = owner
    return (
        f"{count} content assets, committee templates, influence/stance/reports-to on the committees, "
        f"{len(TEMPLATES)} outreach templates, {len(customers)} customer results"
    )


def after_engagement(ctx: DemoContext) -> str:
    """Plays need journey stages, so the engagement demo calls this once scores and stages exist."""
    from .services.plays import play_create, play_enrol, play_steps_schedule

    ws = ctx.workspace
    assets = {a.title: a for a in ContentAsset.objects.for_workspace(ws)}
    templates = {t.name: t for t in OutreachTemplate.objects.for_workspace(ws)}
    executive = play_create(
        workspace=ws,
        name="Strategic executive sequence",
        exit_stage="opportunity",
        by=ctx.users.get("marketing"),
        description="1:1 outreach to the economic buyer and decision maker of strategic accounts (seed 001).",
        steps=[
            {
                "title": "Email the champion: the challenge",
                "day_offset": 0,
                "channel": "email",
                "target_role": "champion",
                "template": templates.get("Seed: struggling with a challenge"),
            },
            {
                "title": "Send the ROI case to the economic buyer",
                "day_offset": 3,
                "channel": "email",
                "target_role": "economic_buyer",
                "asset": assets.get("ROI business case template"),
                "template": templates.get("Economic buyer: ROI"),
                "owner_role": "account_executive",
            },
            {
                "title": "Call the decision maker",
                "day_offset": 7,
                "channel": "phone",
                "target_role": "decision_maker",
                "owner_role": "account_executive",
            },
            {
                "title": "Invite to the on-site workshop",
                "day_offset": 14,
                "channel": "events",
                "target_role": "decision_maker",
                "asset": assets.get("On-site ABM strategy workshop"),
            },
        ],
    )
    multi = play_create(
        workspace=ws,
        name="Priority multi-touch by persona",
        exit_stage="mqa",
        by=ctx.users.get("marketing"),
        description="Tier 2: personalised by industry and persona, multi-week, multi-touch (seed 001).",
        steps=[
            {
                "title": "Benchmark report to the technical evaluator",
                "day_offset": 0,
                "channel": "email",
                "target_role": "technical_evaluator",
                "asset": assets.get("ABM benchmark report 2026"),
                "owner_role": "sdr",
            },
            {
                "title": "Goal-led email to the influencer",
                "day_offset": 5,
                "channel": "email",
                "target_role": "influencer",
                "template": templates.get("Goal-led introduction"),
                "owner_role": "sdr",
            },
            {
                "title": "Account-only webinar invitation",
                "day_offset": 12,
                "channel": "webinar",
                "asset": assets.get("Account-only webinar: scoring that sales trusts"),
            },
        ],
    )
    if ctx.language == "es":  # named in Spanish before enrolment, so the step tasks read Spanish too
        _plays_in_spanish(ws)
    first_title = executive.steps.order_by("day_offset", "id").values_list("title", flat=True).first() or ""
    accounts = Account.objects.for_workspace(ws).exclude(owner=None)
    # Accounts before the play's exit stage (Opportunity): one at or past it is not enrolled.
    strategic = list(
        accounts.filter(tier=Tier.STRATEGIC).exclude(journey_stage__in=["opportunity", "customer"]).order_by("pk")[:12]
    )
    priority = list(accounts.filter(tier=Tier.PRIORITY, journey_stage__in=["aware", "engaged"]).order_by("pk")[:20])
    enrolled = play_enrol(play=executive, accounts=strategic, today=ctx.today - timedelta(days=8)).enrolled
    enrolled += play_enrol(play=multi, accounts=priority, today=ctx.today - timedelta(days=6)).enrolled
    created = play_steps_schedule(workspace=ws, today=ctx.today)["created"]
    # A few first steps already done, so the report and the timelines show progress.
    from work.models import Task, TaskStatus
    from work.services import task_complete

    first_steps = Task.objects.for_workspace(ws).filter(
        source="play", status=TaskStatus.OPEN, title__contains=first_title
    )
    for task in first_steps.order_by("pk")[:5]:
        task_complete(task=task, by=task.assignee, outcome="Sent; waiting for a reply")
    return f"2 plays, {enrolled} enrolled accounts, {created} step tasks"


# ``load_demo --language es``: content titles, outreach templates and plays in Spanish.
SPANISH_TITLES = {
    "Is your team struggling with pipeline from key accounts?": "¿Le cuesta a tu equipo generar pipeline en cuentas clave?",
    "ABM benchmark report 2026": "Informe de referencia ABM 2026",
    "Account-based engagement in 5 minutes": "El engagement basado en cuentas en 5 minutos",
    "The buying committee infographic": "Infografía del comité de compra",
    "Personalised pipeline report for your accounts": "Informe de pipeline personalizado para tus cuentas",
    "Account-only webinar: scoring that sales trusts": "Webinar exclusivo: una puntuación en la que ventas confía",
    "ROI business case template": "Plantilla de caso de negocio (ROI)",
    "Integration deep-dive workshop": "Taller en profundidad sobre integraciones",
    "On-site ABM strategy workshop": "Taller presencial de estrategia ABM",
    "30-day guided trial": "Prueba guiada de 30 días",
    "Executive letter from our CEO": "Carta de nuestro CEO a la dirección",
    "Quarterly executive check-in deck": "Presentación de la reunión ejecutiva trimestral",
    "Admin training session": "Sesión de formación para administradores",
    "Customer summit": "Cumbre de clientes",
}
SPANISH_SERIES = [
    (r"Checklist: (.+) priorities for (\d+)", "Lista de control: prioridades del {0} para {1}"),
    (r"(.+) guide: building the business case", "Guía para el {0}: construir el caso de negocio"),
    (r"Customer story for the (.+)", "Caso de éxito para el {0}"),
    (r"Two-minute video for the (.+)", "Vídeo de dos minutos para el {0}"),
    (r"Topic workshop for the (.+)", "Taller temático para el {0}"),
    (r"Personalised benchmark for the (.+)", "Benchmark personalizado para el {0}"),
    (r"Quarterly value review for the (.+)", "Revisión trimestral de valor para el {0}"),
]
SPANISH_TEMPLATES = {
    "Seed: struggling with a challenge": (
        "Semilla: problemas con un reto",
        "{{ contact.first_name }}, una idea sobre {{ account.name }}",
        "{{ contact.first_name }}, ¿tiene {{ account.name }} problemas con {{ persona.challenge }}?\n\n"
        "Así consiguió {{ similar.name }} {{ similar.result }}.\n\n¿Lo vemos en 20 minutos?\n{{ owner.full_name }}",
    ),
    "Goal-led introduction": (
        "Presentación centrada en el objetivo",
        "{{ persona.goal }} en {{ account.name }}",
        "Hola, {{ contact.first_name }}:\n\nLa mayoría de los perfiles {{ persona.name }} con los que trabajamos "
        "buscan {{ persona.goal }}. {{ similar.name }} ({{ similar.industry }}) lo logró: {{ similar.result }}.\n\n"
        "{{ owner.first_name }}",
    ),
    "Economic buyer: ROI": (
        "Comprador económico: ROI",
        "Las cifras detrás del resultado de {{ similar.name }}",
        "{{ contact.first_name }}:\n\nComo {{ contact.title }} querrás ver primero el caso de negocio. "
        "{{ similar.name }} obtuvo {{ similar.result }}. Puedo construir el mismo modelo para {{ account.name }}.\n\n"
        "{{ owner.full_name }} ({{ owner.email }})",
    ),
    "Event follow-up": (
        "Seguimiento tras un evento",
        "Un placer conocerte, {{ contact.first_name }}",
        "Gracias por pasar por el stand, {{ contact.first_name }}. Mencionaste {{ persona.challenge }}; "
        "aquí va en breve cómo ayudamos a los equipos de {{ account.industry }}.\n\n{{ owner.first_name }}",
    ),
    "Champion check-in": (
        "Seguimiento con el champion",
        "¿Puedo preparar algo para {{ account.name }}?",
        "Hola, {{ contact.first_name }}: ¿necesitas algo para la conversación interna en {{ account.name }}? "
        "Te envío encantado diapositivas para tus colegas.\n\n{{ owner.full_name }}",
    ),
}
SPANISH_PLAYS = {
    "Strategic executive sequence": (
        "Secuencia ejecutiva estratégica",
        "Outreach 1:1 al comprador económico y al decisor de las cuentas estratégicas (semilla 001).",
    ),
    "Priority multi-touch by persona": (
        "Multicontacto prioritario por buyer persona",
        "Nivel 2: personalizado por sector y buyer persona, varias semanas, varios contactos (semilla 001).",
    ),
}
SPANISH_STEPS = {
    "Email the champion: the challenge": "Email al champion: el reto",
    "Send the ROI case to the economic buyer": "Enviar el caso de ROI al comprador económico",
    "Call the decision maker": "Llamar al decisor",
    "Invite to the on-site workshop": "Invitar al taller presencial",
    "Benchmark report to the technical evaluator": "Informe de referencia al evaluador técnico",
    "Goal-led email to the influencer": "Email centrado en el objetivo al influenciador",
    "Account-only webinar invitation": "Invitación al webinar exclusivo",
}


def _spanish_title(title: str) -> str:
    import re

    if title in SPANISH_TITLES:
        return SPANISH_TITLES[title]
    for pattern, spanish in SPANISH_SERIES:
        match = re.fullmatch(pattern, title)
        if match:
            return spanish.format(*match.groups())
    return title


def _plays_in_spanish(ws: Workspace) -> None:
    for play in Play.objects.for_workspace(ws):
        if play.name in SPANISH_PLAYS:
            play.name, play.description = SPANISH_PLAYS[play.name]
            play.save(update_fields=["name", "description"])
    steps = list(PlayStep.objects.for_workspace(ws))
    for step in steps:
        step.title = SPANISH_STEPS.get(step.title, step.title)
    PlayStep.objects.bulk_update(steps, ["title"])


def translate(ctx: DemoContext) -> str:
    """Run by ``load_demo --language es`` after every app's build (cross-references are ids by then)."""
    if ctx.language != "es":
        return "content in English"
    ws = ctx.workspace
    assets = list(ContentAsset.objects.for_workspace(ws))
    for asset in assets:
        asset.title = _spanish_title(asset.title)
    ContentAsset.objects.bulk_update(assets, ["title"])
    for template in OutreachTemplate.objects.for_workspace(ws):
        if template.name in SPANISH_TEMPLATES:
            template.name, template.subject, template.body = SPANISH_TEMPLATES[template.name]
            template.save(update_fields=["name", "subject", "body"])
    _plays_in_spanish(ws)  # done before enrolment already; a no-op then
    return f"{len(assets)} assets, {len(SPANISH_TEMPLATES)} templates, {len(SPANISH_PLAYS)} plays in Spanish"
