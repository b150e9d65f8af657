import datetime as dt

import pytest

from analytics.selectors.filters import KpiFilters
from analytics.selectors.journey import journey_cohorts, journey_cohorts_from_changes
from analytics.services.rollups import facts_rebuild
from engagement.models import JourneyStageChange
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
STAGES = ["unaware", "aware", "engaged", "mqa", "opportunity", "customer"]


def move(account, a: str, b: str, when: dt.datetime) -> None:
    JourneyStageChange.objects.create(
        workspace=account.workspace, account=account, from_stage=a, to_stage=b, changed_at=when
    )


def assert_same_cohorts(a, b) -> None:
    assert [(c.month, c.accounts, c.reached) for c in a] == [(c.month, c.accounts, c.reached) for c in b]
    for x, y in zip(a, b, strict=True):
        assert set(x.days_to) == set(y.days_to)
        for stage, days in x.days_to.items():
            assert days == pytest.approx(y.days_to[stage])


def test_cohorts_group_accounts_by_the_month_they_entered_not_by_the_month_of_each_move(workspace, client, admin_user):
    jan, feb, mar = (dt.datetime(2026, m, 10, 9, tzinfo=UTC) for m in (1, 2, 3))
    a, b, c, d = (AccountFactory(workspace=workspace) for _ in range(4))
    move(a, "unaware", "aware", jan)
    move(a, "aware", "engaged", feb)  # a later move: still the January cohort
    move(a, "engaged", "mqa", mar)
    move(b, "unaware", "aware", jan + dt.timedelta(days=5))
    move(c, "unaware", "aware", feb)
    move(c, "aware", "engaged", feb + dt.timedelta(days=4))
    move(d, "aware", "mqa", jan + dt.timedelta(days=2))  # a jump: d passed engaged on the way
    filters = KpiFilters(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    facts_rebuild(workspace=workspace)

    from_rollup = journey_cohorts(workspace=workspace, filters=filters)
    # The rollup gives the figures the recorded stage changes give.
    assert_same_cohorts(from_rollup, journey_cohorts_from_changes(workspace=workspace, filters=filters, stages=STAGES))
    cohorts = {c.month: c for c in from_rollup}

    assert set(cohorts) == {"2026-01", "2026-02"}
    assert cohorts["2026-01"].accounts == 3
    # Reached a stage = arrived there or further (or started there): the funnel narrows stage by stage.
    assert cohorts["2026-01"].reached == {"unaware": 3, "aware": 3, "engaged": 2, "mqa": 2}
    assert cohorts["2026-01"].days_to["engaged"] == pytest.approx(15.5)  # a: 31 days, d: on entry (0)
    assert cohorts["2026-02"].accounts == 1
    assert cohorts["2026-02"].reached == {"unaware": 1, "aware": 1, "engaged": 1}
    # A cohort outside the period is left out (and its accounts' later moves do not make a cohort).
    march_only = KpiFilters(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert journey_cohorts(workspace=workspace, filters=march_only) == []
    assert journey_cohorts_from_changes(workspace=workspace, filters=march_only, stages=STAGES) == []

    client.force_login(admin_user)
    page = client.get("/analytics/journey/", {"from": "2026-01-01", "to": "2026-03-31"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Journey funnel by monthly cohort" in body
    assert "2026-01" in body and "2 (66.7%)" in body  # engaged: 2 of the 3 January accounts
