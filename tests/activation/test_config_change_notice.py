"""Consequences before saving (issue 11 item 3): the engagement settings preview says how many accounts change
stage and how many alerts would fire; the recompute after saving records the stage changes and sends one summary
notice (admins and owners, a link to the affected accounts) instead of one alert per account, unless asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from abe.models import Role
from activation.models import Alert, AlertKind, AlertRecipient, AlertStatus
from activation.tasks import rules_evaluate_task
from engagement.models import JourneyStageChange
from engagement.services import accounts_score, events_ingest
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _engage(workspace, name, owner):
    account = AccountFactory(workspace=workspace, name=name, owner=owner)
    people = [
        ContactFactory(account=account, buying_role=role, seniority="director")
        for role in ("decision_maker", "champion", "end_user")
    ]
    now = timezone.now()
    events_ingest(
        workspace=workspace,
        events=[
            {
                "source": "t",
                "external_id": f"{name}-{i}",
                "type": "meeting",
                "contact_email": people[i % 3].email,
                "occurred_at": (now - timedelta(days=i % 5, hours=i)).isoformat(),
            }
            for i in range(9)
        ],
    )
    accounts_score(workspace=workspace, account_ids=[account.pk])
    account.refresh_from_db()
    return account


@pytest.fixture
def owners(workspace):
    kams = []
    for username in ("kam1", "kam2"):
        user = UserFactory(username=username, email=f"{username}@example.com")
        MembershipFactory(user=user, workspace=workspace, role=Role.SALES)
        kams.append(user)
    return kams


@pytest.fixture
def engaged(workspace, owners):
    """Three engaged accounts below the MQA line (out of reach), and a rule on entering MQA."""
    from engagement.services import engagement_config_update

    engagement_config_update(
        workspace=workspace,
        stages=[
            {"key": "customer", "name": "Customer", "opportunity": "won"},
            {"key": "opportunity", "name": "Opportunity", "opportunity": "open"},
            {"key": "mqa", "name": "MQA", "min_score": 100000, "min_breadth": 2},
            {"key": "engaged", "name": "Engaged", "min_score": 1},
            {"key": "aware", "name": "Aware"},
        ],
    )
    accounts = [_engage(workspace, f"Hot {i}", owners[i % 2]) for i in range(3)]
    quiet = AccountFactory(workspace=workspace, name="Quiet", owner=owners[0])
    accounts_score(workspace=workspace, account_ids=[quiet.pk])
    assert {a.journey_stage for a in accounts} == {"engaged"}
    RuleFactory(
        workspace=workspace, name="Entered MQA", condition_type="stage_entered", params={"stage": "mqa", "days": 7}
    )
    return accounts, quiet


def _form_data(client, **changes):
    form = client.get("/engagement/settings/").context["form"]
    data = {name: ("on" if v is True else "" if v in (None, False) else v) for name, v in form.initial.items()}
    data.update({name: field.initial for name, field in form.fields.items() if name not in data})
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data.update(changes)
    return data


def test_preview_counts_stage_moves_and_the_alerts_they_would_fire(client, admin_user, engaged):
    client.force_login(admin_user)
    data = _form_data(client, stage_2__min_score="1")  # MQA now within reach of the three engaged accounts

    html = client.post("/engagement/settings/preview/", data).content.decode()

    assert '<strong id="preview-moved">3</strong> accounts would change journey stage' in html
    assert 'would fire <strong id="preview-alerts">3</strong> alerts' in html
    assert "one summary notice" in html
    assert JourneyStageChange.objects.filter(to_stage="mqa").count() == 0  # nothing saved

    ticked = client.post("/engagement/settings/preview/", {**data, "per_account_alerts": "on"}).content.decode()
    assert "each of those alerts goes to its account team" in ticked


def test_saving_records_the_moves_and_sends_one_summary_notice(
    client, admin_user, owners, engaged, django_capture_on_commit_callbacks
):
    accounts, quiet = engaged
    client.force_login(admin_user)
    data = _form_data(client, stage_2__min_score="1")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/engagement/settings/", data, follow=True)

    assert "one summary notice" in response.content.decode()
    assert JourneyStageChange.objects.filter(to_stage="mqa").count() == 3  # the stage changes are recorded
    rule_alerts = Alert.objects.filter(kind=AlertKind.RULE)
    assert rule_alerts.count() == 3 and not rule_alerts.exclude(status=AlertStatus.HELD_BACK).exists()
    assert not AlertRecipient.objects.filter(alert__kind=AlertKind.RULE).exists()  # nobody's inbox got them
    notice = Alert.objects.get(kind=AlertKind.SYSTEM)
    assert notice.title == "Engagement scoring settings changed: 3 accounts changed journey stage"
    assert "Engaged → MQA: 3" in notice.message and "3 alerts" in notice.message
    recipients = set(AlertRecipient.objects.filter(alert=notice).values_list("user__username", flat=True))
    assert recipients == {"admin1", "kam1", "kam2"}

    # The notice's link lists exactly the accounts that moved.
    client.force_login(owners[0])
    page = client.get(f"/alerts/{notice.pk}/").content.decode()
    url = notice.facts["accounts_url"]
    assert url.replace("&", "&amp;") in page
    listed = client.get(url)
    assert listed.status_code == 200
    names = {a.name for a in listed.context["page_obj"].object_list}
    assert names == {a.name for a in accounts} and quiet.name not in names
    assert "moved by the change of the engagement scoring settings, version " in listed.content.decode()


def test_a_repeated_recompute_task_sends_no_second_notice(
    client, admin_user, engaged, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/settings/", _form_data(client, stage_2__min_score="1"))
    notice = Alert.objects.get(kind=AlertKind.SYSTEM)
    change = {"key": notice.facts["config_change"], "label": "x", "at": notice.facts["at"], "moves": [[1, "a", "b"]]}

    rules_evaluate_task.delay(
        workspace_id=notice.workspace_id, account_ids=[a.pk for a in engaged[0]], config_change=change
    )

    assert Alert.objects.filter(kind=AlertKind.SYSTEM).count() == 1


def test_ticking_per_account_alerts_alerts_each_account_team(
    client, admin_user, engaged, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    data = _form_data(client, stage_2__min_score="1", per_account_alerts="on")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/settings/", data)

    assert Alert.objects.filter(kind=AlertKind.RULE, status=AlertStatus.OPEN).count() == 3
    assert not Alert.objects.filter(kind=AlertKind.SYSTEM).exists()
    owners_told = set(AlertRecipient.objects.values_list("user__username", flat=True))
    assert owners_told == {"kam1", "kam2"}


def test_reverting_opens_nothing_either(client, admin_user, engaged, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/settings/", _form_data(client, stage_2__min_score="1"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/settings/", _form_data(client, stage_2__min_score="100000"))

    assert not Alert.objects.filter(kind=AlertKind.RULE).exclude(status=AlertStatus.HELD_BACK).exists()
    assert Alert.objects.filter(kind=AlertKind.SYSTEM).count() == 2  # one per change, each with its moves
    assert JourneyStageChange.objects.filter(from_stage="mqa", to_stage="engaged").count() == 3


def test_a_bad_stage_changed_since_is_a_400_in_the_api_and_ignored_on_the_page(admin_api, client, viewer_user):
    response = admin_api.get("/api/v1/accounts/?stage_changed_since=yesterday-ish")
    assert response.status_code == 400 and "stage_changed_since" in response.json()
    client.force_login(viewer_user)
    page = client.get("/accounts/?stage_changed_since=yesterday-ish")
    assert page.status_code == 200 and "changed since" not in page.content.decode()


def test_held_back_alerts_have_their_own_status_and_inbox_filter(
    client, admin_user, engaged, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/settings/", _form_data(client, stage_2__min_score="1"))

    page = client.get("/alerts/?status=held_back&scope=all")
    rows = list(page.context["page_obj"].object_list)
    assert len(rows) == 3 and {a.status for a in rows} == {AlertStatus.HELD_BACK}
    html = page.content.decode()
    assert '<option value="held_back" selected>Held back (configuration change)</option>' in html
    assert "Suppressed (cool-down)</span>" not in html
    assert not client.get("/alerts/?status=suppressed&scope=all").context["page_obj"].object_list


def test_the_affected_accounts_link_lists_only_the_accounts_that_change_moved(
    client, admin_user, engaged, django_capture_on_commit_callbacks
):
    from tests.activation.conftest import stage_change

    accounts, quiet = engaged
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/engagement/settings/", _form_data(client, stage_2__min_score="1"))
    notice = Alert.objects.get(kind=AlertKind.SYSTEM)
    # Later, an unrelated move (events, time): it happened after the change, but the change did not cause it.
    stage_change(quiet, "engaged", from_stage="aware", at=timezone.now() + timedelta(seconds=5))

    listed = client.get(notice.facts["accounts_url"])

    assert "config_change=" in notice.facts["accounts_url"]
    names = {a.name for a in listed.context["page_obj"].object_list}
    assert names == {a.name for a in accounts}
    assert (
        set(
            JourneyStageChange.objects.filter(config_change=notice.facts["config_change"]).values_list(
                "account__name", flat=True
            )
        )
        == names
    )
