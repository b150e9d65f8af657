"""Issue 10: a 500 on ``POST /api/v1/events/`` seen once while fuzzing with two workers. An account or content
asset deleted by another connection after the batch looked it up, but before its events were written, must give
a clean per-row error (the row was checked against a directory that was already stale), never a 500."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.models import Account
from content.models import ContentAsset
from engagement.models import EngagementEvent
from engagement.services import events_ingest, store
from tests.factories import AccountFactory, ContentAssetFactory

from .conftest import NOW, event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


def _delete_between_lookup_and_insert(monkeypatch, delete) -> list[int]:
    """Run ``delete`` on another connection (committed) when the ingest is about to insert, once."""
    real, calls = store.events_insert, []

    def racing_insert(*, workspace, rows, **kwargs):
        if not calls:
            calls.append(1)

            def other_request() -> None:
                try:
                    delete()
                finally:
                    connections.close_all()

            thread = threading.Thread(target=other_request)
            thread.start()
            thread.join(20)
            assert not thread.is_alive(), "the delete was blocked by the ingest's transaction"
        return real(workspace=workspace, rows=rows, **kwargs)

    monkeypatch.setattr(store, "events_insert", racing_insert)
    return calls


def test_an_account_deleted_during_ingest_is_a_row_error_not_a_500(workspace, key_client, monkeypatch):
    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    calls = _delete_between_lookup_and_insert(monkeypatch, lambda: Account.objects.filter(pk=gone.pk).delete())

    response = key_client("events").post(
        "/api/v1/events/batch/",
        {"events": [event(type="reply", account_id=gone.pk), event(type="reply", account_id=kept.pk)]},
        format="json",
    )

    assert calls and response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [0] and "account_id" in body["rejected"][0]["errors"]
    assert list(EngagementEvent.objects.values_list("account_id", flat=True)) == [kept.pk]


def test_a_content_asset_deleted_during_ingest_is_a_field_error_not_a_500(workspace, key_client, monkeypatch):
    account = AccountFactory(workspace=workspace)
    asset = ContentAssetFactory(workspace=workspace)
    calls = _delete_between_lookup_and_insert(monkeypatch, lambda: ContentAsset.objects.filter(pk=asset.pk).delete())

    response = key_client("events").post(
        "/api/v1/events/",
        event(type="reply", account_id=account.pk, content_asset_id=asset.pk),
        format="json",
    )

    assert calls and response.status_code == 400, response.content
    assert "content_asset_id" in response.json()
    assert not EngagementEvent.objects.exists()


def test_inside_an_outer_transaction_the_race_rolls_back_only_the_batch(workspace, monkeypatch):
    # The events CSV upload ingests each chunk inside its own transaction: the retry uses a savepoint.
    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    calls = _delete_between_lookup_and_insert(monkeypatch, lambda: Account.objects.filter(pk=gone.pk).delete())

    with transaction.atomic():
        result = events_ingest(
            workspace=workspace, events=[event(account_id=kept.pk), event(account_id=gone.pk)], now=NOW
        )

    assert calls and result.accepted == 1 and [r["index"] for r in result.rejected] == [1]
    assert list(EngagementEvent.objects.values_list("account_id", flat=True)) == [kept.pk]
