"""Creating a workspace: in the browser (the creator becomes admin and switches to it) and on the command line."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from abe.models import Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_without_a_workspace_creates_one_and_becomes_its_admin(client):
    user = get_user_model().objects.create_user("newcomer", "new@example.com", "pw-123456")
    client.force_login(user)

    form = client.get(reverse("workspace_create"))
    response = client.post(reverse("workspace_create"), {"name": "Acme Europe", "slug": ""})
    home = client.get(reverse("accounts:list"))

    assert form.status_code == 200 and b"New workspace" in form.content
    assert response.status_code == 302
    workspace = Workspace.objects.get(slug="acme-europe")
    assert Membership.objects.get(user=user, workspace=workspace).role == Role.ADMIN
    assert home.status_code == 200 and b"Acme Europe" in home.content


def test_workspace_form_shows_clear_messages(client, workspace, admin_user):
    client.force_login(admin_user)

    taken = client.post(reverse("workspace_create"), {"name": "Other", "slug": workspace.slug})
    bad = client.post(reverse("workspace_create"), {"name": "Other", "slug": "Not A Slug!"})
    empty = client.post(reverse("workspace_create"), {"name": "  ", "slug": ""})

    assert (
        taken.status_code == 200
        and f"A workspace with slug “{workspace.slug}” already exists.".encode() in taken.content
    )
    assert b"Use lower-case letters, digits and hyphens" in bad.content
    assert empty.status_code == 200 and b"This field is required" in empty.content


def test_anonymous_users_are_sent_to_the_login_page(client):
    assert client.get(reverse("workspace_create")).status_code == 302


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("create_workspace", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_create_workspace_command_makes_an_existing_user_admin(admin_user):
    code, out, _ = _run("acme-latam", "--name", "Acme LatAm", "--admin", admin_user.username)

    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["slug"] == "acme-latam" and summary["admin"] == admin_user.username
    assert Membership.objects.get(workspace__slug="acme-latam", user=admin_user).role == Role.ADMIN


def test_create_workspace_command_needs_an_existing_user_and_a_free_slug(admin_user, workspace):
    no_user = _run("x-ws", "--name", "X", "--admin", "ghost")
    taken = _run(workspace.slug, "--name", "Again", "--admin", admin_user.username)

    assert no_user[0] == 2 and "No user “ghost”" in no_user[2] and "Traceback" not in no_user[2]
    assert taken[0] == 2 and "already exists" in taken[2]
    assert not Workspace.objects.filter(slug="x-ws").exists()
