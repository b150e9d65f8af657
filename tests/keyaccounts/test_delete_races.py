"""The hourly health pass and a customer deleted while it runs (``abe.locks``): the pass skips the account and
goes on. Before, the pass wrote the deleted account's health row, failed at commit on its foreign key and stopped,
so the customers after it got no health until the next hour."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import Account
from accounts.services import account_delete
from keyaccounts.models import AccountHealth
from keyaccounts.services import postsale
from tests.factories import AccountFactory
from tests.threads import in_thread

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


def test_a_customer_deleted_during_the_health_pass_is_skipped_and_the_pass_goes_on(workspace, monkeypatch):
    first, gone, last = (AccountFactory(workspace=workspace, lifecycle="customer") for _ in range(3))
    errors: list[BaseException] = []
    started: dict[str, threading.Thread] = {}
    real = postsale.account_health_compute

    def compute_then_delete(*, account, **kwargs):
        health = real(account=account, **kwargs)
        if not started:  # the pass has read the list: delete a customer it has not reached
            started["thread"] = thread = in_thread(lambda: account_delete(Account.objects.get(pk=gone.pk)), errors)
            thread.join(2.0)
        return health

    monkeypatch.setattr(postsale, "account_health_compute", compute_then_delete)

    computed = postsale.accounts_health_compute(workspace=workspace)
    started["thread"].join(20)

    assert errors == [] and not started["thread"].is_alive()
    assert computed == 2
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert set(AccountHealth.objects.values_list("account_id", flat=True)) == {first.pk, last.pk}
