"""Deleting an account while a rescore writes its tier history (``abe.locks``): the delete waits for the rescore
and removes what it wrote. Before, the delete collected the account's rows before the rescore committed the new
tier change, then failed at commit on its foreign key (a server error for the person deleting)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts.models import Account, TierChange
from accounts.prospecting import services
from accounts.services import account_delete
from tests.factories import AccountFactory

from .test_services_prospecting import SOFTWARE_ICP, _small_capacity

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


def test_an_account_deleted_while_a_rescore_moves_its_tier_waits_for_it_and_is_deleted(
    workspace, admin_user, monkeypatch
):
    _small_capacity(workspace)
    top = AccountFactory(workspace=workspace, industry="Software", employees=900)
    other = AccountFactory(workspace=workspace, industry="Software", employees=50)
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)
    errors: list[BaseException] = []
    started: dict[str, threading.Thread] = {}
    real = services.rows_update

    def delete() -> None:
        try:
            account_delete(Account.objects.get(pk=top.pk))
        except BaseException as exc:  # noqa: BLE001 -- reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    def update_then_delete(*args, **kwargs):
        written = real(*args, **kwargs)  # the accounts' new scores, before their tier changes are written
        if not started:
            started["thread"] = thread = threading.Thread(target=delete)
            thread.start()
            thread.join(1.5)
            assert thread.is_alive(), "the delete did not wait for the rescore"
        return written

    monkeypatch.setattr(services, "rows_update", update_then_delete)

    services.prospecting_rescore(workspace=workspace, by=admin_user)
    started["thread"].join(20)

    assert not started["thread"].is_alive()
    assert errors == []
    assert not Account.objects.filter(pk=top.pk).exists()
    assert not TierChange.objects.filter(account_id=top.pk).exists()
    assert TierChange.objects.filter(account_id=other.pk).exists()  # the rescore committed for the other
