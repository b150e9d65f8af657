"""Task pages: the Tasks list (filters, pagination, the team's overdue view for managers), "My tasks" on the
home page and the account page's tasks panel. Views call the work services; nothing here computes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe.http import MemberRequest
from abe.paging import ignored_params, paginate
from abe.views import safe_next, workspace_required
from accounts.models import Account
from accounts.prospecting.services import account_ids_editable

from . import selectors, services
from .models import TaskSource, TaskStatus

PAGE_SIZE = 25


def _is_manager(request: MemberRequest) -> bool:
    return rules.can_write_everything(request)


@workspace_required
def task_list_view(request: MemberRequest) -> HttpResponse:
    manager = _is_manager(request)
    # A value the filters do not offer (a typo, an old link, the managers' "overdue" for someone else) falls back to
    # the default the form then shows, and the page names it as ignored, as the other lists do: the task list took
    # ``status=zzz`` as "any status" under a form reading "Open", and ``scope=overdue`` as the team's overdue tasks
    # under "My tasks".
    invalid: list[str] = []
    scope = request.GET.get("scope") or "mine"
    if scope not in ("mine", "all", "overdue") or (scope == "overdue" and not manager):
        invalid.append("scope")
        scope = "mine"
    status = request.GET.get("status") or "open"
    if status not in (*TaskStatus.values, "any"):
        invalid.append("status")
        status = "open"
    source = request.GET.get("source", "")
    if source and source not in TaskSource.values:
        invalid.append("source")
        source = ""
    kwargs: dict = {"workspace": request.workspace}
    if scope == "mine":
        kwargs["assignee_id"] = request.user.pk
    if scope == "overdue":
        kwargs["overdue"] = True
    elif status in TaskStatus.values:
        kwargs["status"] = status
    qs = selectors.task_list(**kwargs)
    if source:
        qs = qs.filter(source=source)
    qs = qs.order_by("due_date", "id") if status != "done" else qs.order_by("-completed_at", "-id")
    page_obj = paginate(request, qs, key="tasks", default=PAGE_SIZE)
    tasks = list(page_obj.object_list)
    # Done / cancel / reopen on the tasks the reader may change (sales: assigned to them, or on their own and their
    # team's accounts): everyone's list showed them on every task, and a salesperson got a 403 page.
    accounts = account_ids_editable(
        request=request, workspace=request.workspace, account_ids=list({t.account_id for t in tasks})
    )
    editable = {t.pk for t in tasks if t.account_id in accounts or t.assignee_id == request.user.pk}
    return render(
        request,
        "work/list.html",
        {
            "page_obj": page_obj,
            "scope": scope,
            "status": status,
            "source": source,
            "manager": manager,
            "statuses": TaskStatus.choices,
            "sources": TaskSource.choices,
            "today": timezone.localdate(),
            "can_write": rules.can_write(request),
            "editable": editable if rules.can_write(request) else set(),
            "ignored": ignored_params(request, invalid=invalid),
        },
    )


def _back(request: MemberRequest, fallback: str) -> HttpResponse:
    return redirect(safe_next(request, fallback))


@require_POST
@workspace_required
def task_action_view(request: MemberRequest, pk: int, action: str) -> HttpResponse:
    task = get_object_or_404(selectors.task_list(workspace=request.workspace), pk=pk)
    if not rules.can_edit_object(request, task):
        raise PermissionDenied(gettext("You can only change your tasks or tasks of accounts you work on."))
    if action == "complete":
        services.task_complete(task=task, by=request.user, outcome=request.POST.get("outcome", "").strip()[:2000])
        messages.success(request, gettext("Done: %(task)s") % {"task": task.title})
    elif action == "cancel":
        services.task_cancel(task=task, by=request.user)
        messages.success(request, gettext("Cancelled: %(task)s") % {"task": task.title})
    elif action == "reopen":
        services.task_reopen(task=task, by=request.user)
        messages.success(request, gettext("Reopened: %(task)s") % {"task": task.title})
    else:
        raise PermissionDenied(gettext("Unknown action."))
    if request.htmx and request.POST.get("panel"):
        return account_panel_view(request, task.account_id)
    return _back(request, "work:list")


@require_POST
@workspace_required
def task_create_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    if not rules.can_edit_object(request, account):
        raise PermissionDenied(gettext("You can only add tasks to accounts you own or are on the team of."))
    due = request.POST.get("due_date") or None
    try:
        import datetime as dt

        due_date = dt.date.fromisoformat(due) if due else None
        services.task_create(
            workspace=request.workspace,
            title=request.POST.get("title", ""),
            account=account,
            by=request.user,
            assignee=request.user,
            due_date=due_date,
        )
    except ValueError:
        messages.error(request, gettext("Give the due date as YYYY-MM-DD."))
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(request, gettext("Task added."))
    return redirect("accounts:detail", pk=account.pk)


@workspace_required
def account_panel_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    tasks = list(
        selectors.task_list(workspace=request.workspace, account_id=account.pk, status=TaskStatus.OPEN).order_by(
            "due_date", "id"
        )[:20]
    )
    return render(
        request,
        "work/panels/account_tasks.html",
        {
            "account": account,
            "tasks": tasks,
            "today": timezone.localdate(),
            "can_edit": rules.can_edit_object(request, account),
        },
    )


@workspace_required
def home_my_tasks_view(request: MemberRequest) -> HttpResponse:
    qs = selectors.task_open_for_user(workspace=request.workspace, user_id=request.user.pk)
    return render(
        request,
        "work/partials/my_tasks.html",
        {
            "tasks": list(qs[:10]),
            "total": qs.count(),
            "today": timezone.localdate(),
        },
    )
