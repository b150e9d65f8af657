"""Play pages: list, edit (steps as rows), detail (enrol by tier / owner / stage, take out), report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, pgettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe.http import MemberRequest
from abe.labels import stage_label
from abe.paging import paginate, whole_number
from abe.views import workspace_required
from accounts.models import Account, TeamRole, Tier
from accounts.prospecting.services import editable_account_ids
from accounts.selectors import workspace_users
from personas.models import BuyingRole, Channel, Persona

from .. import hooks
from ..models import ContentAsset, EnrolmentStatus, PlayEnrolment
from ..selectors.outreach import outreach_template_list
from ..selectors.plays import play_enrolments, play_list, play_report
from ..services.plays import play_create, play_delete, play_enrol, play_exit, play_steps_schedule, play_update

STEP_ROWS = 8
#: Accounts one enrolment offers to a play (the form's confirmation says so).
ENROL_MAX = 5000


def _errors(exc: ValidationError) -> str:
    return " ".join(m for msgs in exc.message_dict.values() for m in msgs)


def _count(n: int) -> str:
    """A count in a message, grouped as the lists show it ("1,143", not "1143")."""
    return number_format(n, force_grouping=True)


def _listed(values: list[str], shown: int = 10) -> str:
    """The first ``shown`` of some typed values for a message, with an ellipsis for the rest."""
    return ", ".join(v[:40] for v in values[:shown]) + (" …" if len(values) > shown else "")


def _play(request: MemberRequest, pk: int):
    return get_object_or_404(play_list(workspace=request.workspace), pk=pk)


@workspace_required
def play_list_view(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "content/play_list.html",
        {
            "plays": play_list(workspace=request.workspace),
            "can_edit": rules.can_write_everything(request),
        },
    )


def _posted_count(request: MemberRequest) -> int:
    """How many step rows the form sent: at least ``STEP_ROWS``, more for a play with more steps (one made through
    the API), whose rows past the eighth were dropped on save when only eight were read."""
    sent = [n for k in request.POST if k.startswith("title_") and (n := whole_number(k[6:], max_digits=3)) is not None]
    return max(STEP_ROWS, *(i + 1 for i in sent)) if sent else STEP_ROWS


def _step_rows(request: MemberRequest) -> list[dict]:
    ws = request.workspace
    personas = {str(p.pk): p for p in Persona.objects.for_workspace(ws)}
    assets = {str(a.pk): a for a in ContentAsset.objects.for_workspace(ws)}
    templates = {str(t.pk): t for t in outreach_template_list(workspace=ws)}
    steps = []
    for i in range(_posted_count(request)):
        title = request.POST.get(f"title_{i}", "").strip()
        if not title:
            continue
        offset = request.POST.get(f"day_offset_{i}", "").strip() or "0"  # a blank day: at enrolment
        steps.append(
            {
                "title": title,
                "day_offset": -1 if (day := whole_number(offset, max_digits=9)) is None else day,
                "channel": request.POST.get(f"channel_{i}", ""),
                "target_role": request.POST.get(f"target_role_{i}", ""),
                "target_persona": personas.get(request.POST.get(f"target_persona_{i}", "")),
                "asset": assets.get(request.POST.get(f"asset_{i}", "")),
                "template": templates.get(request.POST.get(f"template_{i}", "")),
                "owner_role": request.POST.get(f"owner_role_{i}", "owner"),
            }
        )
    return steps


def _posted_rows(request: MemberRequest) -> list[dict]:
    """The step rows as the user sent them, to show again with the form's error (not the saved steps, nor blank
    rows: a refused form kept nothing of the steps typed)."""

    def pk(name: str) -> int | None:
        value = request.POST.get(name, "")
        return whole_number(value)

    return [
        {
            "title": request.POST.get(f"title_{i}", ""),
            "day_offset": request.POST.get(f"day_offset_{i}", ""),
            "channel": request.POST.get(f"channel_{i}", "email"),
            "target_role": request.POST.get(f"target_role_{i}", ""),
            "target_persona": pk(f"target_persona_{i}"),
            "asset": pk(f"asset_{i}"),
            "template": pk(f"template_{i}"),
            "owner_role": request.POST.get(f"owner_role_{i}", "owner"),
        }
        for i in range(_posted_count(request))
    ]


@workspace_required
def play_form_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Admins and marketing design plays."))
    play = _play(request, pk) if pk else None
    error = ""
    if request.method == "POST":
        data: dict[str, Any] = {
            "name": request.POST.get("name", ""),
            "description": request.POST.get("description", ""),
            "exit_stage": request.POST.get("exit_stage", ""),
            "is_active": bool(request.POST.get("is_active")),
        }
        try:
            if play is None:
                play = play_create(workspace=request.workspace, by=request.user, steps=_step_rows(request), **data)
            else:
                play_update(play, by=request.user, steps=_step_rows(request), **data)
        except ValidationError as exc:
            error = _errors(exc)
        else:
            messages.success(request, gettext("Play “%(name)s” saved.") % {"name": play.name})
            return redirect("content:play_detail", pk=play.pk)
    existing = list(play.steps.all()) if play and not error else []
    rows = _posted_rows(request) if error else []
    rows += [
        {
            "title": s.title,
            "day_offset": s.day_offset,
            "channel": s.channel,
            "target_role": s.target_role,
            "target_persona": s.target_persona_id,
            "asset": s.asset_id,
            "template": s.template_id,
            "owner_role": s.owner_role,
        }
        for s in existing
    ]
    rows += [
        {
            "title": "",
            "day_offset": "",
            "channel": "email",
            "target_role": "",
            "target_persona": None,
            "asset": None,
            "template": None,
            "owner_role": "owner",
        }
    ] * (0 if error else max(STEP_ROWS - len(rows), 2 if len(rows) >= STEP_ROWS else 0))  # room on a long play
    return render(
        request,
        "content/play_form.html",
        {
            "play": play,
            "rows": rows,
            "error": error,
            "post": request.POST if request.method == "POST" else None,
            "channels": Channel.choices,
            "roles": BuyingRole.choices,
            "owner_roles": _owner_roles(),
            "personas": Persona.objects.for_workspace(request.workspace).order_by("name"),
            "assets": ContentAsset.objects.for_workspace(request.workspace).order_by("title"),
            "templates": outreach_template_list(workspace=request.workspace),
            "stages": hooks.journey_stages(workspace=request.workspace),
        },
    )


def _owner_roles() -> list[tuple[str, str]]:
    """Who does a step: the account's owner, or whoever holds a team role on the account."""
    return [("owner", gettext("Account owner")), *((value, str(label)) for value, label in TeamRole.choices)]


@workspace_required
def play_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    play = _play(request, pk)
    page_obj = paginate(request, play_enrolments(play=play), key="play_enrolments")
    can_design = rules.can_write_everything(request)
    # Sales take out only accounts they work on (``play_exit_view``): the page's rows they may, in one query.
    takeable: set[int] = set()
    if not can_design and rules.can_write(request):
        ids = [e.account_id for e in page_obj]
        takeable = set(editable_account_ids(request=request, workspace=request.workspace, account_ids=ids))
    return render(
        request,
        "content/play_detail.html",
        {
            "play": play,
            "can_design": can_design,
            "takeable": takeable,
            "steps": play.steps.select_related("asset", "template", "target_persona"),
            "owner_role_labels": dict(_owner_roles()),
            "page_obj": page_obj,
            "can_edit": rules.can_write(request),
            "tiers": Tier.choices,
            "users": list(workspace_users(workspace=request.workspace)),
            "stages": hooks.journey_stages(workspace=request.workspace),
            "report": play_report(play=play),
        },
    )


@require_POST
@workspace_required
def play_enrol_view(request: MemberRequest, pk: int) -> HttpResponse:
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot enrol accounts."))
    play = _play(request, pk)
    qs = Account.objects.for_workspace(request.workspace)
    tier, owner, stage = (request.POST.get(k, "") for k in ("tier", "owner", "stage"))
    tokens = request.POST.get("account_ids", "").replace(",", " ").split()
    numbers = {x: whole_number(x) for x in tokens}
    ids = [n for n in numbers.values() if n is not None]
    not_ids = _listed([x for x, n in numbers.items() if n is None])
    if not (tier or owner or stage or ids):
        messages.error(
            request,
            gettext("Not account ids: %(ids)s. Account ids are whole numbers.") % {"ids": not_ids}
            if not_ids
            else gettext("Choose a tier, an owner or a stage, or list account ids."),
        )
        return redirect("content:play_detail", pk=play.pk)
    if tier:
        qs = qs.filter(tier=tier)
    if owner:
        qs = qs.filter(owner_id=request.user.pk if owner == "me" else (whole_number(owner) or 0))
    if stage:
        # The engagement copy has the (workspace, tier, stage) index the account row no longer has.
        qs = qs.filter(engagement_rank__workspace_id=request.workspace.pk, engagement_rank__journey_stage=stage)
    if ids:
        qs = qs.filter(pk__in=ids)
    if not rules.can_write_everything(request):  # sales enrol only the accounts they work on
        qs = qs.filter(owner=request.user) | qs.filter(team_members__user=request.user)
    accounts = list(qs.distinct()[:ENROL_MAX])
    try:
        enrolled = play_enrol(play=play, accounts=accounts, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("content:play_detail", pk=play.pk)
    result = play_steps_schedule(workspace=request.workspace)
    n = enrolled.enrolled
    (messages.success if n else messages.info)(
        request,
        ngettext("%(count)s account enrolled", "%(count)s accounts enrolled", n) % {"count": _count(n)}
        + "; "
        + ngettext("%(count)s task due today created.", "%(count)s tasks due today created.", result["created"])
        % {"count": _count(result["created"])},
    )
    # What was left out, and why: "0 accounts enrolled" alone reads as a fault.
    skipped = []
    if enrolled.already_active:
        skipped.append(
            ngettext(
                "%(count)s account was already in the play.",
                "%(count)s accounts were already in the play.",
                enrolled.already_active,
            )
            % {"count": _count(enrolled.already_active)}
        )
    if enrolled.past_exit:
        skipped.append(
            ngettext(
                "%(count)s account is at %(stage)s or a later stage, where the play ends: not enrolled.",
                "%(count)s accounts are at %(stage)s or a later stage, where the play ends: not enrolled.",
                enrolled.past_exit,
            )
            % {"count": _count(enrolled.past_exit), "stage": stage_label(play.exit_stage)}
        )
    capped = len(accounts) == ENROL_MAX and qs.distinct()[ENROL_MAX : ENROL_MAX + 1].exists()
    missing = [] if capped else sorted(set(ids) - {a.pk for a in accounts})  # past the cap is not missing
    if missing:
        skipped.append(
            ngettext(
                "No account you can enrol here has the id %(ids)s.",
                "No account you can enrol here has the ids %(ids)s.",
                len(missing),
            )
            % {"ids": _listed([str(i) for i in missing])}
        )
    if not_ids:
        skipped.append(gettext("Not account ids, left out: %(ids)s.") % {"ids": not_ids})
    if capped:
        skipped.append(
            gettext(
                "More than %(max)s accounts matched: only the first %(max)s were offered. "
                "Narrow the filters to reach the rest."
            )
            % {"max": _count(ENROL_MAX)}
        )
    if skipped:
        messages.warning(request, " ".join(skipped))
    return redirect("content:play_detail", pk=play.pk)


@require_POST
@workspace_required
def play_exit_view(request: MemberRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    play = _play(request, pk)
    enrolment = get_object_or_404(
        PlayEnrolment.objects.filter(play=play, status=EnrolmentStatus.ACTIVE), pk=enrolment_pk
    )
    if not rules.can_edit_object(request, enrolment.account):
        raise PermissionDenied(gettext("You can only take out accounts you own or are on the team of."))
    play_exit(enrolment=enrolment, reason=request.POST.get("reason", "").strip(), by=request.user)
    messages.success(
        request,
        gettext("%(account)s left the play; its open step tasks are cancelled.") % {"account": enrolment.account.name},
    )
    return redirect("content:play_detail", pk=play.pk)


@workspace_required
def play_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Admins and marketing delete plays."))
    play = _play(request, pk)
    if request.method == "POST":
        play_delete(play, by=request.user)
        messages.success(request, gettext("Play “%(name)s” deleted.") % {"name": play.name})
        return redirect("content:plays")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": play,
            "kind": pgettext("deleted object", "play"),
            "cancel_url": reverse("content:play_detail", args=[play.pk]),
            "consequence": gettext("Its enrolments end and their open step tasks are cancelled."),
        },
    )
