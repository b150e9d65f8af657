"""Writes on workspaces, memberships and API keys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import (
    ApiKey,
    ApiScope,
    Currency,
    Invitation,
    Membership,
    Role,
    UserPreference,
    Workspace,
    api_key_hash,
)
from .selectors import members_invalidate


@transaction.atomic
def workspace_create(*, name: str, slug: str | None = None, owner: User | None = None) -> Workspace:
    """A new workspace; ``owner`` becomes its admin. The slug defaults to the name's (``Acme EU`` -> ``acme-eu``)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the workspace a name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("Names up to 200 characters.")})
    given = (slug or "").strip()
    slug = given or slugify(name)[:60]
    if not slug:
        raise ValidationError({"name": _("Give the workspace a name with letters or digits.")})
    if given and (slugify(given) != given or len(given) > 60):
        raise ValidationError({"slug": _("Use lower-case letters, digits and hyphens (up to 60), e.g. acme-eu.")})
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A workspace with slug “%(slug)s” already exists.") % {"slug": slug}})
    workspace = Workspace.objects.create(name=name, slug=slug)
    if owner is not None:
        Membership.objects.create(user=owner, workspace=workspace, role=Role.ADMIN)
    return workspace


@transaction.atomic
def membership_set(*, workspace: Workspace, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of: %(values)s.") % {"values": ", ".join(Role.values)}})
    others = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).exclude(user=user)
    if role != Role.ADMIN and not others.exists():
        raise ValidationError(_("A workspace keeps at least one admin."))
    membership, _created = Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
    members_invalidate(workspace=workspace)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    remaining_admins = Membership.objects.filter(workspace=membership.workspace, role=Role.ADMIN).exclude(
        pk=membership.pk
    )
    if membership.role == Role.ADMIN and not remaining_admins.exists():
        raise ValidationError(_("A workspace keeps at least one admin."))
    membership.delete()
    members_invalidate(workspace=membership.workspace)


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({s.strip() for s in scopes if s and s.strip()})
    unknown = [s for s in cleaned if s not in ApiScope.values]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope(s): %(unknown)s. Use: %(scopes)s.")
                % {"unknown": ", ".join(unknown), "scopes": ", ".join(ApiScope.values)}
            }
        )
    if not cleaned:
        raise ValidationError({"scopes": _("Give the key at least one scope.")})
    return cleaned


@transaction.atomic
def api_key_create(
    *, workspace: Workspace, name: str, scopes: Iterable[str], created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Make a key; the raw key is returned once and only its hash is stored."""
    if not name.strip():
        raise ValidationError({"name": _("Name the key after what uses it (e.g. “Salesforce sync”).")})
    raw = ApiKey.generate_raw()
    key = ApiKey.objects.create(
        workspace=workspace,
        name=name.strip(),
        prefix=raw[:10],
        key_hash=api_key_hash(raw),
        scopes=_clean_scopes(scopes),
        created_by=created_by,
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


INVITATION_SALT = "abe.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"id": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(
    *, workspace: Workspace, email: str, role: str = Role.VIEWER, by: User | None = None
) -> Invitation:
    """Invite an address (new members default to viewer) and email it a signed link valid for a few days.

    The answer is the same whether or not the address has an account, so invitations reveal no users.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of: %(values)s.") % {"values": ", ".join(Role.values)}})
    days = settings.ABE_INVITATION_DAYS
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role, created_by=by, expires_at=timezone.now() + timedelta(days=days)
    )
    link = f"{settings.ABE_SITE_URL}{reverse('invitation_accept', args=[invitation_token(invitation)])}"
    inviter = getattr(by, "get_full_name", lambda: "")() or getattr(by, "username", "An admin")
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {workspace.name} on the ABE Portal",
            message=f"{inviter} invited you to join {workspace.name} as {invitation.get_role_display()}.\n\n"
            f"Accept within {days} days: {link}\n\nIf you did not expect this, ignore this email.",
            from_email=None,
            recipient_list=[email],
            fail_silently=True,
        )
    )
    return invitation


def invitation_from_token(*, token: str) -> Invitation:
    """The open invitation a link stands for; ValidationError if forged, expired, used or withdrawn."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=settings.ABE_INVITATION_DAYS))
    except signing.SignatureExpired:
        raise ValidationError(_("This invitation has expired; ask an admin for a new one.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This invitation link is not valid.")) from None
    invitation = (
        Invitation.objects.select_related("workspace").filter(pk=data.get("id"), email=data.get("email")).first()
    )
    if invitation is None or not invitation.is_open:
        raise ValidationError(_("This invitation was already used, withdrawn or has expired."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """The invitee (logged in with the invited address) joins the workspace with the invited role."""
    invitation = invitation_from_token(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation was already used, withdrawn or has expired."))
    if (user.email or "").strip().lower() != invitation.email:
        raise ValidationError(
            _("This invitation was sent to another address. Log in with the account of %(email)s.")
            % {"email": invitation.email}
        )
    membership = Membership.objects.filter(workspace=invitation.workspace, user=user).first()
    if membership is None:
        membership = Membership.objects.create(workspace=invitation.workspace, user=user, role=invitation.role)
        members_invalidate(workspace=invitation.workspace)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept_new_user(*, token: str, username: str, password: str) -> tuple[User, Membership]:
    """An invitee without an account creates one (with the invited address) and joins."""
    invitation = invitation_from_token(token=token)
    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Choose a username.")})
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken; choose another.")})
    user = user_model(username=username, email=invitation.email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user, invitation_accept(token=token, user=user)


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation) -> Invitation:
    if invitation.withdrawn_at is None and invitation.accepted_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
    return invitation


@transaction.atomic
def user_preference_set(*, user: User, language: str, time_zone: str) -> UserPreference:
    """A person's own language and time zone ("" for each: the workspace's language, the server's zone)."""
    from .l10n import time_zone as zone

    languages = {code for code, _ in settings.LANGUAGES}
    if language and language not in languages:
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    if time_zone and zone(time_zone) is None:
        raise ValidationError({"time_zone": _("Choose a time zone from the list, e.g. Europe/Madrid.")})
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language, "time_zone": time_zone}
    )
    return preference


@transaction.atomic
def workspace_locale_set(*, workspace: Workspace, language: str, currency: str) -> Workspace:
    """The workspace's default language (for members without their own) and the currency money is shown in."""
    languages = {code for code, _ in settings.LANGUAGES}
    if language and language not in languages:
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    if currency not in Currency.values:
        raise ValidationError({"currency": _("Choose one of the offered currencies.")})
    workspace.language, workspace.currency = language, currency
    workspace.save(update_fields=["language", "currency"])
    return workspace
