import pytest

from analytics import maturity
from analytics.models import MaturityAssessment, RolloutStep
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

ALL_THREE = {key: 3 for key in maturity.DIMENSION_KEYS}


def test_the_grid_has_five_stages_of_five_dimensions_with_a_next_step():
    assert [name for _, name in maturity.STAGES] == ["Aware", "Defining", "Early", "Mature", "Advanced"]
    assert len(maturity.DIMENSIONS) == 5 and all(len(d.descriptors) == 5 for d in maturity.DIMENSIONS)
    metrics = next(d for d in maturity.DIMENSIONS if d.key == "metrics")
    assert "To reach Early" in maturity.next_step(metrics, 2)
    with pytest.raises(ValueError):
        maturity.validate_stages({**ALL_THREE, "metrics": 6})


def test_fit_verdict_explains_each_criterion():
    big = maturity.fit_verdict(
        median_employees=5000, mean_deal=80_000, mean_stakeholders=6, mean_cycle_days=120, expansion_share=0.3
    )
    small = maturity.fit_verdict(
        median_employees=40, mean_deal=5_000, mean_stakeholders=1, mean_cycle_days=20, expansion_share=0.0
    )
    unknown = maturity.fit_verdict(
        median_employees=None, mean_deal=None, mean_stakeholders=None, mean_cycle_days=90, expansion_share=None
    )

    assert (big["verdict"], big["yes"]) == ("yes", 5)
    assert (small["verdict"], small["yes"]) == ("no", 0)
    assert unknown["verdict"] == "unknown"
    assert maturity.rollout_stage(0.55) == {"share": 0.55, "reached": 0.5, "next": 0.75}


def test_api_lists_and_creates_assessments_with_evidence(workspace, marketing_api, viewer_api):
    AccountFactory(workspace=workspace, tier="strategic")

    created = marketing_api.post("/api/v1/maturity-assessments/", {"stages": ALL_THREE, "notes": "Q4"}, format="json")
    denied = viewer_api.post("/api/v1/maturity-assessments/", {"stages": ALL_THREE}, format="json")
    bad = marketing_api.post("/api/v1/maturity-assessments/", {"stages": {"metrics": 2}}, format="json")
    listed = viewer_api.get("/api/v1/maturity-assessments/")

    assert created.status_code == 201
    assert created.json()["evidence"]["data_accounts"]["facts"]
    assert denied.status_code == 403
    assert bad.status_code == 400 and "stages" in bad.json()
    assert listed.status_code == 200 and listed.json()["results"][0]["notes"] == "Q4"


def test_maturity_page_saves_an_assessment_and_a_rollout_step(client, workspace, admin_user, sales_user):
    OpportunityFactory(
        account=AccountFactory(workspace=workspace, tier="priority", owner=sales_user), status="won", amount=90_000
    )
    client.force_login(admin_user)

    page = client.get("/analytics/maturity/")
    saved = client.post("/analytics/maturity/", ALL_THREE)
    step = client.post("/analytics/maturity/", {"form": "rollout", "number": 7, "owner": sales_user.pk, "done": "on"})
    wrong = client.post("/analytics/maturity/", {**ALL_THREE, "team": "9"})

    assert page.status_code == 200 and b"Is account-based selling for us?" in page.content
    assert b"1 of 1 sales users work target accounts" in page.content
    assert saved.status_code == 302 and MaturityAssessment.objects.for_workspace(workspace).count() == 1
    assert step.status_code == 302 and RolloutStep.objects.get(number=7).done_at is not None
    assert wrong.status_code == 200 and b"a whole number from 1" in wrong.content


def test_the_fit_table_shows_each_figure_in_its_unit(client, workspace, admin_user):
    """The average deal is an amount, the expansion share a percentage (they read "42000.00" and "0.5")."""
    import datetime as dt
    from decimal import Decimal

    today = dt.date.today()
    for kind in ("new_business", "renewal"):
        OpportunityFactory(
            account=AccountFactory(workspace=workspace, employees=2000),
            status="won",
            type=kind,
            amount=Decimal(42_000),
            created_date=today - dt.timedelta(days=120),
            close_date=today,
        )
    client.force_login(admin_user)

    page = client.get("/analytics/maturity/").content.decode()

    assert '<td class="num">$42,000</td>' in page and "≥ $50,000" in page
    assert '<td class="num">50%</td>' in page  # one renewal of two won deals
    assert '<td class="num">120</td>' in page  # the sales cycle in days
    assert "42000.00" not in page and "42,000.00" not in page


def test_the_maturity_history_and_rollout_steps_name_people_as_the_other_pages_do(
    client, workspace, admin_user, sales_user
):
    # given an assessment by an admin and a roll-out step owned by a salesperson, both with full names
    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    sales_user.first_name, sales_user.last_name = "Sam", "Seller"
    sales_user.save()
    client.force_login(admin_user)
    client.post("/analytics/maturity/", ALL_THREE)
    client.post("/analytics/maturity/", {"form": "rollout", "number": 7, "owner": sales_user.pk})

    client.force_login(sales_user)  # who reads the page (an editor sees the steps' owners in a menu)
    page = client.get("/analytics/maturity/").content.decode()

    # then both read by name (they showed the usernames, "admin1" and "sales1")
    assert "<td>Ada Admin</td>" in page and "<td>Sam Seller</td>" in page
    assert f"<td>{admin_user.username}</td>" not in page and f"<td>{sales_user.username}</td>" not in page


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"number": "x7"}, "A step from 1 to"),
        ({"number": "7", "owner": "abc"}, "Choose a member of this workspace."),
        ({"number": "7", "due_date": "next week"}, "Give the due date as YYYY-MM-DD."),
        ({"number": "7", "due_date": "2026-02-30"}, "Give the due date as YYYY-MM-DD."),
    ],
)
def test_a_rollout_step_sent_with_values_its_form_cannot_make_is_refused_in_words(
    client, workspace, admin_user, sent, message
):
    client.force_login(admin_user)

    page = client.post("/analytics/maturity/", {"form": "rollout", **sent})

    # the form's own words (it showed Python's "invalid literal for int() with base 10: 'x7'", or saved "next week"
    # as no due date without a word)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "invalid literal" not in page.content.decode()
    assert not RolloutStep.objects.exists()
