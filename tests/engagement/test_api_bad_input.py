"""Hostile or broken input to the ingest and import endpoints: each is a 4xx (or a per-row error), never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from engagement.models import EngagementEvent
from tests.factories import AccountFactory

from .conftest import NOW, event

pytestmark = pytest.mark.django_db

BINARY = bytes(range(256)) * 64  # NUL bytes and invalid UTF-8: a spreadsheet or an image, not a CSV


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def events_client(key_client):
    return key_client("events")


def _batch(client, events):
    # Sent as raw JSON text, so that lone surrogates travel exactly as an attacker would send them.
    body = json.dumps({"events": events})
    return client.post("/api/v1/events/batch/", body, content_type="application/json")


@pytest.mark.parametrize(
    "bad",
    [
        {"type": {"a": 1}},
        {"type": ["web_visit"]},
        {"channel": {"a": 1}},
        {"channel": ["web"]},
        {"source": "\ud800"},
        {"external_id": "x\udfff"},
        {"account_domain": "\ud800.com"},
        {"contact_email": "a\ud800@x.com"},
        {"metadata": {"note": "\ud800"}},
        {"metadata": {"\ud800": 1}},
        {"metadata": {"a": [{"b": "\udc00"}]}},
        {"\ud800": 1},
        {"occurred_at": "0001-01-01T00:00:00+05:00"},
        {"occurred_at": "9999-12-31T23:59:59-05:00"},
        {"occurred_at": "0001-01-01T00:00:00Z"},
        {"occurred_at": "9999-12-31T23:59:59Z"},
        {"occurred_at": ["2026-01-01"]},
    ],
)
def test_a_bad_row_is_reported_and_the_good_rows_of_the_batch_commit(events_client, workspace, bad):
    account = AccountFactory(workspace=workspace)
    good = event(account_id=account.pk)
    good["occurred_at"] = "2026-12-01T00:00:00Z"
    broken = {**event(account_id=account.pk), **bad}

    response = _batch(events_client, [broken, good])

    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert [r["index"] for r in response.json()["rejected"]] == [0]
    assert EngagementEvent.objects.count() == 1


def _nested(depth: int) -> str:
    """JSON text of an object nested ``depth`` levels (built as text: json.dumps would hit the recursion limit)."""
    return '{"a":' * depth + "{}" + "}" * depth


def test_deeply_nested_metadata_is_a_row_error(events_client, workspace):
    account = AccountFactory(workspace=workspace)
    good = event(account_id=account.pk)
    good["occurred_at"] = "2026-12-01T00:00:00Z"

    deep = json.dumps({**event(account_id=account.pk), "metadata": "DEEP"}).replace('"DEEP"', _nested(200))
    body = '{"events": [' + deep + "," + json.dumps(good) + "]}"

    response = events_client.post("/api/v1/events/batch/", body, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert "Nested more than" in response.json()["rejected"][0]["errors"]["metadata"][0]


def test_a_body_nested_beyond_the_parser_is_a_400(events_client):
    body = '{"events": [' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]}"

    response = events_client.post("/api/v1/events/batch/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_a_single_event_with_a_surrogate_gets_field_errors(events_client):
    body = json.dumps({**event(account_id=1), "source": "\ud800", "type": ["x"]})

    response = events_client.post("/api/v1/events/", body, content_type="application/json")

    assert response.status_code == 400
    assert {"source", "type"} <= set(response.json())


def test_the_largest_documented_batch_fits_the_body_limit(events_client, workspace):
    account = AccountFactory(workspace=workspace)
    events = [
        {
            **event(account_id=account.pk, external_id=f"big-{i}"),
            "occurred_at": "2026-12-01T00:00:00Z",
            "metadata": {"note": "x" * 1000},
        }
        for i in range(5000)
    ]

    response = _batch(events_client, events)

    assert response.status_code == 200, response.content[:300]
    assert response.json()["accepted"] == 5000


def test_a_body_over_the_limit_is_a_json_413(events_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = _batch(events_client, [event(account_id=1, metadata={"note": "x" * 2000})])

    assert response.status_code == 413
    assert "at most 1000" in response.json()["detail"]


def test_events_endpoints_take_json_only(events_client):
    response = events_client.post("/api/v1/events/", {"source": "x"}, format="multipart")

    assert response.status_code == 415


def test_a_binary_file_to_the_import_api_is_a_400(marketing_api):
    upload = SimpleUploadedFile("accounts.csv", BINARY, content_type="text/csv")

    response = marketing_api.post("/api/v1/import-jobs/", {"kind": "accounts", "file": upload}, format="multipart")

    assert response.status_code == 400
    assert "binary" in response.json()["file"][0]


def test_a_binary_file_to_the_import_page_is_a_form_error(marketing_user, client):
    client.force_login(marketing_user)
    upload = SimpleUploadedFile("accounts.csv", BINARY, content_type="text/csv")

    response = client.post("/accounts/import/", {"kind": "accounts", "file": upload})

    assert response.status_code == 200
    assert "binary" in response.content.decode()


def test_a_binary_file_to_the_events_upload_is_a_form_error(marketing_user, client):
    client.force_login(marketing_user)

    response = client.post("/engagement/events/upload/", {"file": SimpleUploadedFile("e.csv", BINARY)})

    assert response.status_code == 200
    assert "Not a readable CSV file" in response.content.decode() or "binary" in response.content.decode()


def test_events_csv_with_nested_or_hostile_metadata_reports_lines(
    marketing_user, client, workspace, django_capture_on_commit_callbacks
):
    client.force_login(marketing_user)
    account = AccountFactory(workspace=workspace)
    deep = _nested(990).replace('"', '""')
    deeper = ('{"a":' * 5000 + "1" + "}" * 5000).replace('"', '""')
    text = (
        "source,external_id,type,occurred_at,account_id,metadata\n"
        f'web,c1,web_visit,2026-12-01T00:00:00Z,{account.pk},"{deep}"\n'
        f'web,c2,web_visit,2026-12-01T00:00:00Z,{account.pk},"{deeper}"\n'
        f'web,c3,web_visit,2026-12-01T00:00:00Z,{account.pk},"{{""ok"": 1}}"\n'
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/engagement/events/upload/", {"file": SimpleUploadedFile("e.csv", text.encode())})

    assert response.status_code == 302
    assert EngagementEvent.objects.count() == 1
    assert list(EngagementEvent.objects.values_list("external_id", flat=True)) == ["c3"]


def test_window_default_lets_recent_events_in(events_client, workspace):
    account = AccountFactory(workspace=workspace)
    assert NOW.year == 2026

    response = _batch(events_client, [{**event(account_id=account.pk), "occurred_at": "1970-01-01T00:00:00Z"}])

    assert response.status_code == 200 and response.json()["accepted"] == 0
    assert "occurred_at" in response.json()["rejected"][0]["errors"]
