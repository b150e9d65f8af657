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

    page = middleware.process_exception(
        RequestFactory().post("/accounts/1/panels/tier/", HTTP_HX_REQUEST="true"), error
    )
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


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLSTATE of PostgreSQL's foreign-key violation")
@pytest.mark.parametrize("htmx", [True, False])
def test_a_whole_page_form_refused_gets_a_page_in_the_layout_and_an_htmx_form_the_text(
    workspace, admin_client, monkeypatch, htmx
):
    """A form posted as a whole page got a bare line of text, without the site's navigation."""
    account = AccountFactory(workspace=workspace)
    error = _foreign_key_error(workspace)

    def deleted_meanwhile(**kwargs):
        raise error

    monkeypatch.setattr("accounts.prospecting.services.tier_override", deleted_meanwhile)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {"HTTP_REFERER": f"http://testserver/accounts/{account.pk}/"}
    response = admin_client.post(
        f"/accounts/{account.pk}/panels/tier/", {"tier": "strategic", "reason": "Board review"}, **headers
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "deleted by someone else meanwhile" in body
    if htmx:
        assert response["Content-Type"].startswith("text/plain") and "<" not in body
    else:
        assert response["Content-Type"].startswith("text/html")
        assert 'id="main-nav"' in body and 'id="refused"' in body and "Not saved" in body
        assert f'href="http://testserver/accounts/{account.pk}/"' in body  # back where the person was


@pytest.mark.django_db
def test_a_way_back_is_offered_only_to_this_site(workspace, admin_client, monkeypatch):
    from kombu.exceptions import OperationalError as BrokerError

    from accounts.prospecting.tasks import prospecting_rescore_job_task

    def refuse(*args, **kwargs):
        raise BrokerError("Connection refused")

    monkeypatch.setattr(prospecting_rescore_job_task, "delay", refuse)
    monkeypatch.setattr("abe.tasks.transaction.on_commit", lambda callback, *args, **kwargs: callback())

    response = admin_client.post("/accounts/tiers/rescore/", HTTP_REFERER="https://evil.example/phish")

    assert response.status_code == 503 and response["Retry-After"] == "60"
    body = response.content.decode()
    assert "background job service is unavailable" in body and 'id="refused"' in body
    assert "evil.example" not in body


def test_the_server_error_page_is_the_sites_and_says_what_to_do(rf):
    from abe.views import server_error

    response = server_error(rf.get("/accounts/"))

    body = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in body and "logged for the operators" in body
    assert "css/app.css" in body
