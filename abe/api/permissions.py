from __future__ import annotations

from typing import Any

from rest_framework import permissions

from abe import permissions as rules
from abe.models import Role


def admin_writes_only(view: Any) -> bool:
    """Whether only workspace admins change this view's rows (``write_roles = (Role.ADMIN,)``): for a key, the
    ``admin`` scope, as for the admin-only views."""
    return tuple(getattr(view, "write_roles", ())) == (Role.ADMIN,)


class WorkspaceRolePermission(permissions.BasePermission):
    """Every API call needs a workspace; writes need a writing role (or a key with the right scope).

    Views may narrow it with ``write_roles`` (e.g. personas: admin and marketing) and ``required_scope``
    for keys (``events`` for ingestion). Objects answer for sales users through ``sales_can_edit``.
    """

    message = "You do not have permission to do this in this workspace."

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(request, "workspace", None) is None:
            return False
        key = getattr(request, "api_key", None)
        safe = request.method in permissions.SAFE_METHODS
        if key is not None:
            scope = getattr(view, "required_scope", None) or ("read" if safe else "write")
            if getattr(view, "admin_only", False) or (not safe and admin_writes_only(view)):
                return bool(key.has_scope("admin"))
            return bool(key.has_scope(scope) or (key.has_scope("admin") and scope in ("read", "write")))
        if getattr(view, "admin_only", False):
            return rules.can_admin(request)
        if safe:
            return True
        role = rules.request_role(request)
        write_roles = getattr(view, "write_roles", (Role.ADMIN, Role.MARKETING, Role.SALES))
        return role in write_roles

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return rules.can_edit_object(request, obj)
