"""``Authorization: Bearer <key>`` authentication with workspace API keys."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from abe.http import WorkspaceRequest
from abe.models import ApiKey
from abe.selectors import api_key_by_raw


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as “Authorization: Bearer <key>”.")
        key = api_key_by_raw(raw=parts[1])
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if not key.is_active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        key.mark_used()
        # The key decides the workspace; no session workspace may leak into a key's request.
        django_request: WorkspaceRequest = request._request  # type: ignore[assignment]
        django_request.workspace = key.workspace
        django_request.membership = None
        django_request.api_key = key
        return AnonymousUser(), key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
