"""The session's user and their memberships come in one query (abe.backends.MembershipBackend), and Django's
session checks still apply: a changed password, an inactive user, a session of an unlisted backend."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abe.middleware import SESSION_KEY
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _user_queries(captured) -> list[str]:
    """Queries that read auth_user on its own (not joined to the memberships)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "auth_user"' in q["sql"] and '"abe_membership"' not in q["sql"]
    ]


def _signed_in(client, username: str, *roles: str):
    """A user with a password and one membership per role (in workspaces "Alpha", "Beta"…), signed in through the
    login form (so the session names the configured backend); returns the user and the workspaces."""
    user = UserFactory(username=username)
    user.set_password("pw-123456789")
    user.save()
    workspaces = [WorkspaceFactory(name=name) for name in ("Alpha", "Beta")[: len(roles)]]
    for workspace, role in zip(workspaces, roles, strict=True):
        MembershipFactory(user=user, workspace=workspace, role=role)
    client.post("/login/", {"username": user.username, "password": "pw-123456789"})
    return user, workspaces


def test_a_page_reads_the_user_and_the_memberships_in_one_query(client):
    user, _ = _signed_in(client, "ana", "admin", "viewer")

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/alerts/")

    assert page.status_code == 200
    assert _user_queries(captured) == []
    membership_queries = [q["sql"] for q in captured.captured_queries if '"abe_membership"' in q["sql"]]
    assert len(membership_queries) == 1
    # The switcher lists both workspaces, the current one is the first by name, and the role shown is its own.
    html = page.content.decode()
    assert "Alpha" in html and "Beta" in html and "· Admin" in html
    assert page.wsgi_request.user.pk == user.pk
    assert page.wsgi_request.membership.user is page.wsgi_request.user._wrapped  # one object, not a copy


def test_the_switched_workspace_is_the_current_one(client):
    _, (_, second) = _signed_in(client, "bo", "admin", "viewer")
    session = client.session
    session[SESSION_KEY] = second.pk
    session.save()

    page = client.get("/alerts/")

    assert page.wsgi_request.workspace == second
    assert page.wsgi_request.membership.role == "viewer"


def test_a_user_without_a_workspace_is_still_signed_in(client):
    user, _ = _signed_in(client, "cy")

    page = client.get("/workspace/new/")

    assert page.status_code == 200
    assert page.wsgi_request.user.pk == user.pk
    assert page.wsgi_request.memberships == []


def test_a_changed_password_ends_other_sessions(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/alerts/").status_code == 200

    admin_user.set_password("something-else-entirely")
    admin_user.save()
    page = client.get("/alerts/")

    assert page.status_code == 302 and "/login/" in page["Location"]


def test_an_inactive_user_is_signed_out(client, admin_user):
    client.force_login(admin_user)
    admin_user.is_active = False
    admin_user.save()

    page = client.get("/alerts/")

    assert page.status_code == 302 and "/login/" in page["Location"]


def test_a_session_of_a_backend_no_longer_listed_signs_in_again(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    session.save()

    page = client.get("/alerts/")

    assert page.status_code == 302 and "/login/" in page["Location"]
