"""Members join by a signed, expiring email invitation; no username enumeration; login throttling; demo admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from abe.middleware import SESSION_KEY
from abe.models import Invitation, Membership, Role
from abe.services import invitation_accept, invitation_create, invitation_token
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://\S+(/invitations/\S+/)", message.body).group(1)


def test_an_admin_invites_by_email_and_the_answer_never_tells_whether_the_user_exists(
    admin_client, workspace, django_capture_on_commit_callbacks
):
    UserFactory(username="known", email="known@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        known = admin_client.post("/settings/members/invite/", {"email": "known@example.com"}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = admin_client.post("/settings/members/invite/", {"email": "nobody@example.com"}, follow=True)

    assert [m.message for m in known.context["messages"]] == ["Invitation sent to known@example.com."]
    assert [m.message for m in unknown.context["messages"]] == ["Invitation sent to nobody@example.com."]
    assert not Membership.objects.filter(workspace=workspace, user__username="known").exists()  # not added
    assert [m.to for m in mail.outbox] == [["known@example.com"], ["nobody@example.com"]]
    assert set(Invitation.objects.values_list("role", flat=True)) == {Role.VIEWER}  # the default role


def test_adding_a_member_by_username_is_gone(admin_client, workspace):
    UserFactory(username="victim")

    response = admin_client.post("/settings/members/", {"username": "victim", "role": "admin"})

    assert response.status_code == 302
    assert not Membership.objects.filter(workspace=workspace, user__username="victim").exists()


def test_the_invitee_accepts_with_their_own_account(client, admin_user, workspace, django_capture_on_commit_callbacks):
    invitee = UserFactory(username="invitee", email="Invitee@Example.com")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(workspace=workspace, email="invitee@example.com", role=Role.SALES, by=admin_user)
    link = _link(mail.outbox[0])
    client.force_login(invitee)

    page = client.get(link)
    joined = client.post(link)

    assert page.status_code == 200 and "Join Acme Marketing" in page.content.decode()
    assert joined.status_code == 302
    assert Membership.objects.get(user=invitee, workspace=workspace).role == Role.SALES
    assert client.post(link).status_code == 400  # one-time


def test_someone_else_cannot_use_the_invitation(client, admin_user, workspace):
    invitation = invitation_create(workspace=workspace, email="invitee@example.com", by=admin_user)
    intruder = UserFactory(username="intruder", email="intruder@example.com")
    client.force_login(intruder)

    response = client.post(f"/invitations/{invitation_token(invitation)}/")

    assert "sent to another address" in response.content.decode()
    assert not Membership.objects.filter(user=intruder, workspace=workspace).exists()


def test_a_new_person_creates_an_account_from_the_invitation(client, admin_user, workspace):
    invitation = invitation_create(workspace=workspace, email="new@example.com", by=admin_user)

    response = client.post(
        f"/invitations/{invitation_token(invitation)}/", {"username": "newbie", "password": "a-long-Passphrase-42"}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(workspace=workspace, user__username="newbie")
    assert (membership.role, membership.user.email) == (Role.VIEWER, "new@example.com")


def test_forged_and_expired_invitations_are_refused(client, admin_user, workspace, settings):
    invitation = invitation_create(workspace=workspace, email="late@example.com", by=admin_user)
    forged = signing.dumps({"id": invitation.pk, "email": "late@example.com"}, salt="another-salt")
    user = UserFactory(username="late", email="late@example.com")

    assert client.get(f"/invitations/{forged}/").status_code == 400
    settings.ABE_INVITATION_DAYS = 0
    with pytest.raises(Exception, match="expired"):
        invitation_accept(token=invitation_token(invitation), user=user)
    assert not Membership.objects.filter(user=user, workspace=workspace).exists()


def test_being_added_to_another_workspace_does_not_switch_the_users_workspace(client, workspace):
    user = UserFactory(username="worker")
    MembershipFactory(user=user, workspace=workspace, role=Role.MARKETING)
    client.force_login(user)  # the current workspace is now Acme Marketing, pinned in the session at login
    first_by_name = WorkspaceFactory(name="AAA First", slug="aaa")
    MembershipFactory(user=user, workspace=first_by_name, role=Role.VIEWER)

    response = client.get("/settings/")

    assert response.context["request"].workspace == workspace
    assert client.session[SESSION_KEY] == workspace.pk


def test_logins_are_throttled_per_username_with_a_clear_message(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="target")

    answers = [client.post("/login/", {"username": "target", "password": f"wrong{i}"}).status_code for i in range(6)]
    right = client.post("/login/", {"username": "target", "password": "pw"})

    assert answers[:4] == [200] * 4 and answers[-1] == 429
    assert right.status_code == 429 and "Too many failed logins" in right.content.decode()
    assert "_auth_user_id" not in client.session
    spanish = client.post("/login/", {"username": "target", "password": "pw"}, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 429 and "Demasiados inicios de sesión fallidos" in spanish.content.decode()


def test_logins_are_throttled_per_ip_across_usernames(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="spray")

    for i in range(5):
        client.post("/login/", {"username": f"guess{i}", "password": "x"})
    response = client.post("/login/", {"username": "spray", "password": "pw"})

    assert response.status_code == 429


def test_a_good_login_still_works(client):
    UserFactory(username="fine")

    response = client.post("/login/", {"username": "fine", "password": "pw"})

    assert response.status_code == 302


def test_the_demo_admin_is_not_a_superuser():
    from abe.demo import demo_workspace_create

    ctx = demo_workspace_create()

    admin = ctx.users["admin"]
    assert admin.is_superuser is False and admin.is_staff is False
    assert timezone.now() - timedelta(minutes=5) < ctx.now
