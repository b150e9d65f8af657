import pytest
from django.core.management import call_command

from abe.models import ApiKey, api_key_hash
from abe.services import api_key_create, api_key_revoke
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_create_api_key_command_prints_the_key_alone_on_its_last_line(workspace, capsys):
    call_command("create_api_key", "--workspace", workspace.slug, "--scopes", "read,write,events")

    raw = capsys.readouterr().out.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert raw.startswith("abe_") and " " not in raw
    assert key.key_hash == api_key_hash(raw) and raw not in (key.key_hash, key.prefix)
    assert key.scopes == ["events", "read", "write"]


def test_create_api_key_command_rejects_unknown_workspace_and_scope(workspace):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No workspace"):
        call_command("create_api_key", "--workspace", "nope")
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_key", "--workspace", workspace.slug, "--scopes", "read,superuser")


def test_bearer_key_reads_its_workspace_only(workspace, other_workspace, key_client):
    AccountFactory(workspace=workspace, name="Mine")
    AccountFactory(workspace=other_workspace, name="Theirs")

    response = key_client("read").get("/api/v1/accounts/")

    assert response.status_code == 200
    assert [a["name"] for a in response.json()["results"]] == ["Mine"]


def test_read_scope_cannot_write_and_write_scope_can(key_client):
    payload = {"name": "Initech", "domain": "initech.com"}

    assert key_client("read").post("/api/v1/accounts/", payload, format="json").status_code == 403
    assert key_client("write").post("/api/v1/accounts/", payload, format="json").status_code == 201


def test_revoked_and_unknown_keys_are_refused(workspace, client):
    key, raw = api_key_create(workspace=workspace, name="CRM", scopes=["read"])
    api_key_revoke(key=key)

    revoked = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    unknown = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION="Bearer abe_nope")
    anonymous = client.get("/api/v1/accounts/")

    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert unknown.status_code == 401
    assert anonymous.status_code in (401, 403)


def test_admin_makes_and_revokes_keys_in_the_settings_page(admin_client, workspace):
    response = admin_client.post("/settings/api-keys/new/", {"name": "HubSpot", "scopes": ["read", "events"]})

    key = ApiKey.objects.for_workspace(workspace).get()
    raw = response.context["raw_key"]
    assert key.key_hash == api_key_hash(raw) and key.scopes == ["events", "read"]
    assert raw in response.content.decode()

    admin_client.post(f"/settings/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_non_admins_cannot_manage_keys(client, marketing_user, workspace):
    client.force_login(marketing_user)

    response = client.post("/settings/api-keys/new/", {"name": "x", "scopes": ["read"]})

    assert response.status_code == 403
    assert not ApiKey.objects.exists()
