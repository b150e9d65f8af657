"""The OpenAPI document matches the API: nullable fields, error responses, the admin scope, no 500s."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from accounts.models import ProposalStatus, TierProposal
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_error_responses(schema):
    missing = [
        (path, method, code)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for code in ("400", "401", "403", "404", "409", "413", "414", "429")
        if code not in operation["responses"]
    ]

    assert missing == []


def test_fields_that_can_be_null_are_declared_nullable(schema):
    components = schema["components"]["schemas"]

    assert components["Alert"]["properties"]["assignee"].get("nullable") is True
    assert components["Alert"]["properties"]["rule_name"].get("nullable") is True
    assert components["TierProposal"]["properties"]["decided_by"].get("nullable") is True


def test_ingest_endpoints_advertise_json_only(schema):
    for path in ("/api/v1/events/", "/api/v1/events/batch/"):
        assert set(schema["paths"][path]["post"]["requestBody"]["content"]) == {"application/json"}


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_deciding_a_tier_proposal_with_an_api_key_works(key_client, workspace, decision):
    account = AccountFactory(workspace=workspace, tier="standard")
    proposal = TierProposal.objects.create(
        workspace=workspace, account=account, current_tier="standard", proposed_tier="priority", reason="r"
    )

    response = key_client("read", "write").post(f"/api/v1/tier-proposals/{proposal.pk}/{decision}/")

    assert response.status_code == 200, response.content
    assert response.json()["decided_by"] is None
    proposal.refresh_from_db()
    assert proposal.status != ProposalStatus.PENDING


def test_creating_a_persona_answers_its_contact_count(admin_api):
    response = admin_api.post("/api/v1/personas/", {"name": "CFO"}, format="json")

    assert response.status_code == 201 and response.json()["contact_count"] == 0


def test_admin_operations_need_the_admin_scope(key_client):
    assert key_client("read", "write").get("/api/v1/webhook-subscriptions/").status_code == 403
    assert key_client("read", "admin").get("/api/v1/webhook-subscriptions/").status_code == 200
    created = key_client("admin").post(
        "/api/v1/webhook-subscriptions/", {"name": "CRM", "url": "http://127.0.0.1:9/hook"}, format="json"
    )
    assert created.status_code in (201, 400)  # 400 only because loopback URLs are refused without the test setting


def test_create_api_key_accepts_the_admin_scope(workspace):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_key", workspace=workspace.slug, scopes="read,write,events,admin", stdout=out, stderr=err)

    assert "admin" in err.getvalue() and out.getvalue().strip().startswith("abe_")


def test_a_url_too_long_for_the_server_is_documented_without_a_body(schema):
    """gunicorn answers a request line over 4,094 bytes with its own HTML 414 (schemathesis sent a list filter with
    hundreds of values): documented on every operation, with no JSON body promised."""
    responses = schema["paths"]["/api/v1/account-team-members/"]["get"]["responses"]

    assert "414" in responses and "content" not in responses["414"]
