import datetime as dt
import re

import pytest
from django.utils import timezone

from activation.models import Alert
from keyaccounts.health import HealthInputs, health_score
from keyaccounts.models import RecurringActivity
from keyaccounts.services.plans import account_plan_create, key_account_settings_update
from keyaccounts.services.postsale import (
    account_health_compute,
    plan_reviews_alert_overdue,
    recurring_activities_schedule,
    recurring_activity_create,
)
from keyaccounts.tasks import key_accounts_daily_task
from tests.factories import AccountFactory, AccountPlanFactory, ContactFactory, OpportunityFactory
from work.models import Task, TaskSource

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_health_receipt_adds_up_to_the_score():
    score, receipt = health_score(
        HealthInputs(
            momentum=-0.25, check_ins_due=4, check_ins_done=3, roles_engaged=2, renewal_days=45, renewal_open=False
        )
    )

    assert [r[0] for r in receipt] == ["Engagement trend", "Check-ins kept", "Committee coverage", "Renewal proximity"]
    assert [r[1] for r in receipt] == [7.5, 18.8, 12.5, 12.5]
    assert score == pytest.approx(sum(r[1] for r in receipt))
    best, _ = health_score(HealthInputs(0.5, 2, 2, 5, None, False))
    assert best == 100.0


def test_recurring_activities_become_tasks_once_per_occurrence(workspace, admin_user):
    account = AccountFactory(workspace=workspace, lifecycle="customer", owner=admin_user)

    activity = recurring_activity_create(
        workspace=workspace,
        account=account,
        kind="executive_check_in",
        every_days=91,
        next_due=TODAY + dt.timedelta(days=3),
    )
    again = recurring_activities_schedule(workspace=workspace)

    task = Task.objects.get()
    assert (task.source, task.assignee, task.due_date) == (
        TaskSource.CHECK_IN,
        admin_user,
        TODAY + dt.timedelta(days=3),
    )
    assert "Executive check-in" in task.title
    assert again == 0
    activity.refresh_from_db()
    assert activity.next_due == TODAY + dt.timedelta(days=94)


def test_recurring_activity_validation(workspace):
    account = AccountFactory(workspace=workspace)

    with pytest.raises(Exception) as exc:
        recurring_activity_create(workspace=workspace, account=account, kind="party", every_days=1, next_due=TODAY)

    assert {"kind", "every_days"} <= set(exc.value.message_dict)
    assert RecurringActivity.objects.count() == 0


def test_health_compute_explains_each_component(workspace):
    account = AccountFactory(workspace=workspace, lifecycle="customer", engagement_momentum=0.1)
    ContactFactory(account=account, buying_role="champion", last_engaged_at=timezone.now())
    OpportunityFactory(
        account=account,
        status="won",
        contract_start=TODAY - dt.timedelta(days=300),
        contract_end=TODAY + dt.timedelta(days=30),
        close_date=TODAY - dt.timedelta(days=300),
        created_date=TODAY - dt.timedelta(days=330),
    )

    health = account_health_compute(account=account)

    assert health.score == pytest.approx(sum(row[1] for row in health.explanation))
    assert health.explanation[3][3] == "renewal due in 30 days"
    assert health.explanation[2][3] == "1 buying roles engaged in 90 days"


def test_an_overdue_review_raises_one_alert_for_the_plan_owner(workspace, admin_user, sales_user):
    account = AccountFactory(workspace=workspace, owner=sales_user, tier="strategic")
    plan = AccountPlanFactory(account=account, owner=sales_user, next_review_due=TODAY - dt.timedelta(days=2))

    first = plan_reviews_alert_overdue(workspace=workspace)
    second = plan_reviews_alert_overdue(workspace=workspace)

    alert = Alert.objects.get()
    assert (first, second) == (1, 0)
    assert alert.title == f"Account-plan review overdue: {account.name}"
    assert list(alert.recipients.values_list("user__username", flat=True)) == ["sales1"]
    assert plan.pk == alert.facts["plan"]


def test_cadence_per_tier_and_settings_recompute_due_dates(workspace, admin_user):
    strategic = account_plan_create(workspace=workspace, account=AccountFactory(workspace=workspace, tier="strategic"))
    priority = account_plan_create(workspace=workspace, account=AccountFactory(workspace=workspace, tier="priority"))

    assert strategic.next_review_due == TODAY + dt.timedelta(days=30)
    assert priority.next_review_due == TODAY + dt.timedelta(days=91)
    key_account_settings_update(workspace=workspace, strategic_review_days=7)
    strategic.refresh_from_db()
    assert strategic.next_review_due == TODAY + dt.timedelta(days=7)


def test_home_fragment_lists_reviews_due_and_overdue(workspace, admin_user, admin_client):
    due = AccountPlanFactory(
        account=AccountFactory(workspace=workspace, name="Due Co"),
        owner=admin_user,
        next_review_due=TODAY + dt.timedelta(days=3),
    )
    AccountPlanFactory(
        account=AccountFactory(workspace=workspace, name="Late Co"),
        owner=admin_user,
        next_review_due=TODAY - dt.timedelta(days=1),
    )
    AccountPlanFactory(
        account=AccountFactory(workspace=workspace, name="Later Co"),
        owner=admin_user,
        next_review_due=TODAY + dt.timedelta(days=60),
    )

    html = admin_client.get("/key-accounts/home/reviews/").content.decode()

    assert "Due Co" in html and "Review due" in html
    assert "Late Co" in html and "Review overdue" in html
    assert "Later Co" not in html
    assert due.pk


def test_the_home_section_is_registered():
    from abe.registry import home_sections

    assert "keyaccounts:home_reviews" in [s.url_name for s in home_sections("sales")]


def test_daily_task_is_safe_to_repeat(workspace, admin_user):
    account = AccountFactory(workspace=workspace, lifecycle="customer", owner=admin_user)
    AccountPlanFactory(account=account, owner=admin_user, next_review_due=TODAY - dt.timedelta(days=1))
    RecurringActivity.objects.create(
        workspace=workspace, account=account, kind="training", every_days=30, next_due=TODAY
    )

    first = key_accounts_daily_task(workspace.pk)
    second = key_accounts_daily_task(workspace.pk)

    assert first == {
        "activities_scheduled": 1,
        "reviews_overdue_alerted": 1,
        "health_computed": 1,
        "health_drop_alerts": 0,
    }
    assert (second["activities_scheduled"], second["reviews_overdue_alerted"]) == (0, 0)


def test_renewals_endpoint_buckets_and_trend(workspace, admin_api):
    account = AccountFactory(workspace=workspace, lifecycle="customer", engagement_momentum=-0.4)
    for days in (10, 45, 80, 150, 300):
        OpportunityFactory(
            account=account,
            status="won",
            contract_end=TODAY + dt.timedelta(days=days),
            close_date=TODAY - dt.timedelta(days=10),
            created_date=TODAY - dt.timedelta(days=40),
        )

    within_90 = admin_api.get("/api/v1/key-accounts/renewals/?within=90").json()["results"]
    bad = admin_api.get("/api/v1/key-accounts/renewals/?within=7")

    assert [r["bucket"] for r in within_90] == [30, 60, 90]
    assert {r["trend"] for r in within_90} == {"falling"}
    assert bad.status_code == 400


def test_the_renewals_endpoint_pages_through_every_renewal_soonest_first(
    workspace, admin_api, django_assert_max_num_queries
):
    # given 7 renewals within 90 days (and one later), at three accounts
    accounts = [AccountFactory(workspace=workspace, lifecycle="customer") for _ in range(3)]
    for n in range(7):
        _renewal(accounts[n % 3], 5 + n * 10)
    _renewal(accounts[0], 150)
    # when a client reads them three at a time
    with django_assert_max_num_queries(8):
        first = admin_api.get("/api/v1/key-accounts/renewals/?within=90&page_size=3").json()
    pages = [first]
    while pages[-1]["next"]:
        pages.append(admin_api.get(pages[-1]["next"]).json())
    # then it gets three pages, every renewal once, soonest first, and the count of all of them
    assert first["count"] == 7
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    days = [r["days"] for p in pages for r in p["results"]]
    assert days == [5, 15, 25, 35, 45, 55, 65]
    assert pages[-1]["previous"] is not None
    # and a page past the end, or a page size that is not a number, is a clear 4xx
    assert admin_api.get("/api/v1/key-accounts/renewals/?within=90&page_size=3&page=4").status_code == 404
    assert admin_api.get("/api/v1/key-accounts/renewals/?page_size=abc").status_code == 400


def _renewal(account, days, **fields):
    return OpportunityFactory(
        account=account,
        status="won",
        contract_end=TODAY + dt.timedelta(days=days),
        close_date=TODAY - dt.timedelta(days=10),
        created_date=TODAY - dt.timedelta(days=40),
        **fields,
    )


def _renewal_row_queries(captured):
    """The statements that read renewal rows (won contracts by end date, with their account's name)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if '"accounts_opportunity"."status" = \'won\'' in q["sql"]
        and '"accounts_opportunity"."contract_end" >=' in q["sql"]
        and '"accounts_account"."name"' in q["sql"]
    ]


def test_the_post_sale_page_counts_renewals_in_sql_and_reads_one_page_of_them(workspace, admin_client):
    """The page read every renewal of the next 180 days (all their accounts, whole) to count the buckets and cut a
    page in Python: thousands of rows per request in a large workspace."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = AccountFactory(workspace=workspace, name="Renewing Co", lifecycle="customer")
    for i in range(30):
        _renewal(account, 5 + i % 20, name=f"Soon {i:02}")
    for i in range(25):
        _renewal(account, 100 + i, name=f"Later {i:02}")
    _renewal(account, 300, name="Next year")

    with CaptureQueriesContext(connection) as captured:
        first = admin_client.get("/key-accounts/post-sale/").content.decode()
    rows = _renewal_row_queries(captured)  # read before the next request clears Django's query log
    second = admin_client.get("/key-accounts/post-sale/?page=2").content.decode()
    within_30 = admin_client.get("/key-accounts/post-sale/?within=30").content.decode()

    kpis = [first.split(f"Renewals within {b} days</div>", 1)[1].split("</div>", 1)[0] for b in (30, 60, 90, 180)]
    assert kpis == ['<div class="value">30', '<div class="value">30', '<div class="value">30', '<div class="value">55']
    assert first.count('<td class="nowrap">') == 50 and second.count('<td class="nowrap">') == 5
    assert "Later 24" in second and "Next year" not in first + second
    assert within_30.count('<td class="nowrap">') == 30 and "Later" not in within_30
    limit = re.search(r"LIMIT (\d+)", rows[0]) if len(rows) == 1 else None
    assert limit and int(limit.group(1)) <= 51  # a page of 50 (and one more row: is there a next page?)


def test_the_account_post_sale_panel_reads_only_that_accounts_renewals(workspace, admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mine = AccountFactory(workspace=workspace, name="Mine Co", lifecycle="customer")
    other = AccountFactory(workspace=workspace, name="Other Co", lifecycle="customer")
    _renewal(mine, 40, name="My renewal")
    _renewal(other, 20, name="Their renewal")

    with CaptureQueriesContext(connection) as captured:
        html = admin_client.get(f"/key-accounts/accounts/{mine.pk}/panels/post-sale/").content.decode()

    assert "My renewal" in html and "Their renewal" not in html
    rows = _renewal_row_queries(captured)
    assert len(rows) == 1 and f'"accounts_opportunity"."account_id" = {mine.pk}' in rows[0]


def test_lost_accounts_come_back_as_win_back_candidates_after_the_delay(workspace, admin_client):
    from keyaccounts.selectors import winback_candidates

    old = AccountFactory(workspace=workspace, name="Lost long ago")
    OpportunityFactory(
        account=old,
        status="lost",
        close_date=TODAY - dt.timedelta(days=200),
        created_date=TODAY - dt.timedelta(days=260),
    )
    recent = AccountFactory(workspace=workspace, name="Lost last month")
    OpportunityFactory(
        account=recent,
        status="lost",
        close_date=TODAY - dt.timedelta(days=30),
        created_date=TODAY - dt.timedelta(days=60),
    )

    names = [a.name for a in winback_candidates(workspace=workspace)]

    assert names == ["Lost long ago"]
    assert "Lost long ago" in admin_client.get("/key-accounts/post-sale/").content.decode()


def test_an_overdue_review_notice_reads_in_each_recipients_language(workspace, sales_user):
    from django.utils import translation

    account = AccountFactory(workspace=workspace, owner=sales_user, tier="strategic")
    AccountPlanFactory(account=account, owner=sales_user, next_review_due=TODAY - dt.timedelta(days=2))

    plan_reviews_alert_overdue(workspace=workspace)

    alert = Alert.objects.get()
    assert alert.message == (
        f"The account plan of {account.name} (Strategic (1:1)) was due for review on "
        f"{(TODAY - dt.timedelta(days=2)).isoformat()}, 2 days ago."
    )
    with translation.override("es"):
        assert alert.title_text == f"Revisión del plan de cuenta vencida: {account.name}"
        assert "hace 2 días" in alert.message_text and "Estratégica (1:1)" in alert.message_text
        assert alert.recommended_action_text.startswith("Revisa el plan con el equipo de la cuenta")


def test_recurring_activity_tasks_read_in_the_readers_language(workspace, admin_user, client):
    from django.utils import translation

    from work.services import task_update

    account = AccountFactory(workspace=workspace, lifecycle="customer", owner=admin_user, name="Initech")
    recurring_activity_create(
        workspace=workspace, account=account, kind="executive_check_in", every_days=91, next_due=TODAY
    )

    task = Task.objects.get()
    assert task.title == "Executive check-in: Initech"
    assert task.description == "Executive check-in, every 91 days. Record the outcome when you complete it."
    with translation.override("es"):
        spanish_check_in = translation.gettext("Executive check-in")
        assert task.title_text == f"{spanish_check_in}: Initech" and spanish_check_in != "Executive check-in"
        assert task.description_text.startswith(f"{spanish_check_in}, cada 91 días.")
        task_update(task, title="Call Initech's CFO")  # a person's words replace the key
        assert task.title_text == "Call Initech's CFO"


def test_the_health_receipt_reads_in_the_readers_language_and_keeps_english_for_the_api(workspace):
    """Issue 16: the receipt's component names and reasons were stored and shown in English only."""
    from django.utils import translation

    account = AccountFactory(workspace=workspace, lifecycle="customer", engagement_momentum=0.1)
    OpportunityFactory(
        account=account,
        status="won",
        contract_start=TODAY - dt.timedelta(days=300),
        contract_end=TODAY + dt.timedelta(days=30),
        close_date=TODAY - dt.timedelta(days=300),
        created_date=TODAY - dt.timedelta(days=330),
    )

    health = account_health_compute(account=account)
    health.refresh_from_db()
    with translation.override("es"):
        spanish = health.explanation_rows
    with translation.override("ro"):
        romanian = health.explanation_rows

    assert health.explanation[3][:2] == ["Renewal proximity", health.explanation[3][1]]  # the API's English
    assert health.explanation[3][3] == "renewal due in 30 days"
    assert spanish[3][0] == "Proximidad de la renovación" and spanish[3][3] == "renovación prevista en 30 días"
    assert spanish[0][0] == "Tendencia de engagement"
    assert romanian[3][3] == "reînnoire scadentă în 30 zile"


def test_pre_bant_checks_and_the_trend_chart_read_in_the_readers_language(workspace, admin_client):
    """Issue 16: the pre-BANT check names and reasons and the trend chart's axis labels were English on a Spanish
    account page."""
    from django.utils import translation

    from keyaccounts.selectors import pre_bant_checks

    account = AccountFactory(workspace=workspace)
    with translation.override("es"):
        checks = {c["key"]: c for c in pre_bant_checks(account=account)}
    page = admin_client.get(f"/accounts/{account.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert checks["territory"]["label"] == "Territorio" and checks["persona"]["label"] == "Encaje con personas"
    assert checks["persona"]["why"] == "Aún no hay contactos"
    assert '"Score"' not in page and 'text: "Momentum %"' not in page


def test_the_post_sale_page_names_the_values_it_ignored(admin_client):
    html = admin_client.get("/key-accounts/post-sale/?within=7&page=abc").content.decode()
    notice = html.split('id="ignored-params"')[1].split("</p>")[0]

    assert "within=7" in notice and "page=abc" in notice
    assert "Renewals due within 180 days" in html


def test_a_page_size_that_is_not_a_number_is_refused_in_the_readers_language(workspace, admin_api):
    # The pagination's refusal was English on a Spanish request (found walking the renewals API in Chromium).
    refused = admin_api.get("/api/v1/key-accounts/renewals/?page_size=abc", HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 400
    assert refused.json() == {"page_size": ["Indica un número entero de filas por página (1–500)."]}


def test_the_persona_check_takes_the_plural_form_of_the_contact_count(workspace):
    # "1 of 1 contacts match a persona", "None of 1 contacts matches a persona": the count had no plural forms.
    from django.utils import translation

    from keyaccounts.selectors import pre_bant_checks
    from tests.factories import ContactFactory, PersonaFactory

    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    assert {c["key"]: c for c in pre_bant_checks(account=account)}["persona"]["why"] == (
        "The only contact matches no persona"
    )
    contact.persona = PersonaFactory(workspace=workspace)
    contact.save()
    assert {c["key"]: c for c in pre_bant_checks(account=account)}["persona"]["why"] == (
        "1 of 1 contact matches a persona"
    )
    ContactFactory(workspace=workspace, account=account)
    with translation.override("es"):
        why = {c["key"]: c for c in pre_bant_checks(account=account)}["persona"]["why"]
    assert why == "1 de 2 contactos encajan con una persona"
