"""Engagement pages: the account panels, scoring settings with preview, CSV upload; access and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Account
from engagement.models import EngagementConfig, EngagementEvent
from engagement.selectors import account_receipt
from engagement.services import accounts_score, events_ingest
from tests.factories import AccountFactory, ContactFactory

from .conftest import event

pytestmark = pytest.mark.django_db


@pytest.fixture
def engaged_account(workspace):
    account = AccountFactory(workspace=workspace, name="Globex")
    now = timezone.now()
    people = [
        ContactFactory(
            account=account, first_name="Dana", last_name="Boss", buying_role="decision_maker", seniority="c_level"
        ),
        ContactFactory(
            account=account, first_name="Eli", last_name="User", buying_role="end_user", seniority="individual"
        ),
    ]
    events = [
        event(contact_email=people[i % 2].email, type=t, at=now - timedelta(days=d, hours=i))
        for i, (t, d) in enumerate([("meeting", 1), ("pricing_page_visit", 2), ("web_visit", 3), ("email_open", 5)] * 5)
    ]
    events.append(event(account_id=account.pk, type="trigger_event", metadata={"kind": "funding"}, at=now))
    events_ingest(workspace=workspace, events=events)
    accounts_score(workspace=workspace, account_ids=[account.pk])
    account.refresh_from_db()
    return account


def test_receipt_adds_up_to_the_score_on_the_account_page(client, viewer_user, engaged_account):
    client.force_login(viewer_user)

    response = client.get(f"/engagement/accounts/{engaged_account.pk}/receipt/")

    receipt = account_receipt(account=engaged_account)
    assert receipt.total == pytest.approx(engaged_account.engagement_score, rel=1e-9)
    assert receipt.by_contact[0].label == "Dana Boss"  # decision maker, C-level: the biggest share
    body = response.content.decode()
    assert response.status_code == 200 and body.strip().startswith(
        '<section class="card flush" id="engagement-receipt">'
    )
    assert f"{engaged_account.engagement_score:.1f}" in body and "Trigger event" in body


def test_timeline_filters_by_contact_and_type(client, viewer_user, engaged_account):
    client.force_login(viewer_user)
    dana = engaged_account.contacts.get(first_name="Dana")

    everything = client.get(f"/engagement/accounts/{engaged_account.pk}/timeline/")
    filtered = client.get(f"/engagement/accounts/{engaged_account.pk}/timeline/?contact={dana.pk}&type=meeting")

    assert everything.content.decode().count("<tr>") == 1 + 21
    assert {(e.contact_id, e.type) for e in filtered.context["events"]} == {(dana.pk, "meeting")}
    assert len(filtered.context["events"]) == 5


def _account_with_events(workspace, n):
    """An account with ``n`` events a minute apart, the newest now."""
    account = AccountFactory(workspace=workspace)
    now = timezone.now()
    events_ingest(
        workspace=workspace, events=[event(account_id=account.pk, at=now - timedelta(minutes=i)) for i in range(n)]
    )
    return account


def test_a_timeline_page_of_one_event_says_so_in_the_singular(client, viewer_user, workspace):
    account = _account_with_events(workspace, 51)
    client.force_login(viewer_user)
    url = f"/engagement/accounts/{account.pk}/timeline/"
    response = client.get(url)
    older, first = response.context["older"], response.content.decode()

    english = client.get(f"{url}?{older}").content.decode()
    spanish = client.get(f"{url}?{older}", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "50 events shown" in first
    assert "1 event shown" in english and "1 events" not in english  # it read "1 events shown"
    assert "1 evento mostrado" in spanish


def test_timeline_pages_with_a_cursor(client, viewer_user, workspace):
    account = _account_with_events(workspace, 60)
    client.force_login(viewer_user)

    first = client.get(f"/engagement/accounts/{account.pk}/timeline/")
    older = first.context["older"]
    second = client.get(f"/engagement/accounts/{account.pk}/timeline/?{older}")

    assert len(first.context["events"]) == 50 and len(second.context["events"]) == 10
    assert not {e.pk for e in first.context["events"]} & {e.pk for e in second.context["events"]}


@pytest.mark.parametrize(
    "cursor",
    ["2026-01-01T00:00:00%2B20:33|5", "2026-01-01T00:00:00|99999999999999999999", "0001-01-01T00:00:00%2B05:00|5"],
)
def test_a_timeline_cursor_that_cannot_be_an_events_shows_a_page_not_a_500(client, viewer_user, workspace, cursor):
    """An offset beyond PostgreSQL's ±15:59, an id beyond bigint or a time with no UTC equivalent were 500s."""
    account = AccountFactory(workspace=workspace)
    client.force_login(viewer_user)

    response = client.get(f"/engagement/accounts/{account.pk}/timeline/?before={cursor}")

    assert response.status_code == 200


def test_panels_query_count_does_not_grow_with_events(
    client, viewer_user, engaged_account, django_assert_max_num_queries
):
    client.force_login(viewer_user)

    for panel, limit in (("timeline", 9), ("trend", 7), ("receipt", 9)):
        with django_assert_max_num_queries(limit):
            assert client.get(f"/engagement/accounts/{engaged_account.pk}/{panel}/").status_code == 200


def test_trend_panel_carries_the_daily_snapshots(client, viewer_user, engaged_account):
    client.force_login(viewer_user)

    response = client.get(f"/engagement/accounts/{engaged_account.pk}/trend/")

    assert response.status_code == 200 and timezone.now().date().isoformat() in response.content.decode()


def test_another_workspaces_account_is_a_404(client, other_admin, engaged_account):
    client.force_login(other_admin)

    assert client.get(f"/engagement/accounts/{engaged_account.pk}/receipt/").status_code == 404


def test_account_page_loads_the_engagement_panels(client, viewer_user, engaged_account):
    client.force_login(viewer_user)

    body = client.get(f"/accounts/{engaged_account.pk}/").content.decode()

    for panel in ("receipt", "trend", "timeline"):
        assert f'hx-get="/engagement/accounts/{engaged_account.pk}/{panel}/"' in body


def test_settings_page_is_for_admins_only(client, marketing_user, admin_user):
    client.force_login(marketing_user)
    assert client.get("/engagement/settings/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/engagement/settings/").status_code == 200


def _settings_post(client, **changes):
    form = client.get("/engagement/settings/").context["form"]
    data = {name: ("on" if v is True else "" if v in (None, False) else v) for name, v in form.initial.items()}
    data.update({name: field.initial for name, field in form.fields.items() if name not in data})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(changes)
    return data


def test_preview_counts_accounts_that_would_become_mqa_without_saving(client, admin_user, engaged_account):
    client.force_login(admin_user)
    before = EngagementConfig.objects.get(workspace=engaged_account.workspace).version
    data = _settings_post(client, stage_2__min_score="1", stage_2__min_breadth="2")

    response = client.post("/engagement/settings/preview/", data)

    assert response.status_code == 200
    assert "<strong>1</strong> account would be MQA with these settings (now 0)" in response.content.decode()
    assert EngagementConfig.objects.get(workspace=engaged_account.workspace).version == before
    assert Account.objects.get(pk=engaged_account.pk).journey_stage != "mqa"


def test_saving_settings_rescores_every_account(
    client, admin_user, engaged_account, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    data = _settings_post(client, stage_2__min_score="1", stage_2__min_breadth="2")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/engagement/settings/", data)

    assert response.status_code == 302
    assert Account.objects.get(pk=engaged_account.pk).journey_stage == "mqa"


def test_csv_upload_reports_bad_lines_and_never_duplicates(
    client, marketing_user, workspace, django_capture_on_commit_callbacks
):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    csv = (
        b"source,external_id,type,occurred_at,account_domain,metadata\n"
        b"crm,a1,meeting,2026-05-01T10:00:00Z,globex.com,\n"
        b"crm,a2,telepathy,2026-05-01T10:00:00Z,globex.com,\n"
        b'crm,a3,trigger_event,2026-05-02T10:00:00Z,globex.com,"{""kind"": ""funding""}"\n'
        b"crm,a4,meeting,2026-05-01T10:00:00Z,globex.com,{not json\n"
    )
    client.force_login(marketing_user)

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the job after the upload commits
        first = client.post("/engagement/events/upload/", {"file": SimpleUploadedFile("e.csv", csv)}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/engagement/events/upload/", {"file": SimpleUploadedFile("e.csv", csv)}, follow=True)

    job = first.context["job"]
    job.refresh_from_db()
    assert (job.status, job.accepted, [line for line, _ in job.rejected]) == ("done", 2, [3, 5])
    assert "2</strong> accepted" in client.get(f"/engagement/events/upload/{job.pk}/").content.decode()
    second = again.context["job"]
    second.refresh_from_db()
    assert second.duplicates == 2
    assert EngagementEvent.objects.filter(account=account).count() == 2


def test_viewers_cannot_upload_events(client, viewer_user):
    client.force_login(viewer_user)

    assert client.get("/engagement/events/upload/").status_code == 403


def test_django_admin_lists_events_read_only(client, engaged_account):
    from tests.factories import EngagementEventFactory, UserFactory

    EngagementEventFactory(account=engaged_account)
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)

    listing = client.get("/admin/engagement/engagementevent/")
    adding = client.get("/admin/engagement/engagementevent/add/")

    assert listing.status_code == 200 and "Globex" in listing.content.decode()
    assert adding.status_code == 403


def test_the_timelines_contact_select_reads_in_the_readers_language(client, viewer_user, engaged_account):
    """Its first option was the English word "Everyone" in every language."""
    client.force_login(viewer_user)
    url = f"/engagement/accounts/{engaged_account.pk}/timeline/"

    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    select = spanish.split('name="contact"')[1].split("</select>")[0]
    assert '<option value="" selected>Todos</option>' in select and "Everyone" not in select
    assert '<option value="" selected>Everyone</option>' in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
