import datetime as dt

import pytest
from django.utils import timezone

from abe.models import Role
from keyaccounts.models import AccountPlan, AccountPlanChange
from tests.factories import AccountFactory, AccountTeamMemberFactory, MembershipFactory, UserFactory
from work.models import Task, TaskSource

pytestmark = pytest.mark.django_db

PLAN = {
    "goals": "Cut churn 20%",
    "plans": "Roll out to EMEA",
    "challenges": "Legacy BI",
    "stakes": "Board KPI",
    "timeline": "By Q3",
}


def test_post_creates_the_plan_and_a_second_one_is_a_conflict(workspace, admin_api):
    account = AccountFactory(workspace=workspace, tier="strategic")

    first = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json")
    second = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json")

    assert first.status_code == 201, first.content
    assert first.json()["goals"] == "Cut churn 20%"
    assert first.json()["next_review_due"] == (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert second.status_code == 409
    assert "account" in second.json()
    assert AccountPlan.objects.filter(account=account).count() == 1


def test_get_lists_the_plan_of_an_account(workspace, admin_api, django_assert_max_num_queries):
    account, other = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json")
    admin_api.post("/api/v1/account-plans/", {"account": other.pk, **PLAN}, format="json")

    with django_assert_max_num_queries(8):
        response = admin_api.get(f"/api/v1/account-plans/?account={account.pk}")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["account"] for r in results] == [account.pk]
    assert results[0]["timeline"] == "By Q3"


def test_bad_input_is_a_field_error_never_a_500(workspace, other_workspace, admin_api):
    foreign = AccountFactory(workspace=other_workspace)

    missing = admin_api.post("/api/v1/account-plans/", {"goals": "x"}, format="json")
    foreign_account = admin_api.post("/api/v1/account-plans/", {"account": foreign.pk, **PLAN}, format="json")
    not_text = admin_api.post(
        "/api/v1/account-plans/",
        {"account": AccountFactory(workspace=workspace).pk, "goals": "x" * 10001},
        format="json",
    )

    assert missing.status_code == 400 and "account" in missing.json()
    assert foreign_account.status_code == 400 and "account" in foreign_account.json()
    assert not_text.status_code == 400 and "goals" in not_text.json()


def test_viewers_read_but_cannot_create(workspace, viewer_api):
    account = AccountFactory(workspace=workspace)

    response = viewer_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json")

    assert response.status_code == 403


def test_sales_creates_plans_only_for_its_accounts(workspace, sales_user, sales_api):
    mine, theirs = AccountFactory(workspace=workspace, owner=sales_user), AccountFactory(workspace=workspace)

    ok = sales_api.post("/api/v1/account-plans/", {"account": mine.pk, **PLAN}, format="json")
    refused = sales_api.post("/api/v1/account-plans/", {"account": theirs.pk, **PLAN}, format="json")

    assert ok.status_code == 201
    assert refused.status_code == 403


def test_edits_are_kept_in_the_history_with_who_changed_what(workspace, admin_user, admin_api):
    account = AccountFactory(workspace=workspace)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]

    admin_api.patch(f"/api/v1/account-plans/{plan_id}/", {"goals": "Cut churn 30%"}, format="json")
    history = admin_api.get(f"/api/v1/account-plans/{plan_id}/history/").json()

    change = AccountPlanChange.objects.get(plan_id=plan_id, field="goals")
    assert (change.old, change.new, change.by) == ("Cut churn 20%", "Cut churn 30%", admin_user)
    assert history[0]["field"] == "goals" and history[0]["by"] == "admin1"


def test_actions_are_tasks_with_owner_and_due_date(workspace, admin_api, sales_user):
    account = AccountFactory(workspace=workspace)
    AccountTeamMemberFactory(account=account, user=sales_user)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()

    created = admin_api.post(
        f"/api/v1/account-plans/{plan_id}/actions/",
        {"title": "Map the EMEA committee", "assignee": sales_user.pk, "due_date": due},
        format="json",
    )
    listed = admin_api.get(f"/api/v1/account-plans/{plan_id}/actions/").json()

    assert created.status_code == 201, created.content
    task = Task.objects.get()
    assert (task.source, task.source_ref, task.assignee, task.due_date.isoformat()) == (
        TaskSource.ACCOUNT_PLAN,
        f"account_plan:{plan_id}",
        sales_user,
        due,
    )
    assert [t["title"] for t in listed] == ["Map the EMEA committee"]
    assert admin_api.get(f"/api/v1/tasks/?assignee={sales_user.pk}").json()["count"] == 1


def test_a_review_moves_the_next_due_date_by_the_tier_cadence(workspace, admin_api):
    account = AccountFactory(workspace=workspace, tier="priority")
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]

    response = admin_api.post(f"/api/v1/account-plans/{plan_id}/review/", {"note": "QBR held"}, format="json")

    assert response.status_code == 201
    plan = AccountPlan.objects.get(pk=plan_id)
    assert plan.next_review_due == timezone.localdate() + dt.timedelta(days=91)
    assert plan.reviews.get().note == "QBR held"


def test_objectives_and_risks(workspace, admin_api):
    account = AccountFactory(workspace=workspace)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]

    objective = admin_api.post(
        "/api/v1/account-plan-objectives/",
        {"plan": plan_id, "title": "Seats", "metric": "seats", "baseline": 100, "target": 300, "current": 150},
        format="json",
    )
    no_target = admin_api.post("/api/v1/account-plan-objectives/", {"plan": plan_id, "title": "Vague"}, format="json")
    risk = admin_api.post(
        "/api/v1/account-plan-risks/",
        {"plan": plan_id, "title": "Champion leaving", "likelihood": "high", "impact": "high"},
        format="json",
    )

    assert objective.status_code == 201 and objective.json()["progress"] == 0.25
    assert no_target.status_code == 400 and "target" in no_target.json()
    assert risk.status_code == 201


def test_another_workspace_plan_is_a_404(workspace, other_workspace, admin_api):
    from tests.factories import AccountPlanFactory

    plan = AccountPlanFactory(account=AccountFactory(workspace=other_workspace))

    assert admin_api.get(f"/api/v1/account-plans/{plan.pk}/").status_code == 404


def test_an_admin_of_another_workspace_cannot_be_owner(workspace, admin_api):
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, workspace=AccountFactory().workspace, role=Role.ADMIN)
    account = AccountFactory(workspace=workspace)

    response = admin_api.post(
        "/api/v1/account-plans/", {"account": account.pk, "owner": outsider.pk, **PLAN}, format="json"
    )

    assert response.status_code == 400 and "owner" in response.json()
