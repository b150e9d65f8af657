"""Plays: due steps become tasks once (safe to repeat), for the right person; exit; completion logs the touch."""

from __future__ import annotations

import datetime as dt

import pytest

from content.models import EnrolmentStatus, PlayStepRun
from content.selectors.plays import play_report
from content.services.plays import play_create, play_enrol, play_exit, play_steps_schedule
from engagement.models import EngagementEvent
from tests.factories import AccountFactory, AccountTeamMemberFactory, ContactFactory, ContentAssetFactory, UserFactory
from work.models import Task, TaskStatus
from work.services import task_complete

pytestmark = pytest.mark.django_db
DAY0 = dt.date(2026, 3, 2)


def _play(workspace, **kwargs):
    asset = ContentAssetFactory(workspace=workspace, title="ROI case")
    kwargs.setdefault("name", "Exec sequence")
    return play_create(
        workspace=workspace,
        steps=[
            {"title": "Email the champion", "day_offset": 0, "channel": "email", "target_role": "champion"},
            {
                "title": "Send the ROI case",
                "day_offset": 3,
                "channel": "email",
                "target_role": "economic_buyer",
                "asset": asset,
                "owner_role": "sdr",
            },
        ],
        **kwargs,
    )


def _membership(workspace, user, role="sales"):
    from tests.factories import MembershipFactory

    MembershipFactory(workspace=workspace, user=user, role=role)
    return user


def test_scheduler_creates_due_tasks_once_for_the_right_person(workspace):
    owner = _membership(workspace, UserFactory())
    sdr = _membership(workspace, UserFactory())
    account = AccountFactory(workspace=workspace, owner=owner)
    AccountTeamMemberFactory(account=account, user=sdr, team_role="sdr")
    champion = ContactFactory(account=account, buying_role="champion")
    play = _play(workspace)
    play_enrol(play=play, accounts=[account], today=DAY0)

    first = play_steps_schedule(workspace=workspace, today=DAY0)
    again = play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=1))
    later = play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=3))
    repeat = play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=10))

    assert (first["created"], again["created"], later["created"], repeat["created"]) == (1, 0, 1, 0)
    tasks = list(Task.objects.filter(account=account).order_by("due_date"))
    assert [(t.assignee_id, t.contact_id, t.due_date, t.source) for t in tasks] == [
        (owner.pk, champion.pk, DAY0, "play"),
        (sdr.pk, None, DAY0 + dt.timedelta(days=3), "play"),  # nobody is the economic buyer yet
    ]
    assert tasks[1].title == "Exec sequence: Send the ROI case (find an economic buyer first)"
    assert PlayStepRun.objects.count() == 2


def test_completing_a_step_logs_its_touch_once(workspace, sales_user, django_capture_on_commit_callbacks):
    account = AccountFactory(workspace=workspace, owner=sales_user)
    ContactFactory(account=account, buying_role="champion")
    play = _play(workspace)
    play_enrol(play=play, accounts=[account], today=DAY0)
    play_steps_schedule(workspace=workspace, today=DAY0)
    task = Task.objects.get(account=account)

    with django_capture_on_commit_callbacks(execute=True):
        task_complete(task=task, by=sales_user, outcome="Sent")
    with django_capture_on_commit_callbacks(execute=True):
        task_complete(task=task, by=sales_user, outcome="Sent")
        task.refresh_from_db()
        task_complete(task=task, by=sales_user, outcome="Sent again")

    event = EngagementEvent.objects.get(account=account)
    assert (event.type, event.contact_id, event.metadata["play"], event.metadata["step"]) == (
        "outbound_touch",
        task.contact_id,
        "Exec sequence",
        "Email the champion",
    )


def test_exit_by_stage_and_by_hand_cancel_open_tasks(workspace):
    reached = AccountFactory(workspace=workspace, journey_stage="engaged")
    by_hand = AccountFactory(workspace=workspace, journey_stage="engaged")
    play = _play(workspace, exit_stage="opportunity")
    play_enrol(play=play, accounts=[reached, by_hand], today=DAY0)
    play_steps_schedule(workspace=workspace, today=DAY0)
    reached.journey_stage = "opportunity"
    reached.save(update_fields=["journey_stage"])

    result = play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=5))
    enrolment = play.enrolments.get(account=by_hand)
    play_exit(enrolment=enrolment, reason="Paused by the AE")

    assert result["exited"] == 1
    assert set(play.enrolments.values_list("status", flat=True)) == {EnrolmentStatus.EXITED}
    assert not Task.objects.filter(status=TaskStatus.OPEN).exists()
    assert play.enrolments.get(account=reached).exit_reason == "Reached the Opportunity stage"


def test_an_account_past_the_exit_stage_leaves_the_play_and_is_not_enrolled(workspace):
    # given a play that ends at Opportunity, with an engaged account enrolled, and a customer offered to it
    jumped = AccountFactory(workspace=workspace, journey_stage="engaged")
    customer = AccountFactory(workspace=workspace, journey_stage="customer")
    play = _play(workspace, exit_stage="opportunity")

    # when the customer is enrolled too, and the engaged account goes straight to Customer (a deal won at once)
    assert play_enrol(play=play, accounts=[jumped, customer], today=DAY0).enrolled == 1
    play_steps_schedule(workspace=workspace, today=DAY0)
    jumped.journey_stage = "customer"
    jumped.save(update_fields=["journey_stage"])
    result = play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=5))

    # then the customer was never enrolled, and the account that skipped Opportunity left with its tasks cancelled
    # (only the exact exit stage counted: it stayed enrolled and kept getting step tasks)
    assert not play.enrolments.filter(account=customer).exists()
    enrolment = play.enrolments.get(account=jumped)
    assert result["exited"] == 1 and enrolment.status == EnrolmentStatus.EXITED
    assert enrolment.exit_reason == "Reached the Opportunity stage"
    assert not Task.objects.filter(status=TaskStatus.OPEN).exists()


def test_report_compares_enrolled_with_comparable_accounts(workspace):
    enrolled = [AccountFactory(workspace=workspace, tier="priority", journey_stage="aware") for _ in range(2)]
    others = [AccountFactory(workspace=workspace, tier="priority", journey_stage="aware") for _ in range(3)]
    play = _play(workspace)
    play_enrol(play=play, accounts=enrolled, today=DAY0)
    enrolled[0].journey_stage = "engaged"
    enrolled[0].save(update_fields=["journey_stage"])

    report = play_report(play=play)

    assert (report.enrolled_movement.accounts, report.enrolled_movement.moved_up) == (2, 1)
    assert (report.comparable_movement.accounts, report.comparable_movement.moved_up) == (len(others), 0)


def test_at_the_top_stage_a_new_deal_since_enrolment_counts_as_moving_up(workspace, client, admin_user):
    # given a post-sale play with three customers enrolled (one gets a new deal after enrolment, one had its last
    # deal before, one none) and two comparable customers (one with a deal since the enrolment day)
    from tests.factories import OpportunityFactory

    enrolled = [AccountFactory(workspace=workspace, tier="priority", journey_stage="customer") for _ in range(3)]
    others = [AccountFactory(workspace=workspace, tier="priority", journey_stage="customer") for _ in range(2)]
    play = _play(workspace)
    play_enrol(play=play, accounts=enrolled, today=DAY0)
    OpportunityFactory(account=enrolled[0], created_date=DAY0 + dt.timedelta(days=20))
    OpportunityFactory(account=enrolled[1], created_date=DAY0 - dt.timedelta(days=40))
    OpportunityFactory(account=others[0], created_date=DAY0 + dt.timedelta(days=5))

    report = play_report(play=play)

    # then the report counts the new deals (no stage is above customer, so it said 0 of 3 and 0 of 2), and the
    # play's page says what moving up means there
    assert (report.enrolled_movement.accounts, report.enrolled_movement.moved_up) == (3, 1)
    assert (report.comparable_movement.accounts, report.comparable_movement.moved_up) == (2, 1)
    assert report.top_stage_enrolled == "Customer"
    client.force_login(admin_user)
    page = client.get(f"/content/plays/{play.pk}/").content.decode()
    assert "At Customer, the top stage, an account counts as moved up when a new opportunity was created" in page


def test_play_api_create_enrol_and_report(workspace, marketing_api, sales_api):
    account = AccountFactory(workspace=workspace, tier="strategic")
    payload = {"name": "API play", "steps": [{"title": "Call", "day_offset": 0, "channel": "phone"}]}

    assert sales_api.post("/api/v1/plays/", payload, format="json").status_code == 403
    created = marketing_api.post("/api/v1/plays/", payload, format="json")
    bad = marketing_api.post("/api/v1/plays/", {"name": "Empty", "steps": []}, format="json")
    play_id = created.json()["id"]
    enrolled = marketing_api.post(f"/api/v1/plays/{play_id}/enrol/", {"tier": "strategic"}, format="json")
    report = marketing_api.get(f"/api/v1/plays/{play_id}/report/")

    assert created.status_code == 201, created.json()
    assert bad.status_code == 400
    assert enrolled.json() == {
        "enrolled": 1,
        "tasks_created": 1,
        "already_active": 0,
        "past_exit_stage": 0,
        "not_found": [],
    }
    assert report.json()["enrolled"] == 1
    assert Task.objects.get(account=account).source_ref.startswith("play_step_run:")


def test_enrolling_says_which_offered_accounts_were_left_out_and_why(workspace, client, marketing_user, marketing_api):
    # given a play that ends at Opportunity, an engaged account, a customer, and an account of another workspace
    from tests.factories import WorkspaceFactory

    engaged = AccountFactory(workspace=workspace, journey_stage="engaged")
    customer = AccountFactory(workspace=workspace, journey_stage="customer")
    elsewhere = AccountFactory(workspace=WorkspaceFactory(), journey_stage="engaged")
    play = _play(workspace, exit_stage="opportunity")
    client.force_login(marketing_user)

    # when the form is sent with all three ids and one that names nothing, then again with the engaged account
    ids = f"abc, {engaged.pk} {customer.pk},{elsewhere.pk} 99999999"
    first = client.post(f"/content/plays/{play.pk}/enrol/", {"account_ids": ids}, follow=True).content.decode()
    again = client.post(f"/content/plays/{play.pk}/enrol/", {"account_ids": str(engaged.pk)}, follow=True)
    offered = [engaged.pk, customer.pk, elsewhere.pk]
    api = marketing_api.post(f"/api/v1/plays/{play.pk}/enrol/", {"accounts": offered}, format="json")

    # then each answer says what was enrolled and what was left out, and why (it said "0 accounts enrolled" or
    # "1 account enrolled" and nothing more)
    assert "1 account enrolled; " in first
    assert "1 account is at Opportunity or a later stage, where the play ends: not enrolled." in first
    assert f"No account you can enrol here has the ids {elsewhere.pk}, 99999999." in first
    assert "0 accounts enrolled; " in again.content.decode()
    assert "1 account was already in the play." in again.content.decode()
    assert api.json() == {
        "enrolled": 0,
        "tasks_created": 0,
        "already_active": 1,
        "past_exit_stage": 1,
        "not_found": [elsewhere.pk],
    }
    assert list(play.enrolments.values_list("account_id", flat=True)) == [engaged.pk]


def test_enrolling_names_typed_values_that_are_not_ids_and_groups_its_counts(workspace, client, marketing_user):
    # given a play that ends at Opportunity and 1,001 customers of one tier
    from accounts.models import Account

    engaged = AccountFactory(workspace=workspace, journey_stage="engaged", tier="standard")
    Account.objects.bulk_create(
        [
            Account(
                workspace=workspace,
                name=f"C{i}",
                domain=f"c{i}.example.com",
                tier="strategic",
                journey_stage="customer",
            )
            for i in range(1001)
        ]
    )
    play = _play(workspace, exit_stage="opportunity")
    client.force_login(marketing_user)
    url = f"/content/plays/{play.pk}/enrol/"

    # when ids are typed with values that are not ids, then only such values, then the customers' tier is enrolled
    mixed = client.post(url, {"account_ids": f"abc {engaged.pk}, 1.5 -5 \u00b2"}, follow=True).content.decode()
    only_bad = client.post(url, {"account_ids": "abc, 1.5"}, follow=True).content.decode()
    tier = client.post(url, {"tier": "strategic"}, follow=True).content.decode()

    # then the values left out are named (they were dropped without a word when a valid id was beside them, and
    # refused as "Choose a tier…" alone), and counts read grouped as the lists show them ("1001" before)
    assert "1 account enrolled; " in mixed
    assert "Not account ids, left out: abc, 1.5, -5, \u00b2." in mixed  # "²" passed isdigit(), then int() failed
    assert "Not account ids: abc, 1.5. Account ids are whole numbers." in only_bad
    assert "1,001 accounts are at Opportunity or a later stage, where the play ends: not enrolled." in tier
    assert play.enrolments.count() == 1


def test_step_tasks_read_in_the_readers_language_and_keep_english_for_the_api(workspace):
    from django.utils import translation

    account = AccountFactory(workspace=workspace, owner=_membership(workspace, UserFactory()))
    play_enrol(play=_play(workspace), accounts=[account], today=DAY0)
    play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=3))

    task = Task.objects.filter(account=account).order_by("due_date").last()
    assert task.title == "Exec sequence: Send the ROI case (find an economic buyer first)"
    assert task.description.splitlines()[0] == "Channel: Email."
    with translation.override("es"):
        assert task.title_text.startswith("Exec sequence: Send the ROI case (")
        assert "find" not in task.title_text
        assert task.description_text.splitlines()[0].startswith("Canal: ")
        assert "Content:" not in task.description_text


def test_an_exit_reason_the_portal_wrote_reads_in_the_readers_language(workspace):
    """Issue 16: "Reached the … stage" and "Taken out by hand" were stored and shown in English only; a reason a
    person typed is shown as typed."""
    from django.utils import translation

    reached = AccountFactory(workspace=workspace, journey_stage="engaged")
    by_hand = AccountFactory(workspace=workspace, journey_stage="engaged")
    typed = AccountFactory(workspace=workspace, journey_stage="engaged")
    play = _play(workspace, exit_stage="opportunity")
    play_enrol(play=play, accounts=[reached, by_hand, typed], today=DAY0)
    reached.journey_stage = "opportunity"
    reached.save(update_fields=["journey_stage"])
    play_steps_schedule(workspace=workspace, today=DAY0 + dt.timedelta(days=1))
    play_exit(enrolment=play.enrolments.get(account=by_hand))
    play_exit(enrolment=play.enrolments.get(account=typed), reason="Paused by the AE")

    with translation.override("es"):
        shown = {e.account_id: e.exit_reason_text for e in play.enrolments.all()}

    assert play.enrolments.get(account=by_hand).exit_reason == "Taken out by hand"  # the API's English
    assert shown[by_hand.pk] == "Retirada a mano"
    assert shown[reached.pk].startswith("Alcanzó la etapa ")
    assert shown[typed.pk] == "Paused by the AE"


def test_a_refused_play_form_keeps_the_steps_typed_and_a_blank_day_means_day_0(workspace, client, marketing_user):
    # given a play named "Exec sequence" already, and a user typing a new play with the same name and two steps,
    # the second with its day left blank and Active unticked
    _play(workspace)
    client.force_login(marketing_user)
    form = {
        "name": "Exec sequence",
        "exit_stage": "",
        "title_0": "Call the sponsor",
        "day_offset_0": "3",
        "channel_0": "phone",
        "owner_role_0": "owner",
        "title_1": "Send the case study",
        "day_offset_1": "",
        "channel_1": "email",
        "owner_role_1": "owner",
    }

    # when the form is sent, then sent again with another name
    refused = client.post("/content/plays/new/", form).content.decode()
    saved = client.post("/content/plays/new/", {**form, "name": "Second play"})

    # then the refusal shows the steps as typed and Active as left (the form came back with blank rows and Active
    # ticked), and the blank day is day 0 (it read as "day_offset must be 0 to 365")
    assert 'value="Call the sponsor"' in refused and 'value="Send the case study"' in refused
    assert '<option value="phone" selected>' in refused
    assert 'name="is_active" value="1">' in refused
    assert saved.status_code == 302
    from content.models import Play

    play = Play.objects.get(workspace=workspace, name="Second play")
    assert [(s.title, s.day_offset) for s in play.steps.order_by("day_offset")] == [
        ("Send the case study", 0),
        ("Call the sponsor", 3),
    ]
    assert play.is_active is False


def test_editing_a_play_with_more_steps_than_the_form_has_rows_keeps_them_all(workspace, client, marketing_user):
    # given a play of ten steps (made through the API or the service; the form shows eight rows)
    play = play_create(
        workspace=workspace,
        name="Long play",
        steps=[{"title": f"Step {i}", "day_offset": i, "channel": "email"} for i in range(10)],
    )
    client.force_login(marketing_user)
    page = client.get(f"/content/plays/{play.pk}/edit/").content.decode()

    # when the form is saved as shown, with an eleventh step typed in a blank row
    form = {"name": "Long play", "exit_stage": "", "is_active": "1"}
    for i in range(10):
        form |= {f"title_{i}": f"Step {i}", f"day_offset_{i}": str(i), f"channel_{i}": "email"}
    form |= {"title_10": "Step 10", "day_offset_10": "10", "channel_10": "email"}
    client.post(f"/content/plays/{play.pk}/edit/", form)

    # then the page had a row for every step and two blank ones, and all eleven are kept (rows past the eighth
    # were dropped on save)
    assert 'name="title_11"' in page and 'name="title_12"' not in page
    assert play.steps.count() == 11


def test_a_paused_plays_page_says_so_instead_of_pointing_at_a_form_it_hides(workspace, client, marketing_user):
    # given a paused play
    play = _play(workspace, is_active=False)
    client.force_login(marketing_user)

    # when its page is opened
    page = client.get(f"/content/plays/{play.pk}/").content.decode()

    # then it is marked paused and says how to go on; no enrol form, and the empty list does not point at one
    # ("Enrol by tier, owner or stage above." with nothing above)
    assert 'id="play-paused"' in page and 'id="enrol-paused"' in page
    assert 'id="enrol-form"' not in page
    assert "Enrol by tier, owner or stage above." not in page


def test_enrolling_more_accounts_than_one_enrolment_offers_says_so(workspace, client, marketing_user, monkeypatch):
    # given three strategic accounts, and at most two offered per enrolment (5,000 in the portal)
    import content.views.plays as views

    monkeypatch.setattr(views, "ENROL_MAX", 2)
    accounts = [AccountFactory(workspace=workspace, tier="strategic", journey_stage="aware") for _ in range(3)]
    play = _play(workspace)
    client.force_login(marketing_user)

    # when every strategic account is enrolled, then all three are listed by id
    page = client.post(f"/content/plays/{play.pk}/enrol/", {"tier": "strategic"}, follow=True).content.decode()
    ids = " ".join(str(a.pk) for a in accounts)
    listed = client.post(f"/content/plays/{play.pk}/enrol/", {"account_ids": ids}, follow=True).content.decode()

    # then two are, and the page says the rest were not offered (it said "2 accounts enrolled" alone); an id past
    # the cap is not called one that matches no account
    assert "2 accounts enrolled; " in page
    assert "More than 2 accounts matched: only the first 2 were offered." in page
    assert "More than 2 accounts matched" in listed and "No account you can enrol here" not in listed
    assert play.enrolments.count() == 2


def test_sales_see_no_design_buttons_and_take_out_only_their_accounts(workspace, client, sales_user):
    # given a play with a sales user's account and someone else's enrolled
    mine = AccountFactory(workspace=workspace, owner=sales_user, journey_stage="aware")
    theirs = AccountFactory(workspace=workspace, journey_stage="aware")
    play = _play(workspace)
    play_enrol(play=play, accounts=[mine, theirs], today=DAY0)
    client.force_login(sales_user)

    # when the sales user opens the play
    page = client.get(f"/content/plays/{play.pk}/").content.decode()

    # then no Edit or Delete (both answer 403 to sales), and Take out only on their own account's row (the other
    # answered 403 too)
    assert f"/content/plays/{play.pk}/edit/" not in page and f"/content/plays/{play.pk}/delete/" not in page
    mine_row = play.enrolments.get(account=mine).pk
    theirs_row = play.enrolments.get(account=theirs).pk
    assert f"/enrolments/{mine_row}/exit/" in page
    assert f"/enrolments/{theirs_row}/exit/" not in page


def test_the_play_page_reads_the_same_number_of_queries_for_a_few_accounts_or_a_page_of_them(
    workspace, client, sales_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given two plays, one with 3 accounts enrolled and one with 25 (a page), half of them the sales user's
    def play_with(n: int, name: str):
        accounts = [
            AccountFactory(workspace=workspace, owner=sales_user if i % 2 else None, journey_stage="aware")
            for i in range(n)
        ]
        play = _play(workspace, name=name)
        play_enrol(play=play, accounts=accounts, today=DAY0)
        return play

    small, full = play_with(3, "Small"), play_with(25, "Full")
    client.force_login(sales_user)
    client.get(f"/content/plays/{small.pk}/")  # the session and caches warmed

    # when the sales user opens each
    counts = []
    for play in (small, full):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/content/plays/{play.pk}/").status_code == 200
        counts.append(len(queries))

    # then the page costs the same (the rows they may take out are found in one query, not one per row)
    assert counts[0] == counts[1], counts
