"""Synthetic account universes for the prospecting benchmarks (deterministic, firmographics like the demo's)."""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import date, timedelta

INDUSTRIES = [
    "Software",
    "Financial Services",
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Telecommunications",
    "Logistics",
    "Energy",
    "Education",
    "Media",
]
COUNTRIES = [
    ("US", "United States", ["NY", "MA", "CA", "TX"]),
    ("GB", "United Kingdom", ["England"]),
    ("DE", "Germany", ["Bavaria"]),
    ("ES", "Spain", ["Madrid"]),
    ("CA", "Canada", ["ON"]),
    ("FR", "France", ["Paris"]),
    ("BR", "Brazil", ["SP"]),
]
TECHS = ["Salesforce", "Snowflake", "Segment", "Slack", "Marketo", "Demandbase", "HubSpot", "SAP", "Tableau"]

BENCH_ICP = [
    {
        "key": "industry",
        "label": "Industry",
        "weight": 25,
        "bands": [
            {"label": "Core", "points": 1.0, "when": {"industry": ["Software", "Financial Services"]}},
            {"label": "Adjacent", "points": 0.5, "when": {"industry": ["Healthcare", "Telecommunications"]}},
        ],
    },
    {
        "key": "territory",
        "label": "Territory",
        "weight": 25,
        "bands": [
            {
                "label": "US north-east, 200-5,000",
                "points": 1.0,
                "when": {"country": ["US"], "region": ["NY", "MA"], "employees": {"min": 200, "max": 5000}},
            },
            {"label": "North America", "points": 0.6, "when": {"country": ["US", "CA"]}},
            {"label": "Europe", "points": 0.4, "when": {"country": ["GB", "DE", "ES", "FR"]}},
        ],
    },
    {
        "key": "revenue",
        "label": "Revenue",
        "weight": 20,
        "bands": [
            {"label": "$100M+", "points": 1.0, "when": {"annual_revenue": {"min": 1e8}}},
            {"label": "$20M+", "points": 0.5, "when": {"annual_revenue": {"min": 2e7}}},
        ],
    },
    {
        "key": "stack",
        "label": "Complementary tool",
        "weight": 20,
        "bands": [
            {"label": "Integrates", "points": 1.0, "when": {"technologies": {"any": ["Salesforce", "Snowflake"]}}}
        ],
    },
    {
        "key": "no_competitor",
        "label": "No competitor",
        "weight": 10,
        "bands": [{"label": "None", "points": 1.0, "when": {"technologies": {"none": ["Marketo", "Demandbase"]}}}],
    },
]


def account_dicts(n: int, *, seed: int = 1, start: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        code, name, regions = rng.choice(COUNTRIES)
        employees = int(min(200_000, max(5, rng.lognormvariate(6.0, 1.6))))
        rows.append(
            {
                "external_id": f"B-{i:07d}",
                "name": f"Bench Company {i}",
                "domain": f"bench{i}.example.com",
                "industry": rng.choice(INDUSTRIES),
                "country": code,
                "country_name": name,
                "region": rng.choice(regions),
                "city": "Springfield",
                "employees": employees,
                "annual_revenue": employees * rng.randint(90, 350) * 1000,
                "technologies": sorted(rng.sample(TECHS, rng.randint(0, 3))),
                "number_of_offices": max(1, employees // 400),
            }
        )
    return rows


SALESFORCE_ACCOUNT_COLUMNS = [
    "Account ID",
    "Account Name",
    "Website",
    "Industry",
    "Billing Country",
    "Billing State/Province",
    "Billing City",
    "Employees",
    "Annual Revenue",
]


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """A CSV file as Salesforce exports it: every field quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def salesforce_accounts_csv(rows: list[dict]) -> bytes:
    """``account_dicts`` rows as a Salesforce report export of accounts (the import's ``salesforce_report`` preset)."""
    return csv_bytes(
        SALESFORCE_ACCOUNT_COLUMNS,
        [
            [
                r["external_id"],
                r["name"],
                f"https://www.{r['domain']}/",
                r["industry"],
                r["country_name"],
                r["region"],
                r["city"],
                r["employees"],
                f"{r['annual_revenue']:.2E}",
            ]
            for r in rows
        ],
    )


def win_probability(row: dict) -> float:
    logit = -0.8 + (1.0 if row["industry"] in ("Software", "Financial Services") else -0.3)
    logit += 0.8 if 200 <= row["employees"] <= 5000 else 0.0
    logit += 0.8 if {"Salesforce", "Snowflake"} & set(row["technologies"]) else 0.0
    logit -= 0.6 if {"Marketo", "Demandbase"} & set(row["technologies"]) else 0.0
    return 1 / (1 + math.exp(-logit))


def closed_deals(account_ids: list[int], rows: list[dict], n: int, *, seed: int = 2) -> list[dict]:
    rng = random.Random(seed)
    today = date.today()
    deals = []
    for k in range(n):
        i = rng.randrange(len(account_ids))
        created = today - timedelta(days=rng.randint(30, 900))
        deals.append(
            {
                "account_id": account_ids[i],
                "name": f"Deal {k}",
                "created_date": created,
                "close_date": created + timedelta(days=rng.randint(20, 120)),
                "status": "won" if rng.random() < win_probability(rows[i]) else "lost",
            }
        )
    return deals


def cleanup(workspace) -> None:
    """Delete a bench workspace fast: its prospecting rows by queryset, its accounts in one raw DELETE.

    ``workspace.delete()`` alone would load every account (the parent link is SET_NULL); bench workspaces hold
    nothing but these tables.
    """
    from accounts.models import Account, Contact, ImportJob, Opportunity, TierChange, TierProposal

    for model in (TierChange, TierProposal, Opportunity, Contact, ImportJob):
        model.objects.filter(workspace=workspace).delete()
    accounts = Account.objects.filter(workspace=workspace)
    accounts.filter(parent__isnull=False).update(parent=None)  # not a rewrite of every account
    accounts._raw_delete(accounts.db)
    workspace.delete()
