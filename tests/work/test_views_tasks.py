"""Task pages: my tasks, the team's overdue view for managers, the home fragment and the account panel."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import AccountFactory
from work.models import Task
from work.services import task_create

pytestmark = pytest.mark.django_db


def _task(workspace, user, title, days):
    account = AccountFactory(workspace=workspace, owner=user)
    return task_create(
        workspace=workspace,
        title=title,
        account=account,
        assignee=user,
        due_date=dt.date.today() + dt.timedelta(days=days),
    )


def test_my_tasks_overdue_for_managers_and_home_fragment(
    client, workspace, sales_user, marketing_user, django_assert_max_num_queries
):
    _task(workspace, sales_user, "Call Ana", -2)
    _task(workspace, sales_user, "Send the ROI case", 3)
    _task(workspace, marketing_user, "Plan the webinar", 1)

    client.force_login(sales_user)
    with django_assert_max_num_queries(10):
        mine = client.get("/tasks/").content.decode()
    home = client.get("/tasks/home/my-tasks/").content.decode()
    client.force_login(marketing_user)
    overdue = client.get("/tasks/?scope=overdue").content.decode()

    assert "Call Ana" in mine and "Send the ROI case" in mine and "Plan the webinar" not in mine
    assert "Overdue" in mine and "2 open" in home
    assert "Call Ana" in overdue and "Send the ROI case" not in overdue


def test_complete_from_the_account_panel(client, workspace, sales_user, viewer_user):
    task = _task(workspace, sales_user, "Call Ana", 0)
    client.force_login(viewer_user)
    assert client.post(f"/tasks/{task.pk}/complete/", {"outcome": "x"}).status_code == 403

    client.force_login(sales_user)
    panel = client.get(f"/tasks/accounts/{task.account_id}/panel/")
    done = client.post(f"/tasks/{task.pk}/complete/", {"outcome": "Booked", "panel": "1"}, HTTP_HX_REQUEST="true")

    assert "Call Ana" in panel.content.decode()
    assert done.status_code == 200 and "No open tasks" in done.content.decode()
    assert Task.objects.get(pk=task.pk).outcome == "Booked"


def test_task_messages_and_errors_read_in_the_users_language(client, workspace, sales_user):
    from django.contrib.messages import get_messages

    from abe.models import UserPreference

    UserPreference.objects.create(user=sales_user, language="es")
    account = AccountFactory(workspace=workspace, owner=sales_user)
    client.force_login(sales_user)

    client.post(f"/tasks/accounts/{account.pk}/new/", {"title": "Llamar", "due_date": "31/12/2026"})
    client.post(f"/tasks/accounts/{account.pk}/new/", {"title": " "})
    added = client.post(f"/tasks/accounts/{account.pk}/new/", {"title": "Llamar a Ana"})

    said = [str(m) for m in get_messages(added.wsgi_request)]  # the three, not yet shown
    assert said == ["Indica la fecha de vencimiento como AAAA-MM-DD.", "Di qué hay que hacer.", "Tarea añadida."]


def test_everyones_tasks_offer_done_and_cancel_only_on_the_tasks_the_reader_may_change(
    client, workspace, sales_user, marketing_user
):
    """A salesperson's view of everyone's tasks showed "Done" and "Cancel" on every task, and a 403 page on the
    tasks of accounts they neither own nor are on the team of."""
    theirs = _task(workspace, marketing_user, "Plan the webinar", 1)
    mine = _task(workspace, sales_user, "Call Ana", 1)
    owned = AccountFactory(workspace=workspace, owner=sales_user)
    on_my_account = Task.objects.create(workspace=workspace, account=owned, title="Demo", assignee=marketing_user)

    client.force_login(sales_user)
    page = client.get("/tasks/?scope=all").content.decode()

    def offered(task) -> bool:
        return f'action="/tasks/{task.pk}/complete/"' in page

    assert "Plan the webinar" in page
    assert (offered(theirs), offered(mine), offered(on_my_account)) == (False, True, True)
    assert client.post(f"/tasks/{theirs.pk}/complete/", {"outcome": "x"}).status_code == 403
    client.force_login(marketing_user)
    assert f'action="/tasks/{mine.pk}/complete/"' in client.get("/tasks/?scope=all").content.decode()


def test_task_filters_name_the_values_they_ignored(client, workspace, sales_user, marketing_user):
    """A value the filters do not offer fell back silently: ``status=zzz`` listed every status under a form
    reading "Open", and a salesperson's ``scope=overdue`` listed the team's overdue tasks under "My tasks"."""
    open_task = _task(workspace, sales_user, "Call Ana", 2)
    done = _task(workspace, sales_user, "Send the ROI case", 1)
    done.status, done.completed_at = "done", dt.datetime.now(dt.UTC)
    done.save()
    _task(workspace, marketing_user, "Plan the webinar", -3)

    client.force_login(sales_user)
    bad = client.get("/tasks/?status=zzz&source=nowhere").content.decode()
    overdue = client.get("/tasks/?scope=overdue").content.decode()
    good = client.get("/tasks/?status=any").content.decode()

    assert open_task.title in bad and "Send the ROI case" not in bad  # the default, "open"
    assert "status=zzz" in bad and "source=nowhere" in bad and 'id="ignored-params"' in bad
    assert '<option value="open" selected>' in bad
    assert "Plan the webinar" not in overdue and "scope=overdue" in overdue
    assert "Send the ROI case" in good and 'id="ignored-params"' not in good
    client.force_login(marketing_user)
    team = client.get("/tasks/?scope=overdue").content.decode()
    assert "Plan the webinar" in team and 'id="ignored-params"' not in team
