"""Large uploads and scoring passes do not block or deadlock each other on account rows (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from engagement.rules import ScoringRules
from engagement.services import events_ingest
from engagement.services.scoring import AccountResult, _write
from tests.factories import AccountFactory, WorkspaceFactory

from .conftest import NOW, event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]


def test_ingest_is_not_blocked_by_a_scoring_pass_holding_the_account_rows():
    workspace = WorkspaceFactory(name="Locks", slug="locks")
    account = AccountFactory(workspace=workspace)
    locked, release = threading.Event(), threading.Event()

    def scoring_pass() -> None:
        try:
            with transaction.atomic():
                _write(
                    workspace=workspace,
                    rules=ScoringRules.defaults(),
                    now=NOW,
                    accounts={account.pk: AccountResult(account.pk, stage="unaware")},
                    contacts={},
                )
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=scoring_pass)
    worker.start()
    assert locked.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            result = events_ingest(workspace=workspace, events=[event(account_id=account.pk)], now=NOW)
    finally:
        release.set()
        worker.join()

    assert result.accepted == 1
