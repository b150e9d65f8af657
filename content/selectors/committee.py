"""Committee templates and coverage reads: every function takes the workspace (or an account that carries it).

Coverage of many accounts costs a fixed number of queries: the templates (1), the personas' names (1) and the
contacts of the accounts asked about (1), whatever the number of accounts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from abe.models import Workspace
from accounts.models import Account, Contact, OpportunityContact, OpportunityStatus
from personas.committee import (
    DEFAULT_ENGAGED_DAYS,
    DEFAULT_REQUIREMENTS,
    TIERS,
    Coverage,
    Person,
    Requirement,
    RoleCoverage,
    coverage_compute,
    requirements_from,
)
from personas.models import CommitteeTemplate, Persona


@dataclass
class TemplateView:
    tier: str
    requirements: list[Requirement]
    engaged_days: int
    stored: CommitteeTemplate | None

    @property
    def is_default(self) -> bool:
        return self.stored is None


def committee_templates(*, workspace: Workspace) -> dict[str, TemplateView]:
    """Every tier's template: the stored one, or the seeds' default for a tier nobody has edited."""
    stored = {t.tier: t for t in CommitteeTemplate.objects.for_workspace(workspace)}
    names = dict(Persona.objects.for_workspace(workspace).values_list("id", "name"))
    views = {}
    for tier in TIERS:
        template = stored.get(tier)
        raw = template.requirements if template else DEFAULT_REQUIREMENTS[tier]
        views[tier] = TemplateView(
            tier=tier,
            requirements=requirements_from(raw, names),
            engaged_days=template.engaged_days if template else DEFAULT_ENGAGED_DAYS,
            stored=template,
        )
    return views


def _person(contact: Contact) -> Person:
    return Person(
        id=contact.pk,
        role=contact.buying_role,
        department=contact.department,
        persona=contact.persona_id,
        last_engaged_at=contact.last_engaged_at,
        left=contact.left_at is not None,
    )


def seat_of(contact: Contact, deal_role: str = "") -> Person:
    """The seat a person holds on a deal: the role the deal gives them when it names one, else their own buying
    role (the won/lost analysis and the open deals' seats read both so)."""
    return Person(
        id=contact.pk,
        role=deal_role or contact.buying_role,
        department=contact.department,
        persona=contact.persona_id,
        last_engaged_at=None,
    )


def coverage_for_accounts(
    *,
    workspace: Workspace,
    accounts: Sequence[Account],
    now: datetime | None = None,
    templates: dict[str, TemplateView] | None = None,
) -> dict[int, Coverage]:
    """Account id -> coverage, for a page of accounts, in three queries."""
    now = now or timezone.now()
    templates = templates if templates is not None else committee_templates(workspace=workspace)
    people: dict[int, list[Person]] = defaultdict(list)
    rows = (
        Contact.objects.for_workspace(workspace)
        .filter(account_id__in=[a.pk for a in accounts])
        .only("id", "account_id", "buying_role", "department", "persona_id", "last_engaged_at", "left_at")
    )
    for contact in rows:
        people[contact.account_id].append(_person(contact))
    result = {}
    for account in accounts:
        template = templates.get(account.tier) or templates["standard"]
        result[account.pk] = coverage_compute(
            requirements=template.requirements,
            people=people[account.pk],
            now=now,
            engaged_days=template.engaged_days,
        )
    return result


def account_coverage(*, account: Account, now: datetime | None = None) -> Coverage:
    return coverage_for_accounts(workspace=account.workspace, accounts=[account], now=now)[account.pk]


@dataclass(frozen=True)
class HeatmapFilters:
    tier: str = ""
    owner_id: int | None = None
    stage: str = ""
    q: str = ""
    # The accounts of a saved view (accounts.selectors.saved_view_accounts), when one is chosen.
    within: QuerySet[Account] | None = None


def heatmap_accounts(*, workspace: Workspace, filters: HeatmapFilters) -> QuerySet[Account]:
    qs = Account.objects.for_workspace(workspace).select_related("owner").order_by("name", "id")
    copied: dict[str, Any] = {}
    if filters.tier:
        copied["tier"] = filters.tier
    if filters.owner_id is not None:
        copied["owner_id"] = filters.owner_id
    if filters.stage:
        copied["journey_stage"] = filters.stage
    if copied:
        # Tier, stage and owner on the accounts' engagement copy, restricted to the workspace by a constant, in the
        # copy's name order: one range of its (workspace, tier, stage, owner, name) index, read in order.
        qs = qs.filter(
            engagement_rank__workspace_id=workspace.pk, **{f"engagement_rank__{k}": v for k, v in copied.items()}
        ).order_by("engagement_rank__name", "id")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.within is not None:
        qs = qs.filter(pk__in=filters.within.values("pk"))
    return qs


def heatmap_columns(*, templates: dict[str, TemplateView], tier: str = "") -> list[Requirement]:
    """The role columns: the tier's template, or every tier's requirements in template order."""
    columns: dict[str, Requirement] = {}
    for key in [tier] if tier else list(TIERS):
        for req in templates[key].requirements:
            columns.setdefault(req.key, req)
    return list(columns.values())


@dataclass
class HeatmapRow:
    account: Account
    coverage: Coverage
    cells: list[RoleCoverage | None]


def heatmap_rows(
    *,
    workspace: Workspace,
    accounts: Sequence[Account],
    columns: Sequence[Requirement],
    templates: dict[str, TemplateView],
    now: datetime | None = None,
) -> list[HeatmapRow]:
    coverages = coverage_for_accounts(workspace=workspace, accounts=accounts, now=now, templates=templates)
    rows = []
    for account in accounts:
        coverage = coverages[account.pk]
        by_key = {r.requirement.key: r for r in coverage.roles}
        rows.append(HeatmapRow(account=account, coverage=coverage, cells=[by_key.get(c.key) for c in columns]))
    return rows


@dataclass
class Gap:
    requirement: Requirement
    missing: int
    titles: list[str]
    personas: list[str]

    @property
    def advice(self) -> str:
        """What to find next, in the reader's language: the role, then the workspace's usual titles and personas."""
        who = self.requirement.label
        hints = []
        if self.titles:
            hints.append(gettext("usually titled %(titles)s") % {"titles": ", ".join(self.titles)})
        if self.personas:
            hints.append(gettext("persona %(personas)s") % {"personas": gettext(" or ").join(self.personas)})
        more = f" ({'; '.join(hints)})" if hints else ""
        who = who if who[:2].isupper() else who[:1].lower() + who[1:]
        if self.missing > 1:
            return gettext("Find %(count)s more: %(who)s%(more)s.") % {"count": self.missing, "who": who, "more": more}
        if who[:1].lower() in "aeiou":  # English chooses the article by sound; other languages translate both
            return gettext("Find an %(who)s%(more)s.") % {"who": who, "more": more}
        return gettext("Find a %(who)s%(more)s.") % {"who": who, "more": more}


def gap_hints(*, workspace: Workspace, requirements: Sequence[Requirement]) -> dict[str, tuple[list[str], list[str]]]:
    """Requirement key -> (the commonest titles of people who fill it in this workspace, matching personas).

    Titles come from the latest 500 matching contacts (one bounded query per requirement), so the hint costs
    the same at 1,000 or 1,000,000 contacts.
    """
    personas = list(Persona.objects.for_workspace(workspace).only("id", "name", "typical_buying_role", "department"))
    hints = {}
    for req in requirements:
        qs = Contact.objects.for_workspace(workspace).exclude(title="")
        if req.role:
            qs = qs.filter(buying_role=req.role)
        if req.department:
            qs = qs.filter(department=req.department)
        if req.persona is not None:
            qs = qs.filter(persona_id=req.persona)
        titles = Counter(t.strip() for t in qs.order_by("-id").values_list("title", flat=True)[:500])
        names = [
            p.name
            for p in personas
            if (req.persona is not None and p.pk == req.persona)
            or (req.persona is None and req.role and p.typical_buying_role == req.role)
            or (req.persona is None and not req.role and req.department and p.department == req.department)
        ]
        hints[req.key] = ([t for t, _ in titles.most_common(3)], names[:3])
    return hints


def coverage_gaps(*, workspace: Workspace, coverage: Coverage) -> list[Gap]:
    gaps = coverage.gaps
    if not gaps:
        return []
    hints = gap_hints(workspace=workspace, requirements=[g.requirement for g in gaps])
    return [
        Gap(
            requirement=g.requirement,
            missing=g.requirement.count - g.known,
            titles=hints[g.requirement.key][0],
            personas=hints[g.requirement.key][1],
        )
        for g in gaps
    ]


def committee_members(*, account: Account) -> list[Contact]:
    """The account's contacts with what the org chart needs, in one query."""
    return list(
        Contact.objects.for_workspace(account.workspace)
        .filter(account=account)
        .select_related("persona")
        .order_by("last_name", "first_name", "id")
    )


@dataclass
class OrgNode:
    contact: Contact
    children: list[OrgNode]


def org_chart(contacts: Sequence[Contact]) -> list[OrgNode]:
    """Roots (people who report to nobody on the committee) with their reports, recursively."""
    nodes = {c.pk: OrgNode(contact=c, children=[]) for c in contacts}
    roots = []
    for c in contacts:
        parent = nodes.get(c.reports_to_id) if c.reports_to_id else None
        if parent is not None and parent is not nodes[c.pk]:
            parent.children.append(nodes[c.pk])
        else:
            roots.append(nodes[c.pk])
    return roots


@dataclass
class OpenDealSeats:
    """An open deal of the account: how many people the CRM (or the team) put on it, and the seats of the account's
    template none of them holds, each in their role on that deal (else their own buying role)."""

    id: int
    name: str
    people: int
    missing: list[Requirement]
    close: date | None = None
    overdue: bool = False


def open_deal_seats(*, account: Account, template: TemplateView, today: date | None = None) -> list[OpenDealSeats]:
    """The account's open deals, the soonest expected close first (those without a date last, newest first), with
    the template seats nobody on the deal holds (2 queries)."""
    today = today or timezone.localdate()
    deals = list(
        account.opportunities.filter(status=OpportunityStatus.OPEN)
        .order_by(F("close_date").asc(nulls_last=True), "-created_date", "-id")
        .values_list("id", "name", "close_date")
    )
    room: dict[int, list[Person]] = {deal_id: [] for deal_id, _, _ in deals}
    for role in OpportunityContact.objects.filter(opportunity_id__in=list(room)).select_related("contact"):
        room[role.opportunity_id].append(seat_of(role.contact, role.role))
    return [
        OpenDealSeats(
            id=deal_id,
            name=name,
            people=len(room[deal_id]),
            missing=[r for r in template.requirements if not any(r.matches(p) for p in room[deal_id])],
            close=close,
            overdue=close is not None and close < today,
        )
        for deal_id, name, close in deals
    ]
