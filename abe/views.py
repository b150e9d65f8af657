"""Workspace switching, settings (members and API keys), and the decorators pages share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.http import require_POST

from . import permissions as rules
from .forms import FastSelect, form_add_service_errors
from .http import MemberRequest, SignedInRequest
from .jobs import job_list, job_restart, job_restartable
from .l10n import time_zone_choices
from .middleware import SESSION_KEY
from .models import ApiScope, Currency, JobStatus, Membership, Role, UserPreference
from .paging import ignored_params, paginate, whole_number
from .registry import SettingsLink, home_sections, settings_links
from .selectors import api_key_list, invitation_list, membership_list
from .services import (
    api_key_create,
    api_key_revoke,
    invitation_accept,
    invitation_accept_new_user,
    invitation_create,
    invitation_from_token,
    invitation_withdraw,
    membership_remove,
    membership_set,
    user_preference_set,
    workspace_create,
    workspace_locale_set,
)


def workspace_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Logged in and a member of some workspace; otherwise the login page or a clear 403."""

    @login_required
    @wraps(view)
    def wrapper(request: MemberRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.workspace is None:
            raise PermissionDenied(
                "You are not a member of any workspace yet. Ask an admin to invite you, or create one at "
                "/workspace/new/."
            )
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    wrapper.workspace_scoped = True  # type: ignore[attr-defined]  # read by tests/abe/test_scoping.py
    return wrapper


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @workspace_required
    @wraps(view)
    def wrapper(request: MemberRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.can_admin(request):
            raise PermissionDenied(_("Only workspace admins can do this."))
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapper


@require_POST
@login_required
def workspace_switch(request: SignedInRequest) -> HttpResponse:
    raw = request.POST.get("workspace", "")
    pk = whole_number(raw)
    wanted = Membership.objects.filter(user=request.user, workspace_id=pk) if pk is not None else None
    membership = wanted.first() if wanted is not None else None
    if membership is None:
        raise Http404("No such workspace.")
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(request, _("Switched to %(name)s.") % {"name": membership.workspace.name})
    return redirect("/")


@workspace_required
def settings_index(request: MemberRequest) -> HttpResponse:
    context = {
        "memberships": membership_list(workspace=request.workspace),
        "invitations": invitation_list(workspace=request.workspace).filter(accepted_at=None, withdrawn_at=None)
        if rules.can_admin(request)
        else [],
        "keys": api_key_list(workspace=request.workspace) if rules.can_admin(request) else [],
        "role_choices": Role.choices,
        "scope_choices": ApiScope.choices,
        "settings_links": _links(settings_links(rules.request_role(request))),
    }
    return render(request, "settings/index.html", context)


def _links(entries: list[SettingsLink]) -> list[dict[str, str]]:
    links = []
    for entry in entries:
        try:
            links.append(
                {
                    "label": _(entry.label),
                    "url": reverse(entry.url_name),
                    "description": _(entry.description) if entry.description else "",
                }
            )
        except NoReverseMatch:  # the app serving it is not installed
            continue
    return links


@workspace_required
def home_view(request: MemberRequest) -> HttpResponse:
    """The home page of the request's role: the fragments registered for it, each loaded with htmx."""
    sections = []
    for section in home_sections(rules.request_role(request)):
        try:
            sections.append({"title": _(section.title), "url": reverse(section.url_name), "name": section.url_name})
        except NoReverseMatch:
            continue
    return render(request, "home.html", {"sections": sections})


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("What uses the key, e.g. “Salesforce sync”.")
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple, initial=["read"]
    )


@admin_required
def api_key_new(request: MemberRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _, raw = api_key_create(workspace=request.workspace, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(request, "settings/api_key_new.html", {"form": form, "raw_key": raw})


@require_POST
@admin_required
def api_key_revoke_view(request: MemberRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(api_key_list(workspace=request.workspace), pk=pk)
    api_key_revoke(key=key)
    messages.success(request, _("Key “%(name)s” revoked; requests with it are now refused.") % {"name": key.name})
    return redirect("settings:index")


class MemberRoleForm(forms.Form):
    membership = forms.IntegerField(label=gettext_lazy("Member"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


@require_POST
@admin_required
def member_set(request: MemberRequest) -> HttpResponse:
    """Change the role of someone who is already a member (people join only by accepting an invitation)."""
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("settings:index")
    membership = get_object_or_404(membership_list(workspace=request.workspace), pk=form.cleaned_data["membership"])
    try:
        membership_set(workspace=request.workspace, user=membership.user, role=form.cleaned_data["role"])
        messages.success(
            request,
            _("%(user)s is now %(role)s.") % {"user": membership.user, "role": Role(form.cleaned_data["role"]).label},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("settings:index")


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, required=False)

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or Role.VIEWER  # new members are viewers unless chosen otherwise


@require_POST
@admin_required
def member_invite(request: MemberRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_create(workspace=request.workspace, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            # The same answer whether or not the address has an account: invitations reveal no users.
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
    return redirect("settings:index")


@require_POST
@admin_required
def invitation_withdraw_view(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(invitation_list(workspace=request.workspace), pk=pk)
    invitation_withdraw(invitation=invitation)
    messages.success(request, _("Invitation of %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("settings:index")


class InvitationSignupForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput, min_length=8)


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: join with the account they are logged in with, or create one for the invited address."""
    try:
        invitation = invitation_from_token(token=token)
    except ValidationError as exc:
        return render(request, "settings/invitation.html", {"error": " ".join(exc.messages)}, status=400)
    form = InvitationSignupForm(request.POST or None) if not request.user.is_authenticated else None
    error = ""
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = invitation_accept(token=token, user=request.user)
            elif form is not None and form.is_valid():
                user, membership = invitation_accept_new_user(token=token, **form.cleaned_data)
                login(request, user, backend="abe.backends.MembershipBackend")
            else:
                membership = None
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                form_add_service_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            if membership is not None:
                # The user's own action: they switch to the workspace they just joined.
                request.session[SESSION_KEY] = membership.workspace_id
                messages.success(request, _("Welcome to %(name)s.") % {"name": membership.workspace.name})
                return redirect("/")
    context = {"invitation": invitation, "form": form, "error": error, "token": token}
    return render(request, "settings/invitation.html", context)


@require_POST
@admin_required
def member_remove(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(membership_list(workspace=request.workspace), pk=pk)
    try:
        membership_remove(membership=membership)
        messages.success(request, _("%(user)s removed from the workspace.") % {"user": membership.user})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("settings:index")


def login_locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this once a username or an address has too many failed logins: a 429 with the reason."""
    from django.conf import settings
    from django.contrib.auth.forms import AuthenticationForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": AuthenticationForm(request),
        "next": request.GET.get("next", ""),
        "locked_message": _("Too many failed logins. Wait %(minutes)s minutes, then try again (or ask an admin).")
        % {"minutes": minutes},
    }
    return render(request, "registration/login.html", context, status=429)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` a form posted, if it points into this site; ``fallback`` otherwise (no open redirects)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: ``redirect()`` takes anything else without a slash for a view name to reverse
    # (``next=foo`` was a NoReverseMatch, a 500), and a control character has no place in a URL.
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


@workspace_required
def job_list_view(request: MemberRequest) -> HttpResponse:
    """Every background job of the workspace, newest first, a page at a time; ``?status=`` keeps one status. The
    jobs of every member: a bulk change or a rescore is the team's work, and its page may be started again."""
    status = request.GET.get("status", "")
    jobs = job_list(workspace=request.workspace)
    valid = status in JobStatus.values
    if valid:
        jobs = jobs.filter(status=status)
    page_obj = paginate(request, jobs, key="jobs", default=25)
    context = {
        "page_obj": page_obj,
        "status": status if valid else "",
        "statuses": JobStatus.choices,
        "ignored": ignored_params(request, invalid=[] if valid or not status else ["status"]),
    }
    return render(request, "jobs/list.html", context)


@workspace_required
def job_progress_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress card of a job, polled by htmx every second until it is done or failed; opened as a page (the
    home page's list of jobs links here), the card in the site's layout, polling the same way."""
    job = get_object_or_404(job_list(workspace=request.workspace), pk=pk)
    if request.htmx:
        return render(request, "includes/job_progress.html", {"job": job})
    can_restart = job_restartable(job=job, role=rules.request_role(request))
    return render(request, "jobs/job.html", {"job": job, "can_restart": can_restart})


@workspace_required
@require_POST
def job_restart_view(request: MemberRequest, pk: int) -> HttpResponse:
    """Start a failed job again from where it stopped (``abe.jobs.job_restart``), then back to its page."""
    job = get_object_or_404(job_list(workspace=request.workspace), pk=pk)
    try:
        job_restart(job=job, role=rules.request_role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Started again: it goes on from where it stopped."))
    return redirect("job_progress", pk=job.pk)


class WorkspaceForm(forms.Form):
    name = forms.CharField(
        max_length=200, label=gettext_lazy("Name"), help_text=gettext_lazy("Your company or team, e.g. “Acme Europe”.")
    )
    slug = forms.CharField(
        max_length=60,
        required=False,
        label=gettext_lazy("Short name (optional)"),
        help_text=gettext_lazy("Used on the command line (--workspace); made from the name when left empty."),
    )


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy(
            "Pages and emails in this language; empty: the workspace's language, else your browser's."
        ),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        required=False,
        help_text=gettext_lazy("Times are shown in this zone; empty: UTC."),
        widget=FastSelect,  # ~550 options: Django's Select renders a template for each
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", gettext_lazy("Workspace or browser default")),
            *settings.LANGUAGES,
        ]
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [("", "UTC"), *time_zone_choices()]


@login_required
def preferences_view(request: SignedInRequest) -> HttpResponse:
    """The user menu's preferences: the language and time zone this person reads the portal in."""
    preference = UserPreference.objects.filter(user=request.user).first()
    initial = {"language": preference.language, "time_zone": preference.time_zone} if preference else {}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = user_preference_set(
                user=request.user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            with translation.override(saved.language or translation.get_language()):
                messages.success(request, _("Preferences saved."))
            return redirect("preferences")
    return render(request, "settings/preferences.html", {"form": form})


class WorkspaceLocaleForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        required=False,
        help_text=gettext_lazy("For members who have not chosen their own; empty: each browser's language."),
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency"),
        choices=Currency.choices,
        help_text=gettext_lazy("Amounts are shown in this currency."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", gettext_lazy("Each browser's language")),
            *settings.LANGUAGES,
        ]


@admin_required
def workspace_locale_view(request: MemberRequest) -> HttpResponse:
    """Admins set the workspace's default language and its currency."""
    workspace = request.workspace
    form = WorkspaceLocaleForm(
        request.POST or None, initial={"language": workspace.language, "currency": workspace.currency}
    )
    if request.method == "POST" and form.is_valid():
        try:
            workspace_locale_set(
                workspace=workspace, language=form.cleaned_data["language"], currency=form.cleaned_data["currency"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Language and currency saved."))
            return redirect("settings:locale")
    return render(request, "settings/locale.html", {"form": form})


@login_required
def workspace_create_view(request: SignedInRequest) -> HttpResponse:
    """Any signed-in user can create a workspace; they become its admin and switch to it."""
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = workspace_create(
                name=form.cleaned_data["name"], slug=form.cleaned_data["slug"] or None, owner=request.user
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, _("Workspace %(name)s created; you are its admin.") % {"name": workspace.name})
            return redirect("/")
    return render(request, "settings/workspace_new.html", {"form": form})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under ``/api/`` (as the OpenAPI schema documents every error), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON under ``/api/``, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return defaults.server_error(request)
