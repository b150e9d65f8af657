"""Committee coverage: the rules on plain values, the templates, the API shape, the panel and the heatmap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Contact
from accounts.services import contact_update
from content.selectors.committee import account_coverage
from personas.committee import Person, Requirement, coverage_compute, requirements_validate
from personas.services import committee_template_save
from tests.factories import AccountFactory, AccountTeamMemberFactory, ContactFactory, PersonaFactory

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
RECENT = NOW - dt.timedelta(days=5)
STALE = NOW - dt.timedelta(days=60)


def _p(pid, role="", dept="", last=None, left=False, persona=None):
    return Person(id=pid, role=role, department=dept, persona=persona, last_engaged_at=last, left=left)


def test_coverage_counts_known_half_and_engaged_fully():
    requirements = [
        Requirement(role="decision_maker"),
        Requirement(role="influencer", count=2),
        Requirement(department="finance"),
    ]
    people = [
        _p(1, "decision_maker", last=RECENT),  # engaged DM
        _p(2, "influencer", dept="finance", last=STALE),  # known influencer, also fills finance, not engaged
        _p(3, "influencer", left=True, last=RECENT),  # left the company: fills nothing
    ]

    cov = coverage_compute(requirements=requirements, people=people, now=NOW, engaged_days=30)

    # seats: DM 1 (known 1, engaged 1) + influencer 2 (known 1, engaged 0) + finance 1 (known 1, engaged 0)
    # (known 3 + engaged 1) / (2 × 4 seats) = 0.5
    assert cov.figure == 0.5
    assert [r.as_dict() for r in cov.roles] == [
        {"role": "decision_maker", "required": 1, "known": 1, "engaged": 1},
        {"role": "influencer", "required": 2, "known": 1, "engaged": 0},
        {"role": "finance", "required": 1, "known": 1, "engaged": 0},
    ]
    assert [r.status for r in cov.roles] == ["engaged", "known", "known"]
    assert cov.single_threaded is True
    assert [g.requirement.key for g in cov.gaps] == ["influencer"]


def test_empty_committee_is_zero_and_full_engagement_is_one():
    reqs = [Requirement(role="champion"), Requirement(role="end_user")]

    empty = coverage_compute(requirements=reqs, people=[], now=NOW, engaged_days=30)
    full = coverage_compute(
        requirements=reqs,
        people=[_p(1, "champion", last=RECENT), _p(2, "end_user", last=RECENT)],
        now=NOW,
        engaged_days=30,
    )

    assert (empty.figure, empty.single_threaded, [r.status for r in empty.roles]) == (0.0, False, ["missing"] * 2)
    assert (full.figure, full.single_threaded) == (1.0, False)


def test_engaged_window_is_configurable():
    reqs = [Requirement(role="champion")]
    people = [_p(1, "champion", last=NOW - dt.timedelta(days=45))]

    assert coverage_compute(requirements=reqs, people=people, now=NOW, engaged_days=30).roles[0].engaged == 0
    assert coverage_compute(requirements=reqs, people=people, now=NOW, engaged_days=60).roles[0].engaged == 1


@pytest.mark.parametrize(
    "raw, message",
    [
        ([], "at least one"),
        ([{"role": "wizard"}], "unknown role"),
        ([{"count": 2}], "name a role"),
        ([{"role": "champion", "count": 0}], "count"),
        ([{"role": "champion"}, {"role": "champion"}], "twice"),
        ([{"role": "champion", "persona": 999}], "no persona"),
        ([{"role": "champion", "colour": "red"}], "unknown field"),
    ],
)
def test_requirements_validation_explains_the_problem(raw, message):
    with pytest.raises(ValueError, match=message):
        requirements_validate(raw, persona_ids={1})


@pytest.mark.django_db
def test_account_coverage_uses_the_tier_template_and_stored_last_engagement(workspace):
    committee_template_save(
        workspace=workspace,
        tier="priority",
        engaged_days=30,
        requirements=[{"role": "economic_buyer", "count": 1}, {"role": "champion", "count": 1}],
    )
    account = AccountFactory(workspace=workspace, tier="priority")
    ContactFactory(account=account, buying_role="economic_buyer", last_engaged_at=timezone.now())
    ContactFactory(account=account, buying_role="influencer", last_engaged_at=timezone.now())

    cov = account_coverage(account=account)

    assert cov.as_dict() == {
        "coverage": 0.5,
        "roles": [
            {"role": "economic_buyer", "required": 1, "known": 1, "engaged": 1},
            {"role": "champion", "required": 1, "known": 0, "engaged": 0},
        ],
    }
    assert cov.single_threaded is False  # two engaged people, even if only one fills a seat


@pytest.mark.django_db
def test_coverage_api_returns_exactly_the_contract(workspace, viewer_api, other_workspace):
    account = AccountFactory(workspace=workspace, tier="standard")
    ContactFactory(account=account, buying_role="decision_maker")
    foreign = AccountFactory(workspace=other_workspace)

    response = viewer_api.get(f"/api/v1/accounts/{account.pk}/coverage/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"coverage", "roles"}
    assert 0 <= body["coverage"] <= 1
    assert all(set(r) == {"role", "required", "known", "engaged"} for r in body["roles"])
    assert [r["role"] for r in body["roles"]] == ["decision_maker", "economic_buyer", "champion", "technical_evaluator"]
    assert viewer_api.get(f"/api/v1/accounts/{foreign.pk}/coverage/").status_code == 404


@pytest.mark.django_db
def test_committee_template_api_roles(workspace, marketing_api, sales_api):
    payload = {"requirements": [{"role": "champion", "count": 2}], "engaged_days": 14}

    assert sales_api.put("/api/v1/committee-templates/standard/", payload, format="json").status_code == 403
    saved = marketing_api.put("/api/v1/committee-templates/standard/", payload, format="json")
    bad = marketing_api.put("/api/v1/committee-templates/standard/", {"requirements": [{"role": "x"}]}, format="json")

    assert saved.status_code == 200, saved.json()
    assert saved.json()["requirements"] == [{"role": "champion", "department": "", "persona": None, "count": 2}]
    assert bad.status_code == 400 and "requirements" in bad.json()
    assert marketing_api.put("/api/v1/committee-templates/gold/", payload, format="json").status_code == 404


@pytest.mark.django_db
def test_reports_to_must_stay_in_the_account_and_never_loop(workspace):
    account = AccountFactory(workspace=workspace)
    boss = ContactFactory(account=account)
    report = ContactFactory(account=account, reports_to=boss)
    elsewhere = ContactFactory(account=AccountFactory(workspace=workspace))

    with pytest.raises(ValidationError, match="loop"):
        contact_update(boss, reports_to=report)
    with pytest.raises(ValidationError, match="same account"):
        contact_update(report, reports_to=elsewhere)


@pytest.mark.django_db
def test_team_edits_influence_and_stance_on_the_panel(client, workspace, sales_user, viewer_user):
    account = AccountFactory(workspace=workspace, owner=sales_user, tier="strategic")
    cfo = ContactFactory(account=account, buying_role="economic_buyer", first_name="Cora", title="CFO")
    ContactFactory(account=account, buying_role="champion", reports_to=cfo)
    client.force_login(sales_user)

    panel = client.get(f"/content/accounts/{account.pk}/committee/")
    changed = client.post(
        f"/content/accounts/{account.pk}/committee/{cfo.pk}/",
        {"influence": "high", "stance": "supporter", "reports_to": ""},
        HTTP_HX_REQUEST="true",
    )

    assert panel.status_code == 200
    html = panel.content.decode()
    assert "Find a decision maker" in html and "org-" in html
    assert changed.status_code == 200
    cfo.refresh_from_db()
    assert (cfo.influence, cfo.stance) == ("high", "supporter")
    client.force_login(viewer_user)
    assert (
        client.post(f"/content/accounts/{account.pk}/committee/{cfo.pk}/", {"stance": "detractor"}).status_code == 403
    )


def _accounts(workspace, persona, n):
    for i in range(n):
        account = AccountFactory(workspace=workspace, tier=["strategic", "priority", "standard"][i % 3])
        ContactFactory(account=account, buying_role="economic_buyer", persona=persona, title="CFO")
        AccountTeamMemberFactory(account=account)


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_heatmap_and_gap_list_read_a_fixed_number_of_queries(client, admin_user, workspace):
    persona = PersonaFactory(workspace=workspace, typical_buying_role="economic_buyer")
    client.force_login(admin_user)
    # Both sizes hold more than a page (the pager then reads the page and a bounded count; a list that fits on
    # one page needs no count query at all).
    _accounts(workspace, persona, 60)
    small = (_queries(client, "/content/committees/"), _queries(client, "/content/committees/gaps/"))

    _accounts(workspace, persona, 50)
    large = (_queries(client, "/content/committees/"), _queries(client, "/content/committees/gaps/"))
    page = client.get("/content/committees/")
    csv_response = client.get("/content/committees/?export=csv&tier=strategic")

    assert small == large and max(large) <= 25
    assert page.content.decode().count("<tr>") >= 50
    lines = b"".join(csv_response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 1 + 20 + 17 and lines[0].startswith("account_id,account,tier")
    assert "Find a decision maker" in client.get("/content/committees/gaps/").content.decode()


@pytest.mark.django_db
def test_gap_advice_names_titles_and_personas(workspace):
    PersonaFactory(workspace=workspace, name="Finance leader", typical_buying_role="economic_buyer")
    for _ in range(3):
        ContactFactory(account=AccountFactory(workspace=workspace), buying_role="economic_buyer", title="CFO")
    account = AccountFactory(workspace=workspace, tier="standard")
    from content.selectors.committee import coverage_gaps

    gaps = coverage_gaps(workspace=workspace, coverage=account_coverage(account=account))

    advice = {g.requirement.key: g.advice for g in gaps}
    assert advice["economic_buyer"] == "Find an economic buyer (usually titled CFO; persona Finance leader)."


@pytest.mark.django_db
def test_left_contacts_fill_no_seat(workspace):
    account = AccountFactory(workspace=workspace, tier="standard")
    ContactFactory(account=account, buying_role="champion", left_at=dt.date(2026, 1, 1))

    cov = account_coverage(account=account)

    assert {r.requirement.key: r.known for r in cov.roles}["champion"] == 0
    assert Contact.objects.get(account=account).left_at == dt.date(2026, 1, 1)


@pytest.mark.django_db
def test_heatmap_filters_by_a_saved_view_and_ignores_another_users_private_one(
    client, admin_user, sales_user, workspace
):
    from accounts.models import SavedView

    AccountFactory(workspace=workspace, name="Harbor Freight", industry="Retail")
    AccountFactory(workspace=workspace, name="Harbor Labs", industry="Software")
    AccountFactory(workspace=workspace, name="Quay Retail", industry="Retail")
    shared = SavedView.objects.create(
        workspace=workspace, owner=admin_user, name="Retail", list_name="accounts", query="industry=Retail", shared=True
    )
    private = SavedView.objects.create(
        workspace=workspace, owner=admin_user, name="Mine", list_name="accounts", query="q=labs", shared=False
    )
    client.force_login(sales_user)

    filtered = client.get(f"/content/committees/?view={shared.pk}&q=harbor").content.decode()
    not_allowed = client.get(f"/content/committees/?view={private.pk}").content.decode()

    assert "Harbor Freight" in filtered and "Harbor Labs" not in filtered and "Quay Retail" not in filtered
    assert all(name in not_allowed for name in ("Harbor Freight", "Harbor Labs", "Quay Retail"))
    assert 'name="view"' in filtered and "Retail (shared)" in filtered and "Mine" not in filtered


@pytest.mark.django_db
def test_heatmap_and_gap_list_count_matches_only_up_to_their_cap(client, admin_user, workspace, monkeypatch):
    """The committee pages' count stops at ``COMMITTEE_COUNT_CAP`` matches (a filtered count reads one index
    entry per match): the pager says "N+" above it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr("content.views.committee.COMMITTEE_COUNT_CAP", 4)
    persona = PersonaFactory(workspace=workspace, typical_buying_role="economic_buyer")
    client.force_login(admin_user)
    _accounts(workspace, persona, 9)

    for url, shown in (("/content/committees/", "1–9 of 9+"), ("/content/committees/gaps/", "1–9 of 9+")):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert len(counts) == 1 and "LIMIT 5" in counts[0], url
        assert shown in html, url


def test_gap_advice_and_seat_status_read_in_the_readers_language(workspace):
    """Issue 16: "Find an … (usually titled …)" and the Known/Engaged/Missing pills were English on Spanish pages."""
    from django.utils import translation

    from content.selectors.committee import coverage_gaps

    PersonaFactory(workspace=workspace, name="Finance leader", typical_buying_role="economic_buyer")
    for _ in range(3):
        ContactFactory(account=AccountFactory(workspace=workspace), buying_role="economic_buyer", title="CFO")
    account = AccountFactory(workspace=workspace, tier="standard")

    with translation.override("es"):
        coverage = account_coverage(account=account)
        advice = {g.requirement.key: g.advice for g in coverage_gaps(workspace=workspace, coverage=coverage)}
        pills = {r.requirement.key: r.status_label for r in coverage.roles}

    assert advice["economic_buyer"] == "Buscar: comprador económico (suele tener el cargo CFO; persona Finance leader)."
    assert pills["economic_buyer"] == "Falta"
