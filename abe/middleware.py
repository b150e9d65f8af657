"""Give every request its current workspace and the user's membership in it.

The current workspace is the one saved in the session by the switcher, else the user's first. API-key
requests get theirs from the key during DRF authentication (``abe.api.authentication``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import Membership

SESSION_KEY = "workspace_id"


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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


class RequestBodyLimitMiddleware:
    """Answer 413 (JSON for the API) to a body larger than the limits, before anything reads it.

    Non-file bodies (JSON, forms) are limited by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (sized for the largest
    documented event batch), multipart uploads by ``ABE_MAX_UPLOAD_BYTES``. Without this, Django answers a
    bare HTML 400 when the body is first read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.http import JsonResponse

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.ABE_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = f"The request body is {length} bytes; at most {limit} are accepted."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
