"""Give every request its current workspace and the user's membership in it.

The current workspace is the one saved in the session by the switcher, else the user's first. API-key
requests get theirs from the key during DRF authentication (``abe.api.authentication``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .http import WorkspaceRequest
from .models import Membership

SESSION_KEY = "workspace_id"


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: WorkspaceRequest) -> HttpResponse:
        request.workspace = None
        request.membership = None
        request.api_key = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query for every membership: the switcher lists them, and the current one is among them.
            memberships = list(
                Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
            )
            wanted = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.workspace_id == wanted), None) or next(
                iter(memberships), None
            )
            request.memberships = memberships
            if membership is not None:
                request.membership = membership
                request.workspace = membership.workspace
        return self.get_response(request)
