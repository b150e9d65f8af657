"""Play reads: the list with counts, a play's enrolments with progress, and the play report."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account, Opportunity
from work.models import TaskStatus

from .. import hooks
from ..models import EnrolmentStatus, Play, PlayEnrolment, PlayStepRun

COMPARABLE_SAMPLE = 500


def play_list(*, workspace: Workspace) -> QuerySet[Play]:
    return (
        Play.objects.for_workspace(workspace)
        .annotate(
            step_count=Count("steps", distinct=True),
            active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE), distinct=True),
        )
        .order_by("name", "pk")
    )


def play_enrolments(*, play: Play) -> QuerySet[PlayEnrolment]:
    return (
        PlayEnrolment.objects.for_workspace(play.workspace_id)
        .filter(play=play)
        .select_related("account", "account__owner")
        .annotate(
            runs_total=Count("runs", distinct=True),
            runs_done=Count("runs", filter=Q(runs__task__status=TaskStatus.DONE), distinct=True),
        )
        .order_by("-enrolled_on", "-pk")
    )


@dataclass
class Movement:
    accounts: int
    moved_up: int

    @property
    def share(self) -> float | None:
        return self.moved_up / self.accounts if self.accounts else None


@dataclass
class PlayReport:
    enrolled: int
    active: int
    completed: int
    exited: int
    steps_due: int
    steps_done: int
    enrolled_movement: Movement
    comparable_movement: Movement
    note: str
    #: The top stage's name when accounts were enrolled there, where a new opportunity is what counts as moving up.
    top_stage_enrolled: str = ""


def play_report(*, play: Play) -> PlayReport:
    """Progress, and the share of enrolled accounts that moved up a stage since enrolment against comparable
    accounts (same tier and same stage on the same day, never enrolled) over the same period.

    At the top stage (customer by default) no stage is higher: there an account "moved up" when a new opportunity
    (up-sell, cross-sell, renewal) was created on it since, as next-best content measures it (a post-sale play
    showed 0% for every account otherwise)."""
    workspace = play.workspace
    enrolments = list(PlayEnrolment.objects.filter(play=play).select_related("account"))
    by_status = {s: sum(1 for e in enrolments if e.status == s) for s in EnrolmentStatus.values}
    runs = PlayStepRun.objects.filter(enrolment__play=play).aggregate(
        due=Count("pk"), done=Count("pk", filter=Q(task__status=TaskStatus.DONE))
    )
    stages = hooks.journey_stages(workspace=workspace)
    rank = {key: i for i, (key, _) in enumerate(stages)}
    low = len(rank)
    top, top_name = stages[0] if stages else ("", "")
    deals: dict[int, list[date]] = {}  # account -> the creation dates of its deals since the first enrolment

    def up(account_id: int, before: str, now: str, since: date) -> bool:
        if before == top:
            return any(day >= since for day in deals.get(account_id, ()))
        return rank.get(now, low) < rank.get(before, low)

    note = ""
    comparable = Movement(accounts=0, moved_up=0)
    enrolled_moved = 0
    if enrolments:
        start = min(e.enrolled_on for e in enrolments)
        since = timezone.make_aware(datetime.combine(start, time.min))
        keys = {(e.account.tier, e.stage_at_enrolment) for e in enrolments}
        ever = PlayEnrolment.objects.for_workspace(workspace).filter(play=play).values("account_id")
        pool = list(
            Account.objects.for_workspace(workspace)
            .filter(tier__in={k[0] for k in keys})
            .exclude(pk__in=ever)
            .values_list("pk", "tier", "journey_stage")[: COMPARABLE_SAMPLE * 4]
        )
        random.Random(play.pk).shuffle(pool)
        pool = pool[:COMPARABLE_SAMPLE]
        then = hooks.stages_at(workspace=workspace, account_ids=[p[0] for p in pool], when=since)
        matched = [(pk, then.get(pk, stage), stage) for pk, tier, stage in pool if (tier, then.get(pk, stage)) in keys]
        at_top = {e.account_id for e in enrolments if e.stage_at_enrolment == top}
        at_top |= {pk for pk, before, _ in matched if before == top}
        if at_top:
            for account_id, created in (
                Opportunity.objects.for_workspace(workspace)
                .filter(account_id__in=at_top, created_date__gte=start)
                .values_list("account_id", "created_date")
            ):
                deals.setdefault(account_id, []).append(created)
        enrolled_moved = sum(
            up(e.account_id, e.stage_at_enrolment, e.account.journey_stage, e.enrolled_on) for e in enrolments
        )
        comparable = Movement(accounts=len(matched), moved_up=sum(up(pk, b, n, start) for pk, b, n in matched))
        if not matched:
            note = "No comparable accounts (same tier and stage, never enrolled) to compare with."
    return PlayReport(
        enrolled=len(enrolments),
        active=by_status["active"],
        completed=by_status["completed"],
        exited=by_status["exited"],
        steps_due=runs["due"],
        steps_done=runs["done"],
        enrolled_movement=Movement(accounts=len(enrolments), moved_up=enrolled_moved),
        comparable_movement=comparable,
        note=note,
        top_stage_enrolled=top_name if any(e.stage_at_enrolment == top for e in enrolments) else "",
    )
