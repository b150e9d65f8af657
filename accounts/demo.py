"""Demo accounts, buying committees, account teams and opportunity history.

Outcomes are drawn from a logistic model of the firmographics and technographics (``_win_logit``), so the
predictive work has real, learnable signal: software and financial-services companies of 200-5,000 people
in core markets that use a complementary tool win more; competitor users and very small firms win less.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from abe import texts
from abe.bulk import objects_insert, rows_update
from abe.demo import DemoContext
from personas.models import BuyingRole

from .models import (
    Account,
    AccountTeamMember,
    Contact,
    Lifecycle,
    Opportunity,
    OpportunityContact,
    OpportunityStatus,
    OwnershipType,
    TeamRole,
)

ACCOUNTS = 2000
INDUSTRIES = [
    ("Software", 0.20),
    ("Financial Services", 0.14),
    ("Manufacturing", 0.14),
    ("Healthcare", 0.12),
    ("Retail", 0.10),
    ("Telecommunications", 0.07),
    ("Logistics", 0.08),
    ("Energy", 0.06),
    ("Education", 0.05),
    ("Media", 0.04),
]
COUNTRIES = [
    # code, weight, [(region, city)], tld
    (
        "US",
        0.38,
        [
            ("NY", "New York"),
            ("MA", "Boston"),
            ("CA", "San Francisco"),
            ("TX", "Austin"),
            ("IL", "Chicago"),
            ("PA", "Philadelphia"),
            ("WA", "Seattle"),
            ("GA", "Atlanta"),
            ("CO", "Denver"),
            ("NJ", "Newark"),
        ],
        "com",
    ),
    ("GB", 0.12, [("England", "London"), ("England", "Manchester"), ("Scotland", "Edinburgh")], "co.uk"),
    ("DE", 0.10, [("Bavaria", "Munich"), ("Berlin", "Berlin"), ("Hamburg", "Hamburg")], "de"),
    ("ES", 0.09, [("Madrid", "Madrid"), ("Catalonia", "Barcelona"), ("Valencia", "Valencia")], "es"),
    ("FR", 0.08, [("Île-de-France", "Paris"), ("Auvergne-Rhône-Alpes", "Lyon")], "fr"),
    ("CA", 0.07, [("ON", "Toronto"), ("QC", "Montreal"), ("BC", "Vancouver")], "ca"),
    ("BR", 0.06, [("SP", "São Paulo"), ("RJ", "Rio de Janeiro")], "com.br"),
    ("RO", 0.04, [("Bucharest", "Bucharest"), ("Cluj", "Cluj-Napoca")], "ro"),
    ("MX", 0.06, [("CDMX", "Mexico City"), ("Jalisco", "Guadalajara")], "mx"),
]
CORE_MARKETS = {"US", "CA", "GB", "DE"}
COMPLEMENTARY = ["Salesforce", "Snowflake", "Segment", "Slack"]
COMPETITORS = ["Marketo", "Demandbase"]
OTHER_TECH = ["HubSpot", "Google Analytics", "Zendesk", "SAP", "Oracle", "Microsoft Dynamics", "Tableau", "Jira"]
NAME_A = [
    "Blue",
    "North",
    "Bright",
    "Summit",
    "Iron",
    "Silver",
    "Nova",
    "Atlas",
    "Prime",
    "Vertex",
    "Cedar",
    "Harbor",
    "Quantum",
    "Red",
    "Green",
    "Pioneer",
    "Union",
    "Stellar",
    "Crest",
    "Golden",
    "Apex",
    "Clear",
    "River",
    "Oak",
    "Falcon",
    "Polar",
    "Metro",
    "Coastal",
    "Alpine",
    "Lumen",
    "Orbit",
    "Sterling",
    "Vista",
    "Keystone",
    "Horizon",
]
NAME_B = [
    "Labs",
    "Systems",
    "Holdings",
    "Dynamics",
    "Networks",
    "Analytics",
    "Logistics",
    "Health",
    "Energy",
    "Capital",
    "Foods",
    "Robotics",
    "Media",
    "Partners",
    "Works",
    "Industries",
    "Solutions",
    "Bank",
    "Retail",
    "Telecom",
    "Pharma",
    "Motors",
    "Cloud",
    "Data",
    "Learning",
    "Insurance",
    "Freight",
    "Studios",
    "Devices",
    "Materials",
]
FIRST = [
    "James",
    "Mary",
    "Lucía",
    "Ion",
    "Ana",
    "Pedro",
    "Sofia",
    "Liam",
    "Emma",
    "Noah",
    "Olivia",
    "Mateo",
    "Elena",
    "Andrei",
    "Chloé",
    "Lukas",
    "Mia",
    "Hugo",
    "Julia",
    "Diego",
    "Ioana",
    "Tom",
    "Sarah",
    "Raj",
    "Priya",
    "Chen",
    "Yuki",
    "Fatima",
    "Omar",
    "Grace",
    "Daniel",
    "Laura",
    "Marco",
    "Inês",
    "João",
    "Camille",
    "Felix",
    "Nora",
]
LAST = [
    "Smith",
    "García",
    "Popescu",
    "Silva",
    "Müller",
    "Martin",
    "Johnson",
    "Rossi",
    "Brown",
    "Fernández",
    "Ionescu",
    "Santos",
    "Schmidt",
    "Dubois",
    "Williams",
    "López",
    "Costa",
    "Weber",
    "Lee",
    "Patel",
    "Kim",
    "Nguyen",
    "Taylor",
    "Moreau",
    "Jones",
    "Pereira",
    "Wagner",
    "Novak",
    "Díaz",
    "Clark",
    "Hall",
    "Young",
    "Stan",
    "Ruiz",
    "Walker",
]
# title, department, seniority, buying role, persona name
COMMITTEE = [
    ("Chief Marketing Officer", "marketing", "c_level", BuyingRole.DECISION_MAKER, "CMO"),
    ("VP Sales", "sales", "vp", BuyingRole.ECONOMIC_BUYER, "Sales director"),
    ("Sales Director", "sales", "director", BuyingRole.ECONOMIC_BUYER, "Sales director"),
    ("Head of Demand Generation", "marketing", "director", BuyingRole.CHAMPION, "Marketing specialist"),
    ("Sales Manager", "sales", "manager", BuyingRole.INFLUENCER, "Sales manager"),
    ("Marketing Operations Specialist", "marketing", "individual", BuyingRole.END_USER, "Marketing specialist"),
    ("Sales Operations Analyst", "sales_ops", "individual", BuyingRole.TECHNICAL_EVALUATOR, "Sales-ops rep"),
    ("Finance Director", "finance", "director", BuyingRole.ECONOMIC_BUYER, "Finance director"),
    ("Chief Information Officer", "it", "c_level", BuyingRole.DECISION_MAKER, "CIO"),
    ("IT Security Manager", "it", "manager", BuyingRole.BLOCKER, "CIO"),
    ("Procurement Manager", "procurement", "manager", BuyingRole.GATEKEEPER, "Procurement lead"),
    ("Marketing Manager", "marketing", "manager", BuyingRole.INFLUENCER, "Marketing specialist"),
]
STAGES_OPEN = ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Proposal", "Negotiation"]


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _win_logit(account: Account) -> float:
    logit = -0.9
    logit += {"Software": 1.0, "Financial Services": 0.7, "Telecommunications": 0.3, "Healthcare": 0.1}.get(
        account.industry, -0.4
    )
    employees = account.employees or 0
    logit += 0.8 if 200 <= employees <= 5000 else (-0.9 if employees < 50 else 0.0)
    logit += 0.5 if account.country in CORE_MARKETS else -0.2
    techs = set(account.technologies)
    logit += 0.9 if techs & set(COMPLEMENTARY) else 0.0
    logit -= 0.7 if techs & set(COMPETITORS) else 0.0
    return logit


def _company_names(rng, n):
    names: set[str] = set()
    while len(names) < n:
        names.add(f"{rng.choice(NAME_A)} {rng.choice(NAME_B)}" + (f" {rng.choice(NAME_A)}" if len(names) > 900 else ""))
    return sorted(names)


def build(ctx: DemoContext) -> str:
    rng, ws = ctx.rng, ctx.workspace
    reps = [ctx.users[u] for u in ("sales", "ana.ae", "ben.ae")]
    accounts = []
    for i, name in enumerate(_company_names(rng, ACCOUNTS)):
        country, _, places, tld = rng.choices(COUNTRIES, weights=[c[1] for c in COUNTRIES])[0]
        region, city = rng.choice(places)
        employees = int(min(200_000, max(5, rng.lognormvariate(6.0, 1.6))))
        revenue = Decimal(int(employees * rng.uniform(90_000, 350_000) / 1000) * 1000)
        techs = set(rng.sample(OTHER_TECH, rng.randint(0, 3)))
        if rng.random() < 0.45:
            techs.add(rng.choice(COMPLEMENTARY))
        if rng.random() < 0.25:
            techs.add(rng.choice(COMPETITORS))
        slug = "".join(ch for ch in name.lower() if ch.isalnum())
        accounts.append(
            Account(
                workspace=ws,
                name=name,
                domain=f"{slug}.{tld}",
                industry=_weighted(rng, INDUSTRIES),
                country=country,
                region=region,
                city=city,
                employees=employees,
                annual_revenue=revenue,
                founded_year=rng.randint(1950, 2022),
                ownership_type=rng.choice(OwnershipType.values[:4]),
                number_of_offices=max(1, int(employees / rng.randint(150, 900))),
                technologies=sorted(techs),
                owner=reps[i % len(reps)] if rng.random() < 0.8 else None,
                external_id=f"DEMO-ACC-{i + 1:05d}",
            )
        )
    accounts = objects_insert(Account, accounts)
    # A few subsidiaries, to show the hierarchy.
    for child, parent in zip(accounts[10:40], accounts[1900:1930], strict=True):
        child.parent = parent
    rows_update(Account, ["parent"], [(a.pk, a.parent_id) for a in accounts[10:40]])

    personas = ctx.data.get("personas", {})
    contacts, used_emails = [], set()
    for account in accounts:
        size = 3 if (account.employees or 0) < 100 else rng.randint(4, 9)
        for title, dept, seniority, role, persona_name in rng.sample(COMMITTEE, min(size, len(COMMITTEE))):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
            email = f"{local}@{account.domain}"
            n = 2
            while email in used_emails:
                email, n = f"{local}{n}@{account.domain}", n + 1
            used_emails.add(email)
            contacts.append(
                Contact(
                    workspace=ws,
                    account=account,
                    first_name=first,
                    last_name=last,
                    email=email,
                    title=title,
                    department=dept,
                    seniority=seniority,
                    buying_role=role,
                    persona=personas.get(persona_name),
                    do_not_contact=rng.random() < 0.03,
                )
            )
    objects_insert(Contact, contacts)

    team_roles = [TeamRole.ACCOUNT_EXECUTIVE, TeamRole.SDR, TeamRole.MARKETING_SPECIALIST]
    team = []
    for account in accounts[:600]:
        if account.owner is not None:
            team.append(AccountTeamMember(workspace=ws, account=account, user=account.owner, team_role=team_roles[0]))
        team.append(
            AccountTeamMember(workspace=ws, account=account, user=ctx.users["carla.sdr"], team_role=team_roles[1])
        )
        if rng.random() < 0.5:
            team.append(
                AccountTeamMember(workspace=ws, account=account, user=ctx.users["marketing"], team_role=team_roles[2])
            )
    objects_insert(AccountTeamMember, team)

    opportunities, won_accounts, churned = [], set(), set()
    with_history = rng.sample(accounts, 1500)
    for n in range(3000):
        account = with_history[n % len(with_history)]
        created = ctx.today - timedelta(days=rng.randint(20, 1000))
        p_win = 1 / (1 + math.exp(-(_win_logit(account) + rng.gauss(0, 0.35))))
        age = (ctx.today - created).days
        is_open = age < 200 and rng.random() < 0.55
        amount = Decimal(
            int(max(8_000, rng.lognormvariate(10.9, 0.7) * (1 + (account.employees or 0) / 20_000)) / 100) * 100
        )
        kind = "new_business"
        if account.pk in won_accounts:
            kind = rng.choice(["cross_sell", "up_sell", "renewal"])
        if is_open:
            # The expected close date a CRM asks for (Salesforce's CloseDate is required), 4-6 months after the
            # deal opened, so some are overdue; drawn without the generator, so every later draw stays the same.
            status, stage = OpportunityStatus.OPEN, rng.choice(STAGES_OPEN)
            close = created + timedelta(days=120 + n % 61)
        else:
            won = rng.random() < p_win
            status = OpportunityStatus.WON if won else OpportunityStatus.LOST
            close = min(ctx.today, created + timedelta(days=int(rng.gauss(110 if won else 80, 35))))
            close = max(close, created + timedelta(days=7))
            stage = "Closed Won" if won else "Closed Lost"
            if won:
                won_accounts.add(account.pk)
            elif kind == "renewal":
                churned.add(account.pk)
        opportunities.append(
            Opportunity(
                workspace=ws,
                account=account,
                name=f"{account.name} – {kind.replace('_', ' ')} {n + 1}",
                amount=amount,
                stage=stage,
                type=kind,
                created_date=created,
                close_date=close,
                status=status,
                external_id=f"DEMO-OPP-{n + 1:05d}",
            )
        )
    objects_insert(Opportunity, opportunities)
    deal_people = _deal_contact_roles(ctx, opportunities, contacts)
    Account.objects.filter(pk__in=won_accounts - churned).update(lifecycle=Lifecycle.CUSTOMER)
    Account.objects.filter(pk__in=churned).update(lifecycle=Lifecycle.FORMER_CUSTOMER)
    ctx.data["account_ids"] = [a.pk for a in accounts]
    prospecting_summary = build_prospecting(ctx)
    return (
        f"{prospecting_summary}; {len(accounts)} accounts, {len(contacts)} contacts, {len(team)} team seats, "
        f"{len(opportunities)} opportunities, {deal_people} deal contact roles"
    )


def _deal_contact_roles(ctx: DemoContext, opportunities: list[Opportunity], contacts: list[Contact]) -> int:
    """Who was on the deals, as a CRM's opportunity contact roles record it: two deals in three have them (the won/lost
    analysis guesses the others from the account's contacts). The account's people join a won deal more often than a
    lost one, and its economic buyer was missed on most lost deals; an open deal has some of them so far."""
    rng = ctx.rng
    people: dict[int, list[Contact]] = {}
    for contact in contacts:
        people.setdefault(contact.account_id, []).append(contact)
    roles = []
    for deal in opportunities:
        if rng.random() < 1 / 3:
            continue
        won = deal.status == OpportunityStatus.WON
        if deal.status == OpportunityStatus.OPEN:  # a deal in progress: the first people on it
            on_deal = [c for c in people.get(deal.account_id, []) if rng.random() < 0.4]
        else:
            on_deal = [
                c
                for c in people.get(deal.account_id, [])
                if rng.random()
                < (0.75 if won else 0.5) * (0.35 if not won and c.buying_role == "economic_buyer" else 1)
            ]
        roles += [
            OpportunityContact(
                workspace=ctx.workspace, opportunity=deal, contact=c, role=c.buying_role, is_primary=i == 0
            )
            for i, c in enumerate(on_deal)
        ]
    objects_insert(OpportunityContact, roles)
    return len(roles)


# The demo's ICP is what a marketing team would write by hand before looking at the data: partly right
# (industry, size, complementary tools) and partly folklore (big revenue, many offices, manufacturing), so
# the predictive model trained on the real outcomes has something to add over the fit score.
DEMO_ICP: list[dict[str, Any]] = [
    {
        "key": "industry",
        "label": "Industry we serve",
        "weight": 25,
        "bands": [
            {
                "label": "Core: software, financial services",
                "points": 1.0,
                "when": {"industry": ["Software", "Financial Services"]},
            },
            {
                "label": "Adjacent: manufacturing, healthcare, telecom",
                "points": 0.6,
                "when": {"industry": ["Manufacturing", "Healthcare", "Telecommunications"]},
            },
        ],
    },
    {
        "key": "territory",
        "label": "Territory and size (seed 003)",
        "weight": 20,
        "bands": [
            {
                "label": "US north-east, 200-5,000 people",
                "points": 1.0,
                "when": {"country": ["US"], "region": ["NY", "MA", "PA", "NJ"], "employees": {"min": 200, "max": 5000}},
            },
            {"label": "Rest of North America", "points": 0.6, "when": {"country": ["US", "CA"]}},
            {"label": "Western Europe", "points": 0.4, "when": {"country": ["GB", "DE", "FR", "ES"]}},
        ],
    },
    {
        "key": "revenue",
        "label": "Annual revenue",
        "weight": 20,
        "bands": [
            {"label": "$1B and more", "points": 1.0, "when": {"annual_revenue": {"min": 1_000_000_000}}},
            {"label": "$100M-$1B", "points": 0.6, "when": {"annual_revenue": {"min": 100_000_000}}},
            {"label": "$20M-$100M", "points": 0.3, "when": {"annual_revenue": {"min": 20_000_000}}},
        ],
    },
    {
        "key": "offices",
        "label": "Number of offices",
        "weight": 10,
        "bands": [
            {"label": "10 or more", "points": 1.0, "when": {"number_of_offices": {"min": 10}}},
            {"label": "3 to 9", "points": 0.5, "when": {"number_of_offices": {"min": 3}}},
        ],
    },
    {
        "key": "complementary",
        "label": "Uses a tool we integrate with",
        "weight": 15,
        "bands": [
            {
                "label": "Salesforce, Snowflake, Segment or Slack",
                "points": 1.0,
                "when": {"technologies": {"any": COMPLEMENTARY}},
            },
        ],
    },
    {
        "key": "no_competitor",
        "label": "No competitor in place",
        "weight": 10,
        "bands": [
            {"label": "No Marketo or Demandbase", "points": 1.0, "when": {"technologies": {"none": COMPETITORS}}},
        ],
    },
]


# ``load_demo --language es``: the same ICP in the words a Spanish-speaking team would write (labels only).
SPANISH_ICP_LABELS = {
    "Industry we serve": "Sector que atendemos",
    "Core: software, financial services": "Núcleo: software, servicios financieros",
    "Adjacent: manufacturing, healthcare, telecom": "Adyacente: industria, sanidad, telecomunicaciones",
    "Territory and size (seed 003)": "Territorio y tamaño (seed 003)",
    "US north-east, 200-5,000 people": "Noreste de EE. UU., 200-5.000 personas",
    "Rest of North America": "Resto de Norteamérica",
    "Western Europe": "Europa occidental",
    "Annual revenue": "Facturación anual",
    "$1B and more": "1.000 M$ o más",
    "$100M-$1B": "100 M$-1.000 M$",
    "$20M-$100M": "20 M$-100 M$",
    "Number of offices": "Número de oficinas",
    "10 or more": "10 o más",
    "3 to 9": "De 3 a 9",
    "Uses a tool we integrate with": "Usa una herramienta con la que nos integramos",
    "Salesforce, Snowflake, Segment or Slack": "Salesforce, Snowflake, Segment o Slack",
    "No competitor in place": "Sin competidor implantado",
    "No Marketo or Demandbase": "Sin Marketo ni Demandbase",
}


def _icp(language: str) -> list[dict[str, Any]]:
    if language != "es":
        return DEMO_ICP
    return [
        {
            **c,
            "label": SPANISH_ICP_LABELS.get(c["label"], c["label"]),
            "bands": [{**band, "label": SPANISH_ICP_LABELS.get(band["label"], band["label"])} for band in c["bands"]],
        }
        for c in DEMO_ICP
    ]


def build_prospecting(ctx: DemoContext) -> str:
    """ICP, fit scores, a model trained on the demo history, win probabilities and tiers, plus one pin."""
    from .prospecting import services as prospecting

    started = time.monotonic()
    ws, admin, kam = ctx.workspace, ctx.users["admin"], ctx.users["ana.ae"]
    prospecting.prospecting_settings_update(
        workspace=ws, by=admin, rescore=False, fit_weight=0.4, predictive_weight=0.6
    )
    prospecting.icp_save(
        workspace=ws,
        by=admin,
        criteria=_icp(ctx.language),
        name="Compradores SaaS B2B del mid-market" if ctx.language == "es" else "Mid-market B2B SaaS buyers",
        note=(
            "Primer borrador del taller de marketing"
            if ctx.language == "es"
            else "First draft from the marketing workshop"
        ),
        rescore=False,
    )
    # Fit first (the fit baseline of the backtest needs it), tiers once the model is in.
    prospecting.prospecting_rescore(workspace=ws, by=admin, reason="Demo ICP", tiering=False)
    model = prospecting.model_train(workspace=ws, by=admin, rescore=False)  # activated only if it beats baselines
    # A KAM's pin before the tiering: it uses a strategic slot, and its mismatch with the scores is a proposal.
    pinned = Account.objects.filter(workspace=ws, owner=kam).order_by("fit_score", "id").first()
    if pinned is not None:
        prospecting.tier_override(
            account=pinned,
            tier="strategic",
            by=kam,
            reason=(
                "Patrocinador del consejo conocido en nuestra conferencia de usuarios"
                if ctx.language == "es"
                else "Board-level sponsor met at our user conference"
            ),
        )
    summary = prospecting.prospecting_rescore(
        workspace=ws, by=admin, reason=texts.msg(gettext_noop("Model v%(number)s"), number=model.number)
    )
    auc = model.metrics["model"]["roc_auc"]
    fit_auc = (model.metrics.get("fit_score") or {}).get("roc_auc")
    state = "active" if model.is_active else "NOT active: not better than the baselines"
    return (
        f"ICP v1, model v{model.number} {state} (holdout AUC {auc:.3f} vs fit {fit_auc:.3f} vs base rate 0.5, "
        f"margin {model.metrics['comparison']['auc_margin_low']:+.3f} to "
        f"{model.metrics['comparison']['auc_margin_high']:+.3f}), "
        f"tiers {summary['tiers']}, {summary['proposals']} proposal(s), "
        f"prospecting {time.monotonic() - started:.1f}s"
    )
