"""Won/lost committee analysis: over the last N won and N lost deals, which required roles were present and
engaged (any scored event in the 90 days before the close) and how won deals differ from lost ones.

Bounded: the deals (1 query), their accounts' contacts (1), the engagement before each close (1, from the
day counts of at most 2·N accounts), the templates (2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from abe.l10n import percent
from abe.models import Workspace
from accounts.models import Contact, Opportunity
from personas.committee import Person, Requirement

from .. import hooks
from .committee import committee_templates

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
class WonLostAnalysis:
    won: int
    lost: int
    last: int
    roles: list[RoleComparison] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

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
    deals = {}
    for status in ("won", "lost"):
        deals[status] = list(
            Opportunity.objects.for_workspace(workspace)
            .filter(status=status, close_date__isnull=False)
            .order_by("-close_date", "-id")
            .values_list("account_id", "close_date")[:last]
        )
    analysis = WonLostAnalysis(won=len(deals["won"]), lost=len(deals["lost"]), last=last)
    if not deals["won"] and not deals["lost"]:
        return analysis
    account_ids = {a for pairs in deals.values() for a, _ in pairs}
    people: dict[int, list[Contact]] = {}
    for c in (
        Contact.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .only("id", "account_id", "buying_role", "department", "persona_id", "created_at", "left_at")
    ):
        people.setdefault(c.account_id, []).append(c)
    # One engagement read per status: an account may have both a won and a lost deal with different dates.
    engaged = {
        s: hooks.engaged_before(workspace=workspace, deals=pairs, days=ENGAGED_WINDOW_DAYS)
        for s, pairs in deals.items()
    }
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

    def shares(status: str, req: Requirement) -> tuple[float, float]:
        pairs = deals[status]
        if not pairs:
            return 0.0, 0.0
        present = engaged_n = 0
        for account_id, close in pairs:  # close dates are not null (filtered above)
            there = [
                c
                for c in people.get(account_id, [])
                if close is not None
                and c.created_at.date() <= close
                and (c.left_at is None or c.left_at > close)
                and req.matches(
                    Person(
                        id=c.pk, role=c.buying_role, department=c.department, persona=c.persona_id, last_engaged_at=None
                    )
                )
            ]
            present += bool(there)
            engaged_n += any(c.pk in engaged[status].get(account_id, set()) for c in there)
        return present / len(pairs), engaged_n / len(pairs)

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
