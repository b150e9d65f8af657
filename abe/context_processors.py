from django.http import HttpRequest

from .permissions import can_admin, can_write


def workspace(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    workspaces = []
    if membership is not None:
        workspaces = [m.workspace for m in request.user.memberships.select_related("workspace")]
    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        "user_workspaces": workspaces,
        "can_write": can_write(request),
        "can_admin": can_admin(request),
    }
