"""Scoping fails closed: every page and endpoint is served through the workspace-scoped path.

- pages: wrapped by ``abe.views.workspace_required`` (or ``admin_required``, which includes it), so they never
  run without ``request.workspace``;
- API: a class built on ``abe.api.base`` (``WorkspaceApiView``, ``WorkspaceGenericViewSet`` and its CRUD
  variants), whose ``get_queryset`` is final and checks that the rows are scoped to the request's workspace.

The walker is shown failing on deliberately unscoped examples inside this file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from abe.api.base import UnscopedQuerySetError, WorkspaceReadOnlyModelViewSet, WorkspaceScopedMixin
from abe.models import Workspace
from abe.views import workspace_required
from accounts.api.serializers import AccountSerializer
from accounts.models import Account
from tests.factories import AccountFactory

# Served without a workspace on purpose: sign-in, the switcher (it reads only the user's own memberships),
# the API schema and docs (no data), Django's admin (staff only, its own permission system), and creating a
# workspace (a signed-in user with no workspace yet must be able to; it reads no workspace's data). Also the
# invitation page (the signed token is the credential; it reads only its own invitation) and the monitoring
# endpoints (no workspace data: health and queue depths). And a person's own preferences (language, time zone:
# they read and write only the signed-in user's own row, in every workspace). And the JavaScript catalogue (the
# words of static/js in the page's language; the sign-in page needs it too, and it holds no data). And the redirect
# of ``/favicon.ico`` to the portal's static icon.
PUBLIC_NAMES = {
    "login",
    "logout",
    "workspace_switch",
    "schema",
    "api-docs",
    "api-redoc",
    "workspace_create",
    "preferences",
    "invitation_accept",
    "healthz",
    "readyz",
    "javascript-catalog",
    "favicon",
}
PUBLIC_PREFIXES = ("admin/",)


def walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def unscoped(patterns: list) -> list[str]:
    """The routes of ``patterns`` that are not served through the workspace-scoped classes."""
    offenders = []
    for route, pattern in walk(patterns):
        callback = pattern.callback
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if pattern.name in PUBLIC_NAMES or route.startswith(PUBLIC_PREFIXES) or (route == "" and cls is not None):
            continue  # (the bare "" route is the redirect to the account list)
        if cls is not None and issubclass(cls, APIView):
            scoped = issubclass(cls, WorkspaceScopedMixin) and cls.get_queryset is WorkspaceScopedMixin.get_queryset
        else:
            scoped = getattr(callback, "workspace_scoped", False)
        if not scoped:
            offenders.append(route)
    return offenders


def test_every_page_and_endpoint_is_served_through_the_scoped_path():
    routes = [route for route, _ in walk(get_resolver().url_patterns)]
    assert "api/v1/^accounts/$" in routes and "accounts/tiers/" in routes  # the walk reaches the included apps

    assert unscoped(get_resolver().url_patterns) == []


# --- deliberately unscoped examples: the walker must catch each of them ---------------------------------------


def leaky_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(Account.objects.values_list("name", flat=True)))


class LeakyApi(APIView):
    def get(self, request):
        return Response(list(Account.objects.values_list("name", flat=True)))


class LeakyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AccountSerializer
    queryset = Account.objects.all()


def test_the_walker_fails_on_unscoped_pages_and_endpoints():
    router = SimpleRouter()
    router.register("leaky", LeakyViewSet, basename="leaky")
    patterns = [
        path("leaky-page/", leaky_page),
        path("scoped-page/", workspace_required(leaky_page)),
        path("leaky-api/", LeakyApi.as_view()),
        *router.urls,
    ]

    assert unscoped(patterns) == ["leaky-page/", "leaky-api/", "^leaky/$", "^leaky/(?P<pk>[^/.]+)/$"]


def test_a_scoped_class_cannot_override_get_queryset():
    with pytest.raises(TypeError, match="get_workspace_queryset"):

        class Sneaky(WorkspaceReadOnlyModelViewSet):
            def get_queryset(self) -> QuerySet:
                return Account.objects.all()


class ForgetfulViewSet(WorkspaceReadOnlyModelViewSet):
    serializer_class = AccountSerializer

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet:
        return Account.objects.filter(name__startswith="")  # forgot for_workspace: every workspace's rows


class CarefulViewSet(ForgetfulViewSet):
    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet:
        return Account.objects.for_workspace(workspace).filter(name__startswith="").order_by("name")


@pytest.mark.django_db
def test_rows_not_scoped_to_the_request_workspace_are_an_error_never_a_leak(admin_user, workspace, other_workspace):
    AccountFactory(workspace=workspace, name="Ours")
    AccountFactory(workspace=other_workspace, name="Theirs")
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=admin_user)
    request.workspace = workspace

    with pytest.raises(UnscopedQuerySetError):
        ForgetfulViewSet.as_view({"get": "list"})(request)

    response = CarefulViewSet.as_view({"get": "list"})(request)
    assert [row["name"] for row in response.data["results"]] == ["Ours"]
