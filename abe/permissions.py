"""Role rules, in one place, for pages and the API.

- viewer: reads only;
- sales: edits the accounts it owns or is on the team of (and their contacts, team, opportunities);
- marketing and admin: edit everything;
- admin only: members, API keys and workspace settings.

An API key acts with its scopes: ``read`` for safe methods, ``write`` for changes (as marketing would),
``events`` for ingestion. Keys never manage members or keys.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Role


def request_role(request: Any) -> str | None:
    membership = getattr(request, "membership", None)
    if membership is not None:
        return str(membership.role)
    key = getattr(request, "api_key", None)
    if key is not None:
        return Role.MARKETING if key.has_scope("write") else Role.VIEWER
    return None


def can_write(request: HttpRequest | Any) -> bool:
    return request_role(request) in (Role.ADMIN, Role.MARKETING, Role.SALES)


def can_write_everything(request: HttpRequest | Any) -> bool:
    return request_role(request) in (Role.ADMIN, Role.MARKETING)


def can_admin(request: HttpRequest | Any) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role == Role.ADMIN


def can_edit_object(request: HttpRequest | Any, obj: Any) -> bool:
    """Whether the request may change ``obj``; objects tell sales users apart with ``sales_can_edit(user)``."""
    role = request_role(request)
    if role in (Role.ADMIN, Role.MARKETING):
        return True
    if role == Role.SALES:
        check = getattr(obj, "sales_can_edit", None)
        return bool(check and check(request.user))
    return False
