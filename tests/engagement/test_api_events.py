"""The ingest API: scopes, single and batch answers, batch limits, rate limiting, query counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from engagement.models import EngagementEvent
from tests.factories import AccountFactory, ContactFactory

from .conftest import NOW, event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_one_event_is_created_then_reported_as_duplicate(key_client, workspace):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    client = key_client("events")
    payload = event(
        account_domain="globex.com", at=NOW, type="pricing_page_visit", channel="web", metadata={"url": "/pricing"}
    )

    first = client.post("/api/v1/events/", payload, format="json")
    again = client.post("/api/v1/events/", payload, format="json")

    assert first.status_code == 201 and first.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    stored = EngagementEvent.objects.get()
    assert (stored.account_id, stored.metadata, stored.channel) == (account.pk, {"url": "/pricing"}, "web")


def test_one_bad_event_gets_field_errors(key_client):
    response = key_client("events").post("/api/v1/events/", {"type": "nope"}, format="json")

    assert response.status_code == 400
    assert {"source", "external_id", "type", "occurred_at", "account_id"} <= set(response.json())


def test_batch_answers_counts_and_rejected_rows(key_client, workspace):
    contact = ContactFactory(account=AccountFactory(workspace=workspace))
    events = [event(contact_email=contact.email) for _ in range(3)] + [event(contact_email=contact.email, type="x")]

    response = key_client("events").post("/api/v1/events/batch/", {"events": events}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "accepted": 3,
        "duplicates": 0,
        "rejected": [{"index": 3, "errors": {"type": [response.json()["rejected"][0]["errors"]["type"][0]]}}],
    }


def test_batch_must_be_a_list_of_at_most_5000(key_client):
    client = key_client("events")

    not_a_list = client.post("/api/v1/events/batch/", {"events": "x"}, format="json")
    too_many = client.post("/api/v1/events/batch/", {"events": [{}] * 5001}, format="json")

    assert not_a_list.status_code == 400 and too_many.status_code == 400
    assert "5000" in too_many.json()["events"][0]


@pytest.mark.parametrize("scopes", [("read",), ("write",)])
def test_keys_without_the_events_scope_are_refused(key_client, scopes):
    response = key_client(*scopes).post("/api/v1/events/batch/", {"events": []}, format="json")

    assert response.status_code == 403


def test_writing_users_may_ingest_but_viewers_may_not(marketing_api, viewer_api, workspace):
    account = AccountFactory(workspace=workspace)

    ok = marketing_api.post("/api/v1/events/", event(account_id=account.pk), format="json")
    refused = viewer_api.post("/api/v1/events/", event(account_id=account.pk), format="json")

    assert (ok.status_code, refused.status_code) == (201, 403)


def test_rate_limit_is_per_key_and_answers_429_with_retry_after(key_client, settings, workspace):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "2/min"}}
    first, second = key_client("events"), key_client("events")

    answers = [first.post("/api/v1/events/batch/", {"events": []}, format="json").status_code for _ in range(3)]
    other_key = second.post("/api/v1/events/batch/", {"events": []}, format="json")
    limited = first.post("/api/v1/events/batch/", {"events": []}, format="json")

    assert answers == [200, 200, 429]
    assert other_key.status_code == 200
    assert int(limited["Retry-After"]) > 0


def test_batch_query_count_does_not_grow_with_rows(key_client, workspace, django_assert_max_num_queries):
    accounts = [AccountFactory(workspace=workspace) for _ in range(5)]
    contacts = [ContactFactory(account=a) for a in accounts for _ in range(4)]
    events = [event(contact_email=contacts[i % 20].email, external_id=f"q{i}") for i in range(1000)]
    client = key_client("events")
    # One INSERT per batch on PostgreSQL; SQLite splits it by its bound-parameter limit (11 per event row).
    inserts = 1 if connection.vendor == "postgresql" else -(-1000 // (connection.features.max_query_params // 11))

    # PostgreSQL: 16 + the account-references lock, one statement locking what the events name, the replication
    # role set and reset around the COPY, and (first batch of a connection) whether the role may be set.
    with django_assert_max_num_queries(20 + inserts):
        response = client.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert response.json()["accepted"] == 1000


def test_a_large_batch_replayed_with_new_events_among_it_adds_exactly_the_new_ones(key_client, workspace):
    """A 1,350-event batch goes to PostgreSQL in several streamed chunks; when some of its keys exist already the
    COPY fails after every chunk was sent and the rows go in the careful way: all chunks, exact counts."""
    from datetime import timedelta

    from django.db.models import Sum

    from engagement.models import EngagementDay, PendingBatch
    from engagement.services import store

    people = [ContactFactory(account=AccountFactory(workspace=workspace)) for _ in range(6)]
    client = key_client("events")

    def batch(numbers):
        return [
            event(
                external_id=f"big-{n}",
                contact_email=people[n % 6].email,
                at=NOW - timedelta(hours=n % 240),
                type=("web_visit", "email_open", "meeting")[n % 3],
            )
            for n in numbers
        ]

    first = client.post("/api/v1/events/batch/", {"events": batch(range(1200))}, format="json")
    # new keys spread through the replayed ones, so that they fall into different chunks once sorted by account
    second = client.post("/api/v1/events/batch/", {"events": batch(range(1350))}, format="json")

    assert first.json() == {"accepted": 1200, "duplicates": 0, "rejected": []}
    assert second.json() == {"accepted": 150, "duplicates": 1200, "rejected": []}
    assert EngagementEvent.objects.filter(workspace=workspace).count() == 1350
    # and the day counts the two batches add up to are the events stored, each once
    assert PendingBatch.objects.filter(workspace=workspace).count() == 2
    assert store.pending_apply(workspace=workspace) == 2
    assert EngagementDay.objects.filter(workspace=workspace).aggregate(n=Sum("count"))["n"] == 1350


def test_an_event_whose_ids_read_like_copys_null_marker_is_stored_as_given(key_client, workspace):
    # given a source and an external id that are the text of COPY's NULL marker (as some CRM exports write them)
    contact = ContactFactory(account=AccountFactory(workspace=workspace))
    payload = {"events": [event(source="\\N", external_id="\\N", contact_email=contact.email)]}

    first = key_client("events").post("/api/v1/events/batch/", payload, format="json")
    again = key_client("events").post("/api/v1/events/batch/", payload, format="json")

    # then it is accepted once and stored with exactly those texts (not a NOT NULL violation, not a 500)
    assert first.status_code == 200 and first.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert again.json() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert list(EngagementEvent.objects.values_list("source", "external_id")) == [("\\N", "\\N")]
