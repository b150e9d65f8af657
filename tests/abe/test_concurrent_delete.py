"""A row deleted by another request while this one worked on it: 404 or 409 with a clear message, never a 500
(``abe.middleware.ConcurrentDeleteMiddleware``, ``abe.api.exceptions``)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from abe.api.exceptions import exception_handler
from abe.db import foreign_key_violation
from abe.middleware import ConcurrentDeleteMiddleware
from accounts.models import Account, TierChange
from tests.factories import AccountFactory


def _foreign_key_error(workspace) -> IntegrityError:
    """A real one: a tier change naming an account that does not exist, checked at once."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        TierChange.objects.create(workspace=workspace, account_id=10**9, old_tier="standard", new_tier="strategic")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return info.value


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLSTATE of PostgreSQL's foreign-key violation")
def test_a_foreign_key_violation_is_a_409_that_says_what_happened(workspace):
    error = _foreign_key_error(workspace)
    assert foreign_key_violation(error)
    middleware = ConcurrentDeleteMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]

    page = middleware.process_exception(RequestFactory().post("/accounts/1/panels/tier/"), error)
    api = exception_handler(error, {})

    assert page is not None and page.status_code == 409
    assert page["Content-Type"].startswith("text/plain")  # what an htmx form shows (static/js/app.js)
    assert "deleted by someone else meanwhile" in page.content.decode()
    assert api is not None and api.status_code == 409
    assert "deleted meanwhile" in api.data["non_field_errors"][0]


@pytest.mark.django_db
def test_a_duplicate_is_not_taken_for_a_delete(workspace):
    AccountFactory(workspace=workspace, domain="acme.example")
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        Account.objects.create(workspace=workspace, name="Again", domain="acme.example")

    assert not foreign_key_violation(info.value)
    assert ConcurrentDeleteMiddleware(lambda r: None).process_exception(RequestFactory().get("/"), info.value) is None  # type: ignore[arg-type,return-value]
    response = exception_handler(info.value, {})
    assert response is not None and response.status_code == 409 and "duplicate" in response.data["non_field_errors"][0]


@pytest.mark.django_db
def test_a_row_gone_when_a_service_looks_again_is_a_404(workspace):
    middleware = ConcurrentDeleteMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    gone = Account.DoesNotExist("Account matching query does not exist.")

    page = middleware.process_exception(RequestFactory().get("/accounts/1/"), gone)
    api = exception_handler(gone, {})

    assert page is not None and page.status_code == 404
    assert api is not None and api.status_code == 404
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None  # still a 500
