"""Cached table rows (``abe.rows``): a row is rendered once for the values it shows and reused, and any change to
a shown value, the language, the currency or a page flag renders it again (never a stale row)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation

from abe import l10n
from abe.rows import rendered_rows
from accounts.prospecting.views import board_row_values
from accounts.views import account_row_values
from activation.views import ALERT_ROW, alert_row_values
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

BOARD_ROW = "accounts/partials/tier_row.html"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _render(accounts, **context):
    return rendered_rows(BOARD_ROW, accounts, values=board_row_values, context=context, name="a")


def test_a_row_is_rendered_once_then_read_from_the_cache(workspace, monkeypatch):
    account = AccountFactory(workspace=workspace, name="Harbor Freight", priority=81.5, employees=1200)
    first = _render([account], can_bulk=True)
    renders = []
    monkeypatch.setattr("abe.rows.get_template", lambda name: renders.append(name) or _Never())

    again = _render([account], can_bulk=True)

    assert again == first and renders == [BOARD_ROW]  # the template is looked up, never rendered (_Never)
    assert "Harbor Freight" in first[0] and "1,200" in first[0] and 'name="account"' in first[0]


class _Never:
    def render(self, context):  # pragma: no cover - fails the test if reached
        raise AssertionError("the cached row was rendered again")


def test_a_changed_value_renders_the_row_again(workspace):
    account = AccountFactory(workspace=workspace, name="Harbor Freight", priority=81.5)
    before = _render([account], can_bulk=False)[0]

    account.priority = 42.0
    account.owner = None
    after = _render([account], can_bulk=False)[0]

    assert "82" in before and "42" in after and "82" not in after


def test_page_flags_language_and_currency_are_part_of_the_key(workspace):
    account = AccountFactory(workspace=workspace, annual_revenue=Decimal("2500000"), employees=1200)
    plain = _render([account], can_bulk=False)[0]

    selectable = _render([account], can_bulk=True)[0]
    with translation.override("es"):
        spanish = _render([account], can_bulk=False)[0]
    with l10n.currency_override("EUR"):
        euros = _render([account], can_bulk=False)[0]

    assert 'name="account"' not in plain and 'name="account"' in selectable
    assert "Prospecto" in spanish and "Prospecto" not in plain
    assert "€" in euros and "€" not in plain


def test_a_renamed_owner_is_a_new_row(workspace, admin_user):
    account = AccountFactory(workspace=workspace, owner=admin_user)
    admin_user.first_name, admin_user.last_name = "Ada", "Lovelace"
    before = _render([account], can_bulk=False)[0]

    admin_user.first_name = "Grace"
    after = _render([account], can_bulk=False)[0]

    assert "Ada Lovelace" in before and "Grace Lovelace" in after


def test_the_list_and_the_board_show_cached_rows_that_follow_an_edit(admin_client, workspace):
    account = AccountFactory(workspace=workspace, name="Harbor Freight", employees=1200)
    assert "1,200" in admin_client.get("/accounts/").content.decode()
    assert "1,200" in admin_client.get("/accounts/tiers/").content.decode()

    account.employees = 3400
    account.save()

    for url in ("/accounts/", "/accounts/tiers/"):
        html = admin_client.get(url).content.decode()
        assert "3,400" in html and "1,200" not in html


def test_row_values_cover_the_fields_the_rows_show(workspace):
    """A guard for whoever edits a row template: every account field it reads changes the key."""
    account = AccountFactory(workspace=workspace)
    for values, fields in (
        (
            board_row_values,
            [
                "name",
                "domain",
                "tier",
                "tier_locked",
                "journey_stage",
                "priority",
                "fit_grade",
                "win_probability",
                "employees",
                "annual_revenue",
                "lifecycle",
                "industry",
                "country",
            ],
        ),
        (
            account_row_values,
            [
                "name",
                "domain",
                "industry",
                "country",
                "employees",
                "tier",
                "fit_score",
                "engagement_score",
                "journey_stage",
            ],
        ),
    ):
        base = values(account)
        for field in fields:
            old = getattr(account, field)
            setattr(account, field, not old if isinstance(old, bool) else ("x" if isinstance(old, str) else 7))
            assert values(account) != base, field
            setattr(account, field, old)


def test_rows_served_again_come_from_the_process_without_a_cache_round_trip(workspace, monkeypatch):
    accounts = [AccountFactory(workspace=workspace, name=f"Local {i}") for i in range(3)]
    first = _render(accounts, can_bulk=True)
    asked = []
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: asked.append(list(keys)) or {})

    again = _render(accounts, can_bulk=True)
    accounts[1].name = "Local renamed"
    changed = _render(accounts, can_bulk=True)

    assert again == first
    assert len(asked) == 1 and len(asked[0]) == 1  # only the changed row was looked up in the shared cache
    assert "Local renamed" in changed[1] and changed[0] == first[0] and changed[2] == first[2]


def test_the_process_keeps_a_bounded_number_of_rows(workspace, monkeypatch):
    from abe import rows

    monkeypatch.setattr(rows, "LOCAL_ROWS", 2)
    monkeypatch.setattr(rows, "_local", rows.OrderedDict())
    accounts = [AccountFactory(workspace=workspace, name=f"Bound {i}") for i in range(3)]

    _render(accounts, can_bulk=False)

    assert len(rows._local) == 2


def _alert(workspace, **fields):
    from django.utils import timezone

    from activation.models import Alert

    alert = Alert.objects.create(
        workspace=workspace, title="Hot", message="Why", dedupe_key="k", **{"created_at": timezone.now(), **fields}
    )
    alert.unread = True  # alert_search annotates it per reader
    return alert


def test_the_time_zone_is_part_of_the_key(workspace):
    """The inbox's row shows when the alert fired in the reader's time zone."""
    from datetime import UTC, datetime

    from django.utils import timezone

    alert = _alert(workspace, created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))

    def render():
        return rendered_rows(ALERT_ROW, [alert], values=alert_row_values, context={"can_write": True}, name="alert")[0]

    with timezone.override("UTC"):
        utc = render()
    with timezone.override("Asia/Tokyo"):
        tokyo = render()

    assert "2026-03-01 23:30 UTC" in utc and "2026-03-02 08:30 JST" in tokyo


def test_alert_row_values_cover_the_fields_the_row_shows(workspace, admin_user):
    alert = _alert(workspace, assignee=admin_user)
    base = alert_row_values(alert)
    for field in (
        "unread",
        "severity",
        "status",
        "snoozed_until",
        "created_at",
        "title",
        "message",
        "recommended_action",
        "texts",
        "age",
    ):
        old = alert.__dict__[field]
        alert.__dict__[field] = not old if isinstance(old, bool) else {"key": "x"} if field == "texts" else "x"
        assert alert_row_values(alert) != base, field
        alert.__dict__[field] = old
    admin_user.username = "renamed"
    assert alert_row_values(alert) != base
