"""Home page per role from the registry's sections, the nav and settings links from the registry (per role)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from abe.models import Job, JobStatus
from activation.models import Alert, AlertRecipient
from engagement.models import JourneyStageChange
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _alert(workspace, user, minutes, severity, account=None):
    alert = Alert.objects.create(
        workspace=workspace,
        dedupe_key=f"{severity}{minutes}",
        severity=severity,
        title=f"{severity} alert {minutes}",
        message="why",
        account=account,
        created_at=timezone.now() - timedelta(minutes=minutes),
    )
    AlertRecipient.objects.create(workspace=workspace, alert=alert, user=user)
    return alert


def test_home_loads_my_day_for_sales_and_pulse_for_marketing(client, sales_user, marketing_user):
    client.force_login(sales_user)
    sales_home = client.get("/").content.decode()
    client.force_login(marketing_user)
    marketing_home = client.get("/").content.decode()

    assert reverse("home:my_day") in sales_home and reverse("home:pulse") not in sales_home
    assert reverse("home:pulse") in marketing_home and reverse("home:my_day") not in marketing_home


def test_my_day_shows_my_accounts_alerts_by_severity_and_stage_changes(client, sales_user, workspace):
    mine = AccountFactory(
        workspace=workspace,
        name="Globex",
        owner=sales_user,
        tier="strategic",
        journey_stage="mqa",
        engagement_momentum=0.12,
    )
    AccountFactory(workspace=workspace, name="Not mine", tier="strategic")
    _alert(workspace, sales_user, 1, "medium", mine)
    _alert(workspace, sales_user, 50, "critical", mine)
    JourneyStageChange.objects.create(
        workspace=workspace,
        account=mine,
        from_stage="engaged",
        to_stage="mqa",
        changed_at=timezone.now() - timedelta(days=2),
    )
    client.force_login(sales_user)

    html = client.get(reverse("home:my_day")).content.decode()

    assert "Globex" in html and "Not mine" not in html and "+12%" in html
    assert html.index("critical alert 50") < html.index("medium alert 1")
    assert "Engaged → <strong>MQA</strong>" in html


def test_my_day_counts_my_open_tasks_marks_the_overdue_ones_and_links_to_all_of_them(client, sales_user, workspace):
    # given ten open tasks of mine (one due yesterday, one next week, the rest without a date) and one of someone else
    from work.services import task_create

    account = AccountFactory(workspace=workspace, name="Initech", owner=sales_user)
    today = timezone.localdate()
    task_create(
        workspace=workspace, title="Late call", account=account, assignee=sales_user, due_date=today - timedelta(days=1)
    )
    task_create(
        workspace=workspace, title="Next call", account=account, assignee=sales_user, due_date=today + timedelta(days=7)
    )
    for n in range(8):
        task_create(workspace=workspace, title=f"Undated {n}", account=account, assignee=sales_user)
    task_create(workspace=workspace, title="Not mine", account=account, assignee=None)
    client.force_login(sales_user)

    html = client.get(reverse("home:my_day")).content.decode()

    # then the list says how many are open (it shows eight), links to them all and to each task's account, and
    # marks the late one alone (the home page showed "due June 7" for a task six months late, no count, no link)
    tasks = html[html.index('id="my-tasks"') :]
    assert "(10 open)" in html and reverse("work:list") in html
    assert tasks.count("Overdue") == 1 and tasks.index("Late call") < tasks.index("Overdue") < tasks.index("Next call")
    assert f'href="{reverse("accounts:detail", args=[account.pk])}"' in tasks and "Not mine" not in html


def test_my_day_reads_the_same_number_of_queries_for_one_task_and_account_as_for_many(client, sales_user, workspace):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from work.services import task_create

    client.force_login(sales_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home:my_day")).status_code == 200
        return len(captured)

    def add(start: int, n: int) -> None:
        for i in range(start, start + n):
            account = AccountFactory(workspace=workspace, owner=sales_user, tier="strategic")
            task_create(workspace=workspace, title=f"Call {i}", account=account, assignee=sales_user)
            _alert(workspace, sales_user, i, "high", account)

    add(0, 1)
    few = queries()
    add(1, 12)
    assert queries() == few


def test_pulse_counts_mqas_late_alerts_and_failed_jobs(client, marketing_user, admin_user, workspace):
    account = AccountFactory(workspace=workspace)
    JourneyStageChange.objects.create(
        workspace=workspace,
        account=account,
        from_stage="engaged",
        to_stage="mqa",
        changed_at=timezone.now() - timedelta(days=1),
    )
    _alert(workspace, admin_user, 120, "critical")  # beyond the 1 h SLA
    _alert(workspace, admin_user, 10, "critical")  # within it
    Job.objects.create(
        workspace=workspace,
        kind="accounts_bulk",
        label="Pin 500 accounts",
        status=JobStatus.FAILED,
        message="Say why these accounts are moved by hand.",
    )
    client.force_login(marketing_user)

    html = client.get(reverse("home:pulse")).content.decode()

    assert 'id="pulse-mqas">1<' in html and 'id="pulse-late">1<' in html
    assert "Pin 500 accounts" in html and "Say why" in html and 'id="pulse-jobs-count">1<' in html


@pytest.mark.parametrize(
    ("role_user", "visible", "hidden"),
    [
        ("viewer_user", ["Accounts", "Personas", "Settings"], ["Engagement scoring", "Webhooks", "Import CSV"]),
        ("sales_user", ["Upload events"], ["Engagement scoring", "Webhooks", "Import CSV"]),
        ("admin_user", ["Engagement scoring", "Webhooks", "Import CSV", "Upload events"], []),
    ],
)
def test_nav_and_settings_links_come_from_the_registry_per_role(client, request, role_user, visible, hidden):
    client.force_login(request.getfixturevalue(role_user))

    html = client.get(reverse("settings:index")).content.decode()

    for label in visible:
        assert f">{label}<" in html
    for label in hidden:
        assert f">{label}<" not in html
    assert 'href="/settings/" class="active" aria-current="page"' in html


def test_tier_board_highlights_tier_board_not_accounts(admin_client):
    html = admin_client.get(reverse("accounts:tier_board")).content.decode()

    assert 'href="/accounts/tiers/" class="active"' in html and 'href="/accounts/" class="active"' not in html


def test_pulse_names_the_late_alerts_severities_in_the_readers_language_most_severe_first(
    client, marketing_user, admin_user, workspace
):
    # It showed the stored keys in no order: "Medium 1 · Critical 1 · High 4", also on a Spanish page.
    _alert(workspace, admin_user, 60 * 30, "medium")
    _alert(workspace, admin_user, 120, "critical")
    _alert(workspace, admin_user, 600, "high")
    _alert(workspace, admin_user, 601, "high")
    client.force_login(marketing_user)

    english = client.get(reverse("home:pulse")).content.decode()
    spanish = client.get(reverse("home:pulse"), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Critical 1 · High 2 · Medium 1" in english
    assert "Crítica 1 · Alta 2 · Media 1" in spanish
