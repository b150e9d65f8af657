"""Won/lost committee analysis: over the last N won and N lost deals, which required roles were present and
engaged (any scored event in the 90 days before the close) and how won deals differ from lost ones.

Who sat on a deal: the people the CRM put on it (``OpportunityContact``, Salesforce's opportunity contact roles),
each in their role on that deal (else their own buying role), when the deal has any; otherwise the account's
contacts known at the close (created before it, not gone by then).

Bounded: the deals (2 queries), their contact roles (1), the contacts (1), the engagement before each close (1,
from the day counts of the deals' accounts and of the accounts of people on them), the templates (2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext

from abe.l10n import percent
from abe.models import Workspace
from accounts.models import Contact, Opportunity, OpportunityContact
from personas.committee import ROLE_LABELS, Person, Requirement

from .. import hooks
from .committee import committee_templates, seat_of

ENGAGED_WINDOW_DAYS = 90
MIN_DEALS = 10  # below this many won or lost deals the comparison is noise
MEANINGFUL_GAP = 0.2  # 20 points between won and lost


@dataclass
class RoleComparison:
    requirement: Requirement
    in_template: bool
    won_present: float
    won_engaged: float
    lost_present: float
    lost_engaged: float

    @property
    def difference(self) -> float:
        return round(self.won_engaged - self.lost_engaged, 4)


@dataclass
class InRoom:
    """One person in a deal's room: their seat there, whether they were engaged before the close, their influence."""

    contact_id: int
    name: str
    role: str  # the buying role they held on the deal ("" none)
    engaged: bool
    influence: str  # "high", "medium", "low" or ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role) if self.role else ""


@dataclass
class DealReview:
    """One closed deal as the review reads it: who was in the room, who of them was engaged before the close, and
    which seats of the account's tier template nobody filled ("which committee member was missed")."""

    id: int
    name: str
    account_id: int
    account_name: str
    status: str  # "won" or "lost"
    close: date
    from_crm: bool  # its people are the CRM's contact roles (else the account's contacts at the close)
    people: int
    engaged: int
    missing: list[Requirement] = field(default_factory=list)
    room: list[InRoom] = field(default_factory=list)  # who was there: the engaged first, then by name


@dataclass
class WonLostAnalysis:
    won: int
    lost: int
    last: int
    roles: list[RoleComparison] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    deals: list[DealReview] = field(default_factory=list)  # every deal compared, the latest close first

    # Deals whose committee came from the CRM's contact roles (the rest: the account's contacts at the close).
    @property
    def won_with_roles(self) -> int:
        return sum(1 for d in self.deals if d.status == "won" and d.from_crm)

    @property
    def lost_with_roles(self) -> int:
        return sum(1 for d in self.deals if d.status == "lost" and d.from_crm)

    @property
    def enough(self) -> bool:
        return self.won >= MIN_DEALS and self.lost >= MIN_DEALS

    @property
    def verdict(self) -> str:
        if self.enough:
            return ""
        return gettext(
            "Too few deals to tell: %(won)s won and %(lost)s lost closed deals; the comparison needs at least "
            "%(minimum)s of each."
        ) % {"won": self.won, "lost": self.lost, "minimum": MIN_DEALS}


def won_lost_analysis(*, workspace: Workspace, last: int = 50) -> WonLostAnalysis:
    deals: dict[str, list[tuple[int, int, date]]] = {}
    about: dict[int, tuple[str, str, str]] = {}  # deal -> its name, its account's name and tier
    for status in ("won", "lost"):
        rows = (
            Opportunity.objects.for_workspace(workspace)
            .filter(status=status, close_date__isnull=False)
            .order_by("-close_date", "-id")
            .values_list("id", "account_id", "close_date", "name", "account__name", "account__tier")[:last]
        )
        deals[status] = [(deal, account, close) for deal, account, close, *_ in rows if close is not None]
        about.update((deal, (name, account_name, tier)) for deal, _, _, name, account_name, tier in rows)
    analysis = WonLostAnalysis(won=len(deals["won"]), lost=len(deals["lost"]), last=last)
    if not deals["won"] and not deals["lost"]:
        return analysis
    on_deal: dict[int, list[tuple[int, str]]] = {}  # deal -> (contact, role on the deal)
    for deal_id, contact_id, role in (
        OpportunityContact.objects.for_workspace(workspace)
        .filter(opportunity_id__in=[d for triples in deals.values() for d, _, _ in triples])
        .values_list("opportunity_id", "contact_id", "role")
    ):
        on_deal.setdefault(deal_id, []).append((contact_id, role))
    account_ids = {a for triples in deals.values() for d, a, _ in triples if d not in on_deal}
    named = {c for people_on in on_deal.values() for c, _ in people_on}
    people: dict[int, list[Contact]] = {}
    by_id: dict[int, Contact] = {}
    for c in (
        Contact.objects.for_workspace(workspace)
        .filter(Q(account_id__in=account_ids) | Q(pk__in=named))
        .only(
            "id",
            "account_id",
            "first_name",
            "last_name",
            "email",
            "buying_role",
            "department",
            "persona_id",
            "created_at",
            "left_at",
            "influence",
        )
    ):
        by_id[c.pk] = c
        if c.account_id in account_ids:
            people.setdefault(c.account_id, []).append(c)
    # Engagement before each close, at each (account, close date): a person on a deal is read at their own account
    # (a consultant's engagement is their firm's).
    every = [t for triples in deals.values() for t in triples]
    pairs = {(a, close) for _, a, close in every}
    pairs |= {(by_id[c].account_id, close) for d, _, close in every for c, _ in on_deal.get(d, []) if c in by_id}
    engaged = hooks.engaged_before(workspace=workspace, deals=sorted(pairs), days=ENGAGED_WINDOW_DAYS)
    templates = committee_templates(workspace=workspace)
    in_template: dict[str, Requirement] = {}
    for t in templates.values():
        for r in t.requirements:
            in_template.setdefault(r.key, r)
    candidates = dict(in_template)
    for role in (
        "decision_maker",
        "economic_buyer",
        "champion",
        "influencer",
        "technical_evaluator",
        "end_user",
        "blocker",
        "gatekeeper",
    ):
        candidates.setdefault(role, Requirement(role=role))
    for dept in ("finance", "procurement", "it"):
        candidates.setdefault(dept, Requirement(department=dept))

    def room(deal_id: int, account_id: int, close: date) -> list[tuple[Contact, Person]]:
        """Who was in the room of a deal, each as the seat they held there."""
        if deal_id in on_deal:
            return [
                (c, seat_of(c, role))
                for contact_id, role in on_deal[deal_id]
                if (c := by_id.get(contact_id)) is not None
            ]
        return [
            (c, seat_of(c))
            for c in people.get(account_id, [])
            if c.created_at.date() <= close and (c.left_at is None or c.left_at > close)
        ]

    rooms = {d: room(d, a, close) for d, a, close in every}

    def is_engaged(c: Contact, close: date) -> bool:
        return c.pk in engaged.get((c.account_id, close), ())

    def shares(status: str, req: Requirement) -> tuple[float, float]:
        triples = deals[status]
        if not triples:
            return 0.0, 0.0
        present = engaged_n = 0
        for deal_id, _, close in triples:
            there = [c for c, seat in rooms[deal_id] if req.matches(seat)]
            present += bool(there)
            engaged_n += any(is_engaged(c, close) for c in there)
        return present / len(triples), engaged_n / len(triples)

    for key, candidate in candidates.items():
        wp, we = shares("won", candidate)
        lp, le = shares("lost", candidate)
        analysis.roles.append(
            RoleComparison(
                requirement=candidate,
                in_template=key in in_template,
                won_present=wp,
                won_engaged=we,
                lost_present=lp,
                lost_engaged=le,
            )
        )
    analysis.roles.sort(key=lambda r: -r.difference)
    for status, triples in deals.items():
        for deal_id, account_id, close in triples:
            name, account_name, tier = about[deal_id]
            template = templates.get(tier)
            seats = [seat for _, seat in rooms[deal_id]]
            analysis.deals.append(
                DealReview(
                    id=deal_id,
                    name=name,
                    account_id=account_id,
                    account_name=account_name,
                    status=status,
                    close=close,
                    from_crm=deal_id in on_deal,
                    people=len(seats),
                    engaged=sum(1 for c, _ in rooms[deal_id] if is_engaged(c, close)),
                    missing=[r for r in template.requirements if not any(r.matches(p) for p in seats)]
                    if template
                    else [],
                    room=sorted(
                        (
                            InRoom(
                                contact_id=c.pk,
                                name=str(c),
                                role=seat.role,
                                engaged=is_engaged(c, close),
                                influence=c.influence,
                            )
                            for c, seat in rooms[deal_id]
                        ),
                        key=lambda p: (not p.engaged, p.name.lower()),
                    ),
                )
            )
    analysis.deals.sort(key=lambda d: (d.close, d.id), reverse=True)
    if analysis.enough:
        for row in analysis.roles:
            if row.difference >= MEANINGFUL_GAP and not row.in_template:
                analysis.suggestions.append(
                    gettext(
                        "Add %(role)s to the committee templates: engaged in %(won)s of won deals against %(lost)s "
                        "of lost ones."
                    )
                    % {
                        "role": row.requirement.label,
                        "won": percent(row.won_engaged),
                        "lost": percent(row.lost_engaged),
                    }
                )
            elif row.difference >= MEANINGFUL_GAP:
                analysis.suggestions.append(
                    gettext(
                        "Keep %(role)s required and engage them early: %(won)s of won deals against %(lost)s of "
                        "lost ones."
                    )
                    % {
                        "role": row.requirement.label,
                        "won": percent(row.won_engaged),
                        "lost": percent(row.lost_engaged),
                    }
                )
            elif row.in_template and row.difference <= -MEANINGFUL_GAP:
                analysis.suggestions.append(
                    gettext(
                        "%(role)s was engaged more often in lost deals (%(lost)s) than in won ones (%(won)s): check "
                        "whether this seat is worth its effort."
                    )
                    % {
                        "role": row.requirement.label,
                        "won": percent(row.won_engaged),
                        "lost": percent(row.lost_engaged),
                    }
                )
        if not analysis.suggestions:
            analysis.suggestions.append(
                gettext("No role separates won from lost deals by 20 points or more: keep the templates.")
            )
    return analysis
