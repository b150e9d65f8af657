"""The owner menus of the accounts list and the tier board list the workspace's members from a versioned cache
(abe.selectors.member_names) that membership changes drop after their commit: a member added, removed or
joined by invitation shows in the menus at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abe.models import Role
from abe.services import invitation_accept, invitation_create, invitation_token, membership_remove, membership_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _menu(client, url):
    return client.get(url).content.decode()


@pytest.mark.parametrize("url", ["/accounts/", "/accounts/tiers/"])
def test_members_show_and_go_at_once(url, admin_client, workspace, django_capture_on_commit_callbacks):
    newcomer = UserFactory(username="newcomer", first_name="Nora", last_name="Newcomer")
    assert "Nora Newcomer" not in _menu(admin_client, url)  # cached without her

    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_set(workspace=workspace, user=newcomer, role=Role.SALES)
    assert f'<option value="{newcomer.pk}">Nora Newcomer</option>' in _menu(admin_client, url)

    with django_capture_on_commit_callbacks(execute=True):
        membership_remove(membership=membership)
    assert "Nora Newcomer" not in _menu(admin_client, url)


def test_an_accepted_invitation_shows_at_once(admin_client, admin_user, workspace, django_capture_on_commit_callbacks):
    invitee = UserFactory(username="ivy", email="ivy@example.com", first_name="Ivy", last_name="Invited")
    assert "Ivy Invited" not in _menu(admin_client, "/accounts/tiers/")
    invitation = invitation_create(workspace=workspace, email="ivy@example.com", role=Role.VIEWER, by=admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        invitation_accept(token=invitation_token(invitation), user=invitee)

    assert "Ivy Invited" in _menu(admin_client, "/accounts/tiers/")


def test_a_second_request_does_not_read_the_members(admin_client):
    admin_client.get("/accounts/")
    with CaptureQueriesContext(connection) as captured:
        admin_client.get("/accounts/")

    assert not [q for q in captured.captured_queries if 'INNER JOIN "abe_membership"' in q["sql"]]
