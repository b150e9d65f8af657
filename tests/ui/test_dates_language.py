"""Short dates follow the reader's language: "Nov 27" was written in English order in Spanish ("vence el Nov 27")."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AccountFactory
from work.services import task_create

pytestmark = pytest.mark.django_db


def test_a_tasks_due_date_on_my_day_reads_in_spanish(client, sales_user, workspace):
    account = AccountFactory(workspace=workspace, owner=sales_user)
    task_create(
        workspace=workspace, title="Llamar", account=account, assignee=sales_user, due_date=dt.date(2026, 11, 27)
    )
    client.force_login(sales_user)
    spanish = client.get(reverse("home:my_day"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get(reverse("home:my_day"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # with the year, as every date of the portal (a task due last June read "due June 7" in December)
    assert "· vence el 27/11/2026" in spanish and "Nov 27" not in spanish
    assert "· due 2026-11-27" in english
