from typing import Any

from django.http import HttpRequest

from .permissions import can_admin, can_write


def workspace(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    workspaces = [m.workspace for m in getattr(request, "memberships", [])] if membership is not None else []
    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        "user_workspaces": workspaces,
        "can_write": can_write(request),
        "can_admin": can_admin(request),
    }
