"""Browser pages: inbox with filters and one-click actions, the badge, alert detail, rule editor, webhooks."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activation.models import Alert, AlertStatus, EmailMode, NotificationPreference, Rule, WebhookDelivery
from activation.services.evaluation import rules_evaluate
from tests.factories import AccountFactory, RuleFactory, WebhookSubscriptionFactory

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def kam_client(client, kam):
    client.force_login(kam)
    return client


@pytest.fixture
def fired(workspace, account):
    RuleFactory(workspace=workspace, name="Hot account", params={"threshold": 1}, severity="high")
    score(account, 5)
    rules_evaluate(account_ids=[account.id])
    return Alert.objects.get()


def test_badge_counts_unread_open_alerts_and_is_empty_at_zero(kam_client, fired):
    assert kam_client.get(reverse("activation:badge")).content.decode().strip() == (
        '<span class="badge" id="alerts-badge" title="1 unread open alert">1</span>'
    )

    kam_client.get(reverse("activation:detail", args=[fired.pk]))

    assert kam_client.get(reverse("activation:badge")).content.decode().strip() == ""


def test_inbox_lists_my_alerts_with_why_and_what_to_do(kam_client, fired):
    page = kam_client.get(reverse("activation:inbox")).content.decode()

    assert "Globex crossed engagement 1" in page and "To do:" in page and 'class="unread"' in page


def test_inbox_shows_the_assignee_by_name_and_a_renamed_assignee_at_once(kam_client, kam, fired):
    # given an alert assigned to the account manager, who has a full name
    kam.first_name, kam.last_name = "Kim", "Ames"
    kam.save()
    Alert.objects.filter(pk=fired.pk).update(assignee=kam)

    def assignee_cell():
        page = kam_client.get(reverse("activation:inbox")).content.decode()
        return page.split(f'<tr id="alert-{fired.pk}"', 1)[1].split('class="hide-tablet">', 1)[1].split("</td>", 1)[0]

    # then the inbox names them as every other page does (it showed the username, "kam"), and a new name shows on
    # the next load (the row cache's key holds the name shown)
    assert assignee_cell() == "Kim Ames"
    kam.first_name = "Kimberly"
    kam.save()
    assert assignee_cell() == "Kimberly Ames"


def test_inbox_filters_by_status_with_htmx_partial(kam_client, fired):
    response = kam_client.get(reverse("activation:inbox") + "?status=resolved", HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert "No alerts match these filters" in response.content.decode()


def test_one_click_acknowledge_returns_the_updated_row(kam_client, fired):
    response = kam_client.post(reverse("activation:action", args=[fired.pk, "acknowledge"]), HTTP_HX_REQUEST="true")

    fired.refresh_from_db()
    assert fired.status == AlertStatus.ACKNOWLEDGED and fired.acknowledged_at
    assert response["HX-Trigger"] == "alerts-changed" and "Acknowledged" in response.content.decode()


def test_quick_snooze_and_invalid_moves(kam_client, fired):
    kam_client.post(reverse("activation:action", args=[fired.pk, "snooze"]), HTTP_HX_REQUEST="true")
    fired.refresh_from_db()
    again = kam_client.post(reverse("activation:action", args=[fired.pk, "snooze"]), HTTP_HX_REQUEST="true")

    assert fired.status == AlertStatus.SNOOZED and fired.snoozed_until
    assert again.status_code == 409
    # Plain text, which the inbox shows in its notice (static/js/app.js); an HTML body would read "refused (409)".
    assert again["Content-Type"].startswith("text/plain") and again.content.decode().strip()


@pytest.mark.parametrize("until", ["2099-01-01T10:00", "2099-01-01T10:00:00+20:33"])
def test_snooze_until_a_time_given_with_any_offset(kam_client, fired, until):
    """A time with an offset PostgreSQL refuses (beyond ±15:59) was a 500 when the alert was saved."""
    response = kam_client.post(
        reverse("activation:action", args=[fired.pk, "snooze"]), {"until": until}, HTTP_HX_REQUEST="true"
    )

    fired.refresh_from_db()
    given = datetime.fromisoformat(until)
    expected = given if given.tzinfo else timezone.make_aware(given)
    assert response.status_code == 200 and fired.status == AlertStatus.SNOOZED
    assert fired.snoozed_until == expected  # the same instant (2098-12-31 13:27 UTC for the +20:33 one)


def test_viewers_cannot_act_and_other_workspaces_are_404(client, viewer_user, other_admin, fired):
    client.force_login(viewer_user)
    assert client.post(reverse("activation:action", args=[fired.pk, "resolve"])).status_code == 403
    client.force_login(other_admin)
    assert client.get(reverse("activation:detail", args=[fired.pk])).status_code == 404


def test_inbox_query_count_is_bounded(kam_client, workspace, kam, django_assert_max_num_queries):
    RuleFactory(workspace=workspace, params={"threshold": 1})
    accounts = [AccountFactory(workspace=workspace, owner=kam) for _ in range(25)]
    for account in accounts:
        score(account, 5)
    rules_evaluate(account_ids=[a.id for a in accounts])

    with django_assert_max_num_queries(16):
        response = kam_client.get(reverse("activation:inbox"))

    assert response.content.decode().count('<tr id="alert-') == 25


def test_inbox_rows_read_the_alerts_without_their_accounts_rules_or_contacts(kam_client, fired):
    """A row shows the alert, its assignee and whether it is unread: the page's query does not join the account
    (every account of the workspace hashed for a page of 25, each built with its JSON explanations), the rule or
    the contacts (bench/http_load.py: the inbox was the slowest page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = kam_client.get(reverse("activation:inbox")).content.decode()

    assert "Globex crossed engagement 1" in page
    row_queries = [q["sql"] for q in captured.captured_queries if '"activation_alert"."title"' in q["sql"]]
    assert len(row_queries) == 1
    assert '"accounts_account"' not in row_queries[0] and '"activation_rule"' not in row_queries[0]
    assert not [q["sql"] for q in captured.captured_queries if "activation_alert_contacts" in q["sql"]]


def test_inbox_rows_are_cached_but_follow_the_reader_the_status_and_the_time(
    client, workspace, kam, sdr, fired, monkeypatch
):
    """The inbox renders each row once per the values it shows (abe.rows): one reader's read mark, a status changed
    elsewhere and the relative time passing each show at once (a key missing any of them would serve the old row)."""
    from activation.models import AlertRecipient
    from activation.services.alerts import alert_transition

    AlertRecipient.objects.get_or_create(alert=fired, user=sdr, workspace=workspace)

    def inbox(user):
        client.force_login(user)
        return client.get(reverse("activation:inbox")).content.decode()

    def row(page):
        return page.split(f'<tr id="alert-{fired.pk}"', 1)[1].split("</tr>", 1)[0]

    assert 'class="unread"' in row(inbox(kam)) and 'class="unread"' in row(inbox(sdr))
    client.force_login(kam)
    client.get(reverse("activation:detail", args=[fired.pk]))  # kam reads it

    assert 'class="unread"' not in row(inbox(kam)) and 'class="unread"' in row(inbox(sdr))

    alert_transition(alert=fired, action="acknowledge", by=sdr)  # not through the inbox's own action
    acknowledged = row(inbox(kam))
    assert "st-acknowledged" in acknowledged and "/acknowledge/" not in acknowledged

    monkeypatch.setattr("activation.models.timesince", lambda when: "4\xa0hours")
    assert "4\xa0hours ago" in row(inbox(kam))


def test_email_preference_is_saved(kam_client, workspace, kam):
    kam_client.post(reverse("activation:preferences"), {"email_mode": "digest"})

    assert NotificationPreference.objects.get(workspace=workspace, user=kam).email_mode == EmailMode.DIGEST


def test_marketing_creates_a_rule_in_the_editor(client, marketing_user, workspace):
    client.force_login(marketing_user)
    form = client.get(reverse("activation:rule_create")).content.decode()

    response = client.post(
        reverse("activation:rule_create"),
        {
            "name": "Funding news",
            "condition_type": "trigger_event",
            "severity": "high",
            "cooldown_hours": "24",
            "is_active": "on",
            "notify_owner": "on",
            "kinds": ["funding", "acquisition"],
            "days": "5",
            "threshold": "99",
            "filter_tiers": ["strategic"],
        },
    )

    listing = client.get(reverse("activation:rules")).content.decode()

    assert 'data-for="trigger_event"' in form
    assert response.status_code == 302 and "Funding round, Acquisition (last 5 days)" in listing
    rule = Rule.objects.get(name="Funding news")
    assert rule.params == {"kinds": ["funding", "acquisition"], "days": 5} and rule.filter_tiers == ["strategic"]


def test_the_rule_list_names_the_tiers_and_lifecycles_a_rule_applies_to(client, marketing_user, workspace):
    # given a rule for key customers
    RuleFactory(
        workspace=workspace,
        name="Customer going quiet",
        filter_tiers=["strategic", "priority"],
        filter_lifecycles=["customer"],
    )
    client.force_login(marketing_user)

    english = client.get(reverse("activation:rules")).content.decode()
    spanish = client.get(reverse("activation:rules"), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    # then by their labels in the reader's language (it showed the keys, "strategic", "customer")
    assert '<span class="pill strategic">Strategic (1:1)</span>' in english
    assert '<span class="pill customer">Customer</span>' in english
    assert '<span class="pill strategic">Estratégica (1:1)</span>' in spanish
    assert '<span class="pill customer">Cliente</span>' in spanish


def test_rule_editor_shows_param_errors(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("activation:rule_create"),
        {
            "name": "No threshold",
            "condition_type": "score_threshold",
            "severity": "low",
            "cooldown_hours": "0",
            "notify_owner": "on",
        },
    )

    assert response.status_code == 200 and "threshold: This setting is required" in response.content.decode()


def test_sales_cannot_open_the_rule_editor(client, sales_user):
    client.force_login(sales_user)

    assert client.get(reverse("activation:rule_create")).status_code == 403
    assert client.get(reverse("activation:rules")).status_code == 200


def test_admin_sends_a_test_webhook_from_the_page(
    admin_client, workspace, receiver, django_capture_on_commit_callbacks
):
    sub = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("activation:webhook_test", args=[sub.pk]))
    page = admin_client.get(reverse("activation:webhook_detail", args=[sub.pk])).content.decode()

    assert WebhookDelivery.objects.get().status == "sent" and len(receiver.requests) == 1
    assert "webhook.test" in page and ">200<" in page


def test_webhook_pages_are_admin_only(client, marketing_user):
    client.force_login(marketing_user)

    assert client.get(reverse("activation:webhooks")).status_code == 403


def test_account_panel_lists_the_accounts_alerts(kam_client, fired, account):
    response = kam_client.get(reverse("activation:account_panel", args=[account.pk]))

    assert "Globex crossed engagement" in response.content.decode()


def test_account_panel_of_an_account_not_in_the_workspace_is_a_404(kam_client, fired, account):
    """Found by the page sweep's routes: the panel answered 200 (an empty list) for any id, and to a POST."""
    elsewhere = AccountFactory(name="Elsewhere")  # in a workspace of its own

    assert kam_client.get(reverse("activation:account_panel", args=[999999999])).status_code == 404
    assert kam_client.get(reverse("activation:account_panel", args=[elsewhere.pk])).status_code == 404
    assert kam_client.post(reverse("activation:account_panel", args=[account.pk])).status_code == 405


def test_inbox_mine_is_a_sub_select_one_row_per_alert(kam_client, kam, sdr, workspace, fired):
    """An alert the user both receives and is assigned (with another recipient beside) is listed once, and the
    "mine" filter reads it without a join + DISTINCT over every column (a sort of the whole list per page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activation import selectors
    from activation.models import AlertRecipient

    AlertRecipient.objects.get_or_create(alert=fired, user=sdr, workspace=workspace)
    Alert.objects.filter(pk=fired.pk).update(assignee=kam)
    assert AlertRecipient.objects.filter(alert=fired, user=kam).exists()

    found = list(selectors.alert_search(workspace=workspace, user=kam, params={"mine": "true"}))
    with CaptureQueriesContext(connection) as captured:
        page = kam_client.get(reverse("activation:inbox")).content.decode()

    assert [a.pk for a in found] == [fired.pk]
    assert page.count(reverse("activation:detail", args=[fired.pk]) + '"') == 1
    assert not [
        q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"] and "activation_alert" in q["sql"]
    ]


def test_the_inbox_shows_and_keeps_the_account_filter(kam_client, workspace, account, fired):
    """The account page's "All alerts on this account" opens the inbox with ``account=``: the filter was applied
    but not shown, and the filter form (htmx) dropped it at the first change of a select. It shows the account's
    name, the form carries it, and it can be cleared."""
    other = AccountFactory(workspace=workspace, name="Initech")
    url = reverse("activation:inbox")

    page = kam_client.get(url + f"?scope=all&status=all&account={account.pk}").content.decode()

    form = page.split('id="alert-filters"')[1].split("</form>")[0]
    assert f'<input type="hidden" name="account" value="{account.pk}">' in form
    assert f'<span class="pill">{account.name}</span>' in form and f'href="{url}">clear</a>' in form
    assert f'id="alert-{fired.pk}"' in page
    # another account's alerts: none, and the empty state says the filters match nothing (not "Inbox zero")
    none = kam_client.get(url + f"?account={other.pk}").content.decode()
    assert "No alerts match these filters" in none and "Inbox zero" not in none
    assert 'id="account-filter"' not in kam_client.get(url).content.decode()


@pytest.mark.parametrize("name", ["rule", "account"])
def test_the_inbox_names_a_rule_or_account_id_the_workspace_has_none_of(kam_client, fired, name):
    """A deleted rule's or account's id is no valid choice: the filter set left it out and listed every alert with
    nothing said (under a select showing "Any"). The page names it as ignored."""
    url = reverse("activation:inbox")

    page = kam_client.get(url + f"?{name}=987654").content.decode()

    assert f"{name}=987654" in page.split('id="ignored-params"')[1].split("</p>")[0]
    assert f'id="alert-{fired.pk}"' in page and 'id="account-filter"' not in page
    known = fired.rule_id if name == "rule" else fired.account_id
    assert 'id="ignored-params"' not in kam_client.get(url + f"?{name}={known}").content.decode()


def test_the_account_panel_links_to_the_alerts_its_reader_can_list(client, admin_user, viewer_user, account, fired):
    """The panel lists every alert of the account, and linked to "All alerts on this account" in the inbox for
    everyone; the inbox shows everyone's alerts only to those who may see them all, so a viewer found none there.
    Their link now says it opens their own."""
    url = reverse("activation:account_panel", args=[account.pk])
    inbox = reverse("activation:inbox")

    client.force_login(admin_user)
    admin_panel = client.get(url).content.decode()
    client.force_login(viewer_user)
    viewer_panel = client.get(url).content.decode()

    assert f'href="{inbox}?scope=all&status=all&account={account.pk}">All alerts on this account' in admin_panel
    assert f'href="{inbox}?status=all&account={account.pk}">My alerts on this account' in viewer_panel
    assert "All alerts on this account" not in viewer_panel
