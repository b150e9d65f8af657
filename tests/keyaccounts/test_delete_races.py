"""The hourly health pass and a customer deleted while it runs (``abe.locks``): the pass skips the account and
goes on. Before, the pass wrote the deleted account's health row, failed at commit on its foreign key and stopped,
so the customers after it got no health until the next hour."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Account
from accounts.services import account_delete
from keyaccounts.models import AccountHealth
from keyaccounts.services import postsale
from tests.factories import AccountFactory
from tests.threads import delete_after

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


def test_a_customer_deleted_during_the_health_pass_is_skipped_and_the_pass_goes_on(workspace, monkeypatch):
    first, gone, last = (AccountFactory(workspace=workspace, lifecycle="customer") for _ in range(3))
    # After the first customer: the pass has read the list; delete a customer it has not reached.
    race = delete_after(
        monkeypatch,
        postsale,
        "account_health_compute",
        lambda: account_delete(Account.objects.get(pk=gone.pk)),
        wait=2.0,
    )

    computed = postsale.accounts_health_compute(workspace=workspace)
    thread = race.finish()

    assert race.errors == [] and not thread.is_alive()
    assert computed == 2
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert set(AccountHealth.objects.values_list("account_id", flat=True)) == {first.pk, last.pk}
