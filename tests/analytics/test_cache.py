"""Dashboards are cached per rollup version: a refresh or a spend change shows at once, nothing else re-reads."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.services.economics import spend_entry_create
from analytics.services.rollups import facts_rebuild, facts_refresh_changes
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_summary_is_served_from_the_cache_until_the_rollups_move_on(workspace, marketing_api):
    account = AccountFactory(workspace=workspace, tier="strategic")
    facts_rebuild(workspace=workspace)
    first = marketing_api.get("/api/v1/analytics/summary/").json()
    OpportunityFactory(account=account, created_date=TODAY, amount=Decimal(9_000))

    cached = marketing_api.get("/api/v1/analytics/summary/").json()  # no refresh yet: the same figures
    facts_refresh_changes(workspace=workspace)
    fresh = marketing_api.get("/api/v1/analytics/summary/").json()

    assert first["pipeline"]["target"]["pipeline_created"] == 0
    assert cached["pipeline"]["target"]["pipeline_created"] == 0
    assert fresh["pipeline"]["target"]["pipeline_created"] == 9000.0


def test_a_spend_entry_shows_on_the_economics_page_at_once(workspace, client, marketing_user):
    facts_rebuild(workspace=workspace)
    client.force_login(marketing_user)
    before = client.get("/analytics/economics/", {"format": "csv"}).content.decode()

    spend_entry_create(
        workspace=workspace, period_start=TODAY, period_end=TODAY, category="events", amount=Decimal(1234)
    )
    after = client.get("/analytics/economics/", {"format": "csv"}).content.decode()

    assert "$1,234" not in before
    assert "$1,234" in after


def test_a_cached_page_costs_few_queries(workspace, client, marketing_user, django_assert_max_num_queries):
    facts_rebuild(workspace=workspace)
    client.force_login(marketing_user)
    client.get("/analytics/")

    with django_assert_max_num_queries(12):  # session, membership, version, filter choices, digest: no figures
        page = client.get("/analytics/")

    assert page.status_code == 200


def test_the_cache_keeps_one_entry_per_language_and_currency(workspace):
    from django.utils import translation

    from abe import l10n
    from analytics.selectors.cache import cached

    def build():
        return l10n.money(1234.5, 1)

    with translation.override("es"), l10n.currency_override("EUR"):
        spanish = cached(workspace=workspace, name="t", filters=None, compute=build)
    with translation.override("en"), l10n.currency_override("USD"):
        english = cached(workspace=workspace, name="t", filters=None, compute=build)
        again = cached(workspace=workspace, name="t", filters=None, compute=lambda: "recomputed")

    assert "€" in spanish and "," in spanish and english.startswith("$") and again == english
