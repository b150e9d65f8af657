"""Plays: define the steps, enrol accounts, turn due steps into tasks, log the touch when a step is done.

The scheduler (:func:`play_steps_schedule`) is safe to repeat: a step of an enrolment becomes a task once,
guarded by the unique ``(enrolment, step)`` of ``PlayStepRun`` written in the same transaction as the task.
Lock order: the enrolment row, then its runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from abe.models import Workspace
from abe.texts import Msg, english, joined, label, msg, specs
from abe.texts import stage as stage_param
from accounts.models import Account, AccountTeamMember, Contact, TeamRole
from personas.models import BuyingRole, Channel, Persona
from work.models import Task, TaskSource, TaskStatus
from work.services import task_cancel, task_create

from .. import hooks
from ..models import (
    ContentAsset,
    EnrolmentStatus,
    OutreachTemplate,
    Play,
    PlayEnrolment,
    PlayStep,
    PlayStepRun,
)

OWNER_ROLES = {"owner", *TeamRole.values}
PLAY_NAME_MAX = Play._meta.get_field("name").max_length or 120
STEP_TITLE_MAX = PlayStep._meta.get_field("title").max_length or 200
STEP_FIELDS = {"title", "day_offset", "channel", "target_role", "target_persona", "asset", "template", "owner_role"}


def _clean_steps(workspace: Workspace, steps: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not steps:
        raise ValidationError({"steps": gettext("A play needs at least one step.")})
    cleaned, problems = [], []
    for i, step in enumerate(steps, start=1):
        extra = set(step) - STEP_FIELDS
        if extra:
            problems.append(
                gettext("step %(step)s: unknown field(s) %(fields)s") % {"step": i, "fields": ", ".join(sorted(extra))}
            )
            continue
        title = str(step.get("title") or "").strip()
        offset = step.get("day_offset", 0)
        channel = step.get("channel") or Channel.EMAIL
        role = step.get("target_role") or ""
        owner_role = step.get("owner_role") or "owner"
        if not title:
            problems.append(gettext("step %(step)s: say what to do (title)") % {"step": i})
        elif len(title) > STEP_TITLE_MAX:
            problems.append(
                gettext("step %(step)s: a title has at most %(limit)s characters")
                % {"step": i, "limit": STEP_TITLE_MAX}
            )
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 365:
            problems.append(gettext("step %(step)s: day_offset must be 0 to 365") % {"step": i})
        if channel not in Channel.values:
            problems.append(
                gettext("step %(step)s: channel must be one of %(choices)s")
                % {"step": i, "choices": ", ".join(Channel.values)}
            )
        if role and role not in BuyingRole.values:
            problems.append(
                gettext("step %(step)s: target_role must be one of %(choices)s")
                % {"step": i, "choices": ", ".join(BuyingRole.values)}
            )
        if owner_role not in OWNER_ROLES:
            problems.append(
                gettext("step %(step)s: owner_role must be one of %(choices)s")
                % {"step": i, "choices": ", ".join(sorted(OWNER_ROLES))}
            )
        for name, model in (("target_persona", Persona), ("asset", ContentAsset), ("template", OutreachTemplate)):
            obj = step.get(name)
            if obj is not None and (not isinstance(obj, model) or obj.workspace_id != workspace.pk):
                problems.append(
                    gettext("step %(step)s: %(field)s not found in this workspace") % {"step": i, "field": name}
                )
        cleaned.append(
            {
                "title": title,
                "day_offset": offset,
                "channel": channel,
                "target_role": role,
                "target_persona": step.get("target_persona"),
                "asset": step.get("asset"),
                "template": step.get("template"),
                "owner_role": owner_role,
            }
        )
    if problems:
        raise ValidationError({"steps": "; ".join(problems) + "."})
    return cleaned


def _clean_play(play: Play) -> None:
    play.name = (play.name or "").strip()
    if not play.name:
        raise ValidationError({"name": gettext("Give the play a name.")})
    if len(play.name) > PLAY_NAME_MAX:  # checked before the name is compared in the database
        raise ValidationError({"name": gettext("At most %(limit)s characters.") % {"limit": PLAY_NAME_MAX}})
    if Play.objects.for_workspace(play.workspace_id).filter(name__iexact=play.name).exclude(pk=play.pk).exists():
        raise ValidationError({"name": gettext("Another play has this name.")})


@transaction.atomic
def play_create(
    *,
    workspace: Workspace,
    name: str,
    steps: Sequence[dict[str, Any]],
    description: str = "",
    exit_stage: str = "",
    is_active: bool = True,
    by: User | None = None,
) -> Play:
    play = Play(
        workspace=workspace,
        name=name,
        description=description or "",
        exit_stage=exit_stage or "",
        is_active=is_active,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    _clean_play(play)
    cleaned = _clean_steps(workspace, steps)
    play.save()
    PlayStep.objects.bulk_create([PlayStep(workspace=workspace, play=play, **s) for s in cleaned])
    return play


@transaction.atomic
def play_update(
    play: Play, *, by: User | None = None, steps: Sequence[dict[str, Any]] | None = None, **data: Any
) -> Play:
    """Change a play; given ``steps`` replace the steps that have not produced tasks yet and add the rest."""
    extra = set(data) - {"name", "description", "exit_stage", "is_active"}
    if extra:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(extra)})
    for field, value in data.items():
        setattr(play, field, value)
    _clean_play(play)
    play.save()
    if steps is not None:
        cleaned = _clean_steps(play.workspace, steps)
        play.steps.filter(runs__isnull=True).delete()
        kept = {(s.day_offset, s.title) for s in play.steps.all()}
        PlayStep.objects.bulk_create(
            [
                PlayStep(workspace=play.workspace, play=play, **s)
                for s in cleaned
                if (s["day_offset"], s["title"]) not in kept
            ]
        )
    return play


@transaction.atomic
def play_delete(play: Play, *, by: User | None = None) -> None:
    for enrolment in play.enrolments.filter(status=EnrolmentStatus.ACTIVE):
        _cancel_open_tasks(enrolment, by=by)
    play.delete()


def _cancel_open_tasks(enrolment: PlayEnrolment, *, by: User | None) -> None:
    task_ids = enrolment.runs.exclude(task=None).values_list("task_id", flat=True)
    for task in Task.objects.filter(pk__in=list(task_ids), status=TaskStatus.OPEN):
        task_cancel(task=task, by=by)


def _exit_reached(workspace: Workspace) -> Callable[[str, str], bool]:
    """Whether an account at ``stage`` has reached a play's ``exit_stage``: that stage or a later one of the
    workspace's journey (an account that went from Engaged straight to Customer passed a play's exit at Opportunity,
    and stayed enrolled for ever when only the exact stage counted). A stage the list does not know counts only when
    it is the exit stage itself."""
    rank = {key: i for i, (key, _) in enumerate(hooks.journey_stages(workspace=workspace))}  # the top stage first

    def reached(stage: str, exit_stage: str) -> bool:
        if not exit_stage:
            return False
        if stage == exit_stage:
            return True
        return stage in rank and exit_stage in rank and rank[stage] < rank[exit_stage]

    return reached


@dataclass(frozen=True)
class EnrolResult:
    """What :func:`play_enrol` did with the accounts offered: ``enrolled`` of them, ``already_active`` skipped as
    active in the play, ``past_exit`` skipped as at its exit stage or a later one (the form and the API say so)."""

    enrolled: int = 0
    already_active: int = 0
    past_exit: int = 0


@transaction.atomic
def play_enrol(
    *, play: Play, accounts: Iterable[Account], by: User | None = None, today: dt.date | None = None
) -> EnrolResult:
    """Enrol accounts (those already active in the play, and those that have reached its exit stage, are skipped
    and counted)."""
    if not play.is_active:
        raise ValidationError({"play": gettext("This play is paused; activate it before enrolling accounts.")})
    today = today or timezone.localdate()
    accounts = [a for a in accounts if a.workspace_id == play.workspace_id]
    reached = _exit_reached(play.workspace)
    active = set(
        PlayEnrolment.objects.filter(play=play, status=EnrolmentStatus.ACTIVE, account__in=accounts).values_list(
            "account_id", flat=True
        )
    )
    offered = [a for a in accounts if a.pk not in active]
    fresh = [a for a in offered if not reached(a.journey_stage, play.exit_stage)]
    PlayEnrolment.objects.bulk_create(
        [
            PlayEnrolment(
                workspace=play.workspace,
                play=play,
                account=a,
                enrolled_on=today,
                stage_at_enrolment=a.journey_stage,
                enrolled_by=by if by and by.is_authenticated else None,
            )
            for a in fresh
        ],
        batch_size=1000,
    )
    return EnrolResult(enrolled=len(fresh), already_active=len(active), past_exit=len(offered) - len(fresh))


@transaction.atomic
def play_exit(
    *,
    enrolment: PlayEnrolment,
    reason: str | Msg = "",
    by: User | None = None,
    today: dt.date | None = None,
) -> PlayEnrolment:
    """Take an account out of a play: its open step tasks are cancelled. ``reason``: what a person typed, or a
    message the portal writes (kept as a key too, so pages show it in each reader's language)."""
    enrolment = PlayEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return enrolment
    _cancel_open_tasks(enrolment, by=by)
    if not reason:
        reason = msg(gettext_noop("Taken out by hand"))
    enrolment.status = EnrolmentStatus.EXITED
    enrolment.ended_on = today or timezone.localdate()
    enrolment.exit_reason = english(reason)[:200]
    enrolment.texts = {**(enrolment.texts or {}), **specs(exit_reason=reason)}
    enrolment.save(update_fields=["status", "ended_on", "exit_reason", "texts"])
    return enrolment


def _assignee(account: Account, owner_role: str, team: dict[tuple[int, str], Any]) -> Any:
    if owner_role != "owner":
        user = team.get((account.pk, owner_role))
        if user is not None:
            return user
    return account.owner


def _target(step: PlayStep, contacts: list[Contact]) -> Contact | None:
    for c in contacts:
        if c.do_not_contact or c.left_at is not None:
            continue
        if step.target_role and c.buying_role != step.target_role:
            continue
        if step.target_persona_id and c.persona_id != step.target_persona_id:
            continue
        return c
    return None


def _english(label_of: Any) -> str:
    """A choice's English label (its msgid) whatever language is active, stored with ``label()``."""
    with translation.override("en"):
        return str(label_of())


def _describe(step: PlayStep) -> Msg:
    lines: list[Any] = [msg(gettext_noop("Channel: %(channel)s."), channel=label(_english(step.get_channel_display)))]
    if step.asset is not None:
        if step.asset.url:
            lines.append(msg(gettext_noop("Content: %(title)s (%(url)s)."), title=step.asset.title, url=step.asset.url))
        else:
            lines.append(msg(gettext_noop("Content: %(title)s."), title=step.asset.title))
    if step.template is not None:
        lines.append(msg(gettext_noop("Outreach template: %(name)s."), name=step.template.name))
    if step.target_role or step.target_persona_id:
        role = label(_english(step.get_target_role_display)) if step.target_role else ""
        if step.target_persona is not None and role:
            who: Any = msg(gettext_noop("%(role)s (%(persona)s)"), role=role, persona=step.target_persona.name)
        else:
            who = role or (step.target_persona.name if step.target_persona is not None else "")
        lines.append(msg(gettext_noop("For: %(who)s."), who=who))
    lines.append(msg(gettext_noop("Completing this task logs the touch in the account's timeline.")))
    return msg("%(lines)s", lines=joined(lines, sep="\n"))


def play_steps_schedule(*, workspace: Workspace, today: dt.date | None = None) -> dict[str, int]:
    """Exit enrolments that reached their play's exit stage; create the tasks of every step now due.

    Safe to repeat and to run concurrently: a (enrolment, step) pair produces one task at most.
    """
    today = today or timezone.localdate()
    created = exited = completed = 0
    enrolments = list(
        PlayEnrolment.objects.for_workspace(workspace)
        .filter(status=EnrolmentStatus.ACTIVE, play__is_active=True)
        .select_related("play", "account__owner")
    )
    exit_reached = _exit_reached(workspace)
    exiting = [e for e in enrolments if exit_reached(e.account.journey_stage, e.play.exit_stage)]
    for enrolment in exiting:
        reached = msg(gettext_noop("Reached the %(stage)s stage"), stage=stage_param(enrolment.play.exit_stage))
        play_exit(enrolment=enrolment, reason=reached, today=today)
        exited += 1
    left = {e.pk for e in exiting}
    enrolments = [e for e in enrolments if e.pk not in left]
    if not enrolments:
        return {"created": 0, "exited": exited, "completed": 0}
    steps: dict[int, list[PlayStep]] = {}
    for step in (
        PlayStep.objects.for_workspace(workspace)
        .filter(play_id__in={e.play_id for e in enrolments})
        .select_related("asset", "template", "target_persona")
    ):
        steps.setdefault(step.play_id, []).append(step)
    done = set(
        PlayStepRun.objects.for_workspace(workspace)
        .filter(enrolment__in=enrolments)
        .values_list("enrolment_id", "step_id")
    )
    account_ids = {e.account_id for e in enrolments}
    contacts: dict[int, list[Contact]] = {}
    for c in Contact.objects.for_workspace(workspace).filter(account_id__in=account_ids).order_by("last_name", "pk"):
        contacts.setdefault(c.account_id, []).append(c)
    team = {
        (m.account_id, m.team_role): m.user
        for m in AccountTeamMember.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .select_related("user")
    }
    for enrolment in enrolments:
        play_steps = sorted(steps.get(enrolment.play_id, []), key=lambda s: (s.day_offset, s.pk))
        for step in play_steps:
            due = enrolment.enrolled_on + dt.timedelta(days=step.day_offset)
            if (enrolment.pk, step.pk) in done or due > today:
                continue
            if _step_task_create(enrolment, step, due, contacts.get(enrolment.account_id, []), team):
                created += 1
        if play_steps and all(
            (enrolment.pk, s.pk) in done or enrolment.enrolled_on + dt.timedelta(days=s.day_offset) <= today
            for s in play_steps
        ):
            completed += int(_complete_if_all_done(enrolment, today))
    return {"created": created, "exited": exited, "completed": completed}


def _step_task_create(
    enrolment: PlayEnrolment, step: PlayStep, due: dt.date, contacts: list[Contact], team: dict[tuple[int, str], Any]
) -> bool:
    contact = _target(step, contacts)
    title = msg(gettext_noop("%(play)s: %(step)s"), play=enrolment.play.name, step=step.title)
    if contact is None and (step.target_role or step.target_persona_id):
        if step.target_role:
            english_who = _english(step.get_target_role_display).lower()
            who: Any = label(_english(step.get_target_role_display), lower=True)
        else:
            english_who = (step.target_persona.name if step.target_persona is not None else "contact").lower()
            who = english_who
        find = (
            gettext_noop("%(play)s: %(step)s (find an %(who)s first)")
            if english_who[:1] in "aeiou"
            else gettext_noop("%(play)s: %(step)s (find a %(who)s first)")
        )
        title = msg(find, play=enrolment.play.name, step=step.title, who=who)
    try:
        with transaction.atomic():
            run = PlayStepRun.objects.create(
                workspace=enrolment.workspace, enrolment=enrolment, step=step, due_date=due
            )
            task = task_create(
                workspace=enrolment.workspace,
                title=title,
                account=enrolment.account,
                contact=contact,
                assignee=_assignee(enrolment.account, step.owner_role, team),
                due_date=due,
                description=_describe(step),
                source=TaskSource.PLAY,
                source_ref=f"play_step_run:{run.pk}",
            )
            run.task = task
            run.save(update_fields=["task"])
    except IntegrityError:  # another scheduler run made it first
        return False
    return True


def _complete_if_all_done(enrolment: PlayEnrolment, today: dt.date) -> bool:
    """An enrolment whose every step has a finished task is completed."""
    step_count = PlayStep.objects.filter(play_id=enrolment.play_id).count()
    runs = PlayStepRun.objects.filter(enrolment=enrolment).select_related("task")
    finished = [r for r in runs if r.task is None or r.task.status != TaskStatus.OPEN]
    if step_count and len(finished) >= step_count:
        done = msg(gettext_noop("Every step done"))
        PlayEnrolment.objects.filter(pk=enrolment.pk, status=EnrolmentStatus.ACTIVE).update(
            status=EnrolmentStatus.COMPLETED, ended_on=today, exit_reason=done.english(), texts=specs(exit_reason=done)
        )
        return True
    return False


@transaction.atomic
def play_step_touch_log(*, task_id: int) -> bool:
    """After a play-step task is completed: log its touch (once) in the account's timeline."""
    task = Task.objects.filter(pk=task_id, source=TaskSource.PLAY, status=TaskStatus.DONE).first()
    if task is None or not task.source_ref.startswith("play_step_run:"):
        return False
    run = (
        PlayStepRun.objects.select_for_update(of=("self",))
        .select_related("step", "step__asset", "enrolment__play")
        .filter(workspace_id=task.workspace_id, pk=int(task.source_ref.split(":", 1)[1]))
        .first()
    )
    if run is None or run.touch_logged_at is not None:
        return False
    step = run.step
    hooks.touch_log(
        workspace=task.workspace,
        account=task.account,
        contact=task.contact,
        channel=step.channel,
        occurred_at=task.completed_at or timezone.now(),
        external_id=f"play_step_run:{run.pk}",
        asset=step.asset,
        metadata={
            "play_id": run.enrolment.play_id,
            "play": run.enrolment.play.name,
            "step": step.title,
            "template_id": step.template_id,
            "task_id": task.pk,
            "outcome": task.outcome[:500],
        },
    )
    run.touch_logged_at = timezone.now()
    run.save(update_fields=["touch_logged_at"])
    return True
