"""Shared fixtures: a workspace with one user per role, clients logged in as each, and API-key clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from abe.models import Role
from abe.services import api_key_create

from .factories import MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Marketing", slug="acme")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Other Co", slug="other")


def _member(workspace, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def admin_user(workspace):
    return _member(workspace, Role.ADMIN, "admin1")


@pytest.fixture
def marketing_user(workspace):
    return _member(workspace, Role.MARKETING, "marketing1")


@pytest.fixture
def sales_user(workspace):
    return _member(workspace, Role.SALES, "sales1")


@pytest.fixture
def viewer_user(workspace):
    return _member(workspace, Role.VIEWER, "viewer1")


@pytest.fixture
def other_admin(other_workspace):
    return _member(other_workspace, Role.ADMIN, "otheradmin")


def _api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=None)
    client.force_login(user)
    return client


@pytest.fixture
def admin_api(admin_user):
    return _api_client(admin_user)


@pytest.fixture
def marketing_api(marketing_user):
    return _api_client(marketing_user)


@pytest.fixture
def sales_api(sales_user):
    return _api_client(sales_user)


@pytest.fixture
def viewer_api(viewer_user):
    return _api_client(viewer_user)


@pytest.fixture
def key_client(workspace):
    """A factory of API clients authenticated by a workspace key with the given scopes."""

    def make(*scopes: str, ws=None) -> APIClient:
        _, raw = api_key_create(workspace=ws or workspace, name="test key", scopes=scopes or ("read",))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
