"""Demo key accounts: a product catalogue with margins and contract periods on the demo's deals, account plans
for the strategic accounts (objectives, risks, actions, a review due and one overdue), BANT on open deals,
post-sale check-ins with outcomes, health scores, and sample press entries matched to accounts by the real matcher.

The sample press feed is stored inactive (the demo runs without internet): its entries go through the same
``news_entries_record`` path as a fetched feed, so the matches, trigger events and news alerts are real.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import DateField, DecimalField, ExpressionWrapper, F
from django.db.models.functions import Cast, Mod
from django.utils.translation import gettext_noop

from abe.demo import DemoContext
from abe.texts import label, msg, specs
from accounts.models import Account, Lifecycle, Opportunity, OpportunityStatus, Product, Tier
from work.models import Task, TaskSource, TaskStatus

from .models import (
    AccountPlan,
    AccountPlanChange,
    ActivityKind,
    BantCriterion,
    BantItem,
    BantStatus,
    NewsFeed,
    PlanObjective,
    PlanReview,
    PlanRisk,
    RecurringActivity,
)
from .services.news import news_entries_record, workspace_matcher
from .services.plans import account_plan_review, key_account_settings_get, plan_action_create
from .services.postsale import account_health_compute, plan_reviews_alert_overdue

PRODUCTS = [
    ("Analytics Cloud", "Analytics", 48000),
    ("Analytics Embedded", "Analytics", 22000),
    ("Data Pipeline", "Data platform", 36000),
    ("Governance Suite", "Data platform", 28000),
    ("Premium Support", "Services", 12000),
    ("Training Academy", "Services", 6000),
]

PLANS = [
    (
        "Consolidate reporting on one platform and cut BI licence cost by 25%",
        "Retire two legacy BI tools by year end; roll out self-service dashboards to finance and operations",
        "Legacy contracts renew in Q3; a sceptical IT architecture board",
        "The CFO's cost programme; our renewal",
        "Board decision in 90 days; rollout over two quarters",
    ),
    (
        "Launch a customer-facing data product in the next 12 months",
        "Embed analytics in their partner portal; pilot with three partners",
        "No in-house data engineering team",
        "First-mover advantage against two competitors",
        "Pilot in 60 days, launch in 9 months",
    ),
]


# ``load_demo --language es``: the plans, objectives, risks, actions, evidence and press as a Spanish-speaking team
# would write them (what people type is stored as typed; product names are brand names and stay).
PLANS_ES = [
    (
        "Consolidar los informes en una sola plataforma y reducir un 25 % el coste de licencias de BI",
        "Retirar dos herramientas de BI heredadas antes de fin de año; desplegar cuadros de mando de autoservicio en "
        "finanzas y operaciones",
        "Los contratos heredados se renuevan en el tercer trimestre; un comité de arquitectura de TI escéptico",
        "El programa de costes del director financiero; nuestra renovación",
        "Decisión del consejo en 90 días; despliegue en dos trimestres",
    ),
    (
        "Lanzar un producto de datos para clientes en los próximos 12 meses",
        "Integrar la analítica en su portal de socios; piloto con tres socios",
        "Sin equipo propio de ingeniería de datos",
        "Ventaja de ser los primeros frente a dos competidores",
        "Piloto en 60 días, lanzamiento en 9 meses",
    ),
]
FEED_ERROR = gettext_noop("Demo feed: add a real RSS or Atom feed under Key accounts › Settings.")

TEXTS = {
    "en": {
        "users": "Active users of the platform",
        "users_metric": "users",
        "arr": "Annual recurring revenue",
        "risk": "Champion may move to another role",
        "mitigation": "Build a second relationship with the economic buyer",
        "actions": [
            ("Executive briefing with the sponsor", 7),
            ("Map the EMEA buying committee", 14),
            ("Prepare the quarterly business review deck", -2),
        ],
        "review": "Quarterly business review held with the sponsor.",
        "evidence": {
            "budget": "Budget line approved in the annual plan",
            "authority": "The CFO signs; met in the discovery call",
            "need": "Two legacy tools to retire; pain named by the champion",
            "timeline": "Decision before the Q3 board",
        },
        "outcome": "Sponsor confirmed priorities; expansion to a second unit discussed.",
        "feed": "Sample press feed (demo entries, not fetched)",
        "press": [
            ("{} appoints a new Chief Data Officer", "The company named a CDO to lead its analytics programme."),
            ("{} opens a regional hub in Lisbon", "Expansion into southern Europe with 200 new roles."),
            ("{} reports record quarterly revenue", "Revenue grew 18% year on year."),
            ("{} announces a partnership with a cloud provider", "A multi-year agreement covering data services."),
        ],
        "survey": ("Industry survey: data budgets rise in 2026", "No company named."),
    },
    "es": {
        "users": "Usuarios activos de la plataforma",
        "users_metric": "usuarios",
        "arr": "Ingresos recurrentes anuales",
        "risk": "El champion podría cambiar de puesto",
        "mitigation": "Crear una segunda relación con el comprador económico",
        "actions": [
            ("Reunión ejecutiva con el patrocinador", 7),
            ("Mapear el comité de compra de EMEA", 14),
            ("Preparar la presentación de la revisión trimestral de negocio", -2),
        ],
        "review": "Revisión trimestral de negocio celebrada con el patrocinador.",
        "evidence": {
            "budget": "Partida aprobada en el presupuesto anual",
            "authority": "Firma el director financiero; conocido en la llamada de descubrimiento",
            "need": "Dos herramientas heredadas que retirar; el champion nombró el problema",
            "timeline": "Decisión antes del consejo del tercer trimestre",
        },
        "outcome": "El patrocinador confirmó las prioridades; se habló de ampliar a una segunda unidad.",
        "feed": "Fuente de prensa de ejemplo (entradas de la demo, no descargadas)",
        "press": [
            (
                "{} nombra a un nuevo director de datos",
                "La empresa nombró un CDO para dirigir su programa de analítica.",
            ),
            ("{} abre un centro regional en Lisboa", "Expansión al sur de Europa con 200 nuevos puestos."),
            ("{} presenta ingresos trimestrales récord", "Los ingresos crecieron un 18 % interanual."),
            ("{} anuncia una alianza con un proveedor de nube", "Un acuerdo plurianual que cubre servicios de datos."),
        ],
        "survey": ("Encuesta del sector: los presupuestos de datos suben en 2026", "No se nombra ninguna empresa."),
    },
}


def _texts(ctx: DemoContext) -> dict:
    return TEXTS.get(ctx.language, TEXTS["en"])


def _products(ctx: DemoContext) -> list[Product]:
    return Product.objects.bulk_create(
        [Product(workspace=ctx.workspace, name=n, family=f, list_price=Decimal(p)) for n, f, p in PRODUCTS]
    )


def _revenue_detail(ctx: DemoContext, products: list[Product]) -> int:
    """Products, margins and annual contract periods on the demo's deals (renewals fall due at contract end).

    Set with a few set-based updates (a product per id modulo 6, a margin on 7 deals in 10), not row by row.
    """
    opps = Opportunity.objects.for_workspace(ctx.workspace)
    for i, product in enumerate(products):
        opps.annotate(k=Mod(F("id"), len(products))).filter(k=i).update(product=product)
    opps.annotate(k=Mod(F("id"), 10)).filter(k__lt=7).update(
        gross_margin_pct=Cast(25 + Mod(F("id"), 41), DecimalField(max_digits=5, decimal_places=2))
    )
    won = opps.filter(status=OpportunityStatus.WON, close_date__isnull=False)
    if connection.vendor == "postgresql":
        won.update(
            contract_start=F("close_date"),
            contract_end=ExpressionWrapper(F("close_date") + timedelta(days=365), output_field=DateField()),
        )
    else:  # SQLite's date arithmetic yields text with a time part: do it in Python (the embedded demo is small)
        rows = list(won.only("id", "close_date"))
        for o in rows:
            if o.close_date is not None:
                o.contract_start, o.contract_end = o.close_date, o.close_date + timedelta(days=365)
        Opportunity.objects.bulk_update(rows, ["contract_start", "contract_end"], batch_size=500)
    return opps.count()


def _plans(ctx: DemoContext) -> list[AccountPlan]:
    ws, rng = ctx.workspace, ctx.rng
    key_accounts = list(
        Account.objects.for_workspace(ws).filter(tier=Tier.STRATEGIC, owner__isnull=False).order_by("-priority")[:8]
    )
    if len(key_accounts) < 4:  # the tiering may leave few strategic owners; fall back on the priority tier
        key_accounts += list(
            Account.objects.for_workspace(ws)
            .filter(tier=Tier.PRIORITY, owner__isnull=False)
            .order_by("-priority")[: 8 - len(key_accounts)]
        )
    settings_row = key_account_settings_get(workspace=ws)
    words, written = _texts(ctx), PLANS_ES if ctx.language == "es" else PLANS
    plans = []
    for i, account in enumerate(key_accounts):
        goals, plans_text, challenges, stakes, timeline = written[i % len(written)]
        # Staggered due dates (one overdue, some within 14 days) that follow the tier's cadence: the next review
        # is the last review (or the creation) plus the cadence, exactly as the services compute it.
        cadence = settings_row.review_days(account.tier)
        due = ctx.today + timedelta(days=min([3, -4, 12, 26, 20, 28, 8, 16][i % 8], cadence))
        counted_from = ctx.now - timedelta(days=(ctx.today + timedelta(days=cadence) - due).days)
        reviewed = i % 3 == 0
        created = counted_from - timedelta(days=20 + 10 * i) if reviewed else counted_from
        plan = AccountPlan(
            workspace=ws,
            account=account,
            owner=account.owner,
            created_by=account.owner,
            goals=goals,
            plans=plans_text,
            challenges=challenges,
            stakes=stakes,
            timeline=timeline,
        )
        plan.save()
        AccountPlan.objects.filter(pk=plan.pk).update(created_at=created, next_review_due=due)
        plan.next_review_due = due
        PlanObjective.objects.bulk_create(
            [
                PlanObjective(
                    workspace=ws,
                    plan=plan,
                    title=words["users"],
                    metric=words["users_metric"],
                    baseline=Decimal(120),
                    target=Decimal(600),
                    current=Decimal(rng.randint(150, 450)),
                    due_date=ctx.today + timedelta(days=180),
                ),
                PlanObjective(
                    workspace=ws,
                    plan=plan,
                    title=words["arr"],
                    metric="EUR",
                    baseline=Decimal(200000),
                    target=Decimal(350000),
                    current=Decimal(rng.randint(210, 320) * 1000),
                    due_date=ctx.today + timedelta(days=365),
                ),
            ]
        )
        PlanRisk.objects.create(
            workspace=ws,
            plan=plan,
            title=words["risk"],
            likelihood="medium",
            impact="high",
            mitigation=words["mitigation"],
        )
        for title, offset in words["actions"]:
            plan_action_create(
                plan=plan,
                title=title,
                by=account.owner,
                assignee=account.owner,
                due_date=ctx.today + timedelta(days=offset),
            )
        if reviewed:
            review = account_plan_review(plan=plan, by=account.owner, note=words["review"])
            PlanReview.objects.filter(pk=review.pk).update(reviewed_at=counted_from)
            AccountPlanChange.objects.filter(plan=plan, field="reviewed").update(at=counted_from)
            AccountPlan.objects.filter(pk=plan.pk).update(last_reviewed_at=counted_from, next_review_due=due)
        plans.append(plan)
    return plans


def _bant(ctx: DemoContext) -> int:
    ws, rng = ctx.workspace, ctx.rng
    opps = list(
        Opportunity.objects.for_workspace(ws)
        .filter(status=OpportunityStatus.OPEN, account__tier__in=[Tier.STRATEGIC, Tier.PRIORITY])
        .select_related("account")[:60]
    )
    evidence = _texts(ctx)["evidence"]
    rows = []
    for o in opps:
        known = rng.randint(0, 4)
        for n, criterion in enumerate(BantCriterion.values):
            if n >= known:
                break
            status = BantStatus.CONFIRMED if rng.random() < 0.75 else BantStatus.PARTIAL
            rows.append(
                BantItem(
                    workspace=ws,
                    opportunity=o,
                    criterion=criterion,
                    status=status,
                    evidence=evidence[criterion],
                    checked_on=ctx.today - timedelta(days=rng.randint(1, 40)),
                    checked_by=o.account.owner,
                )
            )
    BantItem.objects.bulk_create(rows)
    return len(rows)


def _post_sale(ctx: DemoContext) -> tuple[int, int]:
    ws, rng = ctx.workspace, ctx.rng
    customers = list(
        Account.objects.for_workspace(ws)
        .filter(lifecycle=Lifecycle.CUSTOMER, tier__in=[Tier.STRATEGIC, Tier.PRIORITY])
        .order_by("-priority")[:25]
    )
    activities, tasks = [], []
    for account in customers:
        activities.append(
            RecurringActivity(
                workspace=ws,
                account=account,
                kind=ActivityKind.EXECUTIVE_CHECK_IN,
                every_days=91,
                next_due=ctx.today + timedelta(days=rng.randint(3, 80)),
                assignee=account.owner,
            )
        )
        # As the scheduler writes them (postsale.recurring_activities_schedule): English plus the key, so each
        # reader sees the title in their own language.
        title = msg(
            gettext_noop("%(activity)s: %(account)s"), activity=label("Executive check-in"), account=account.name
        )
        for back in (91, 182):  # the last two quarterly check-ins: most kept, some missed
            kept = rng.random() < 0.75
            tasks.append(
                Task(
                    workspace=ws,
                    account=account,
                    assignee=account.owner,
                    title=title.english(),
                    texts=specs(title=title),
                    due_date=ctx.today - timedelta(days=back),
                    source=TaskSource.CHECK_IN,
                    source_ref=f"demo-history:{account.pk}:{back}",
                    status=TaskStatus.DONE if kept else TaskStatus.OPEN,
                    completed_at=ctx.now - timedelta(days=back) if kept else None,
                    outcome=_texts(ctx)["outcome"] if kept else "",
                )
            )
    RecurringActivity.objects.bulk_create(activities)
    Task.objects.bulk_create(tasks)
    for account in customers:
        account_health_compute(account=account, now=ctx.now)
    return len(activities), len(customers)


def _news(ctx: DemoContext) -> int:
    ws = ctx.workspace
    names = list(
        Account.objects.for_workspace(ws)
        .filter(tier=Tier.STRATEGIC)
        .order_by("-priority")
        .values_list("name", flat=True)[:4]
    )
    words = _texts(ctx)
    feed = NewsFeed.objects.create(
        workspace=ws,
        url="https://news.example.org/press.rss",
        name=words["feed"],
        is_active=False,
        last_error=FEED_ERROR,  # English, as a real fetch's error is (the API's words)
        # A status the portal writes, like a real fetch's error: each reader's language, not the workspace's.
        texts={"last_error": msg(FEED_ERROR).spec()},
    )
    templates = words["press"]
    entries = [
        {
            "id": f"demo-press-{i}",
            "title": t.format(name),
            "summary": s,
            "link": f"https://news.example.org/{i}",
            "published_at": ctx.now - timedelta(hours=6 + 20 * i),
        }
        for i, (name, (t, s)) in enumerate(zip(names, templates, strict=False))
    ] + [
        {
            "id": "demo-press-x",
            "title": words["survey"][0],
            "summary": words["survey"][1],
            "link": "https://news.example.org/survey",
            "published_at": ctx.now - timedelta(days=2),
        }
    ]
    _, matches = news_entries_record(feed=feed, entries=entries, matcher=workspace_matcher(workspace=ws), now=ctx.now)
    return matches


def build(ctx: DemoContext) -> str:
    products = _products(ctx)
    opps = _revenue_detail(ctx, products)
    plans = _plans(ctx)
    bant = _bant(ctx)
    activities, health = _post_sale(ctx)
    news = _news(ctx)
    alerts = plan_reviews_alert_overdue(workspace=ctx.workspace, now=ctx.now)
    return (
        f"{len(products)} products on {opps} deals, {len(plans)} account plans ({alerts} review overdue), "
        f"{bant} BANT answers, {activities} recurring activities, {health} health scores, {news} news matches"
    )
