"""Typed requests: what ``WorkspaceMiddleware`` (and API-key authentication) add to every request.

Annotate views with these instead of ``HttpRequest`` so the type checker knows ``request.workspace``:

- :class:`WorkspaceRequest`: any request (``workspace`` and ``membership`` may be None);
- :class:`SignedInRequest`: behind ``login_required``: ``user`` is a real user;
- :class:`MemberRequest`: behind ``workspace_required`` / ``admin_required``: a signed-in member of the
  current workspace, so ``workspace`` and ``membership`` are set and ``user`` is a real user.

They are annotations only: the objects are Django's own ``HttpRequest`` with the attributes set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

    from .models import ApiKey, Membership, Workspace


class WorkspaceRequest(HttpRequest):
    workspace: Workspace | None
    membership: Membership | None
    memberships: list[Membership]
    api_key: ApiKey | None
    htmx: HtmxDetails


class SignedInRequest(WorkspaceRequest):
    user: User


class MemberRequest(SignedInRequest):
    workspace: Workspace
    membership: Membership
