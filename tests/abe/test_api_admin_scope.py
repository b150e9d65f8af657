"""Every admin-only operation of the API can be used with a key holding the ``admin`` scope, and only with it.

The operations are found, not listed by hand: every write operation of the OpenAPI document whose view is
admin-only (``admin_only``), lets only admins write (``write_roles = (Role.ADMIN,)``) or uses
``AdminWritesPermission``. A new admin operation is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from abe.api.permissions import admin_writes_only
from accounts.prospecting.api.views import AdminWritesPermission

pytestmark = pytest.mark.django_db

MISSING_ID = "987654321"
PATH_VALUES = {"tier": "strategic"}


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), MISSING_ID), path)


def _is_admin_operation(path: str, method: str) -> bool:
    match = resolve(_concrete(path))
    cls = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    if cls is None:
        return False
    if getattr(cls, "admin_only", False):
        return True
    if method == "get":
        return False
    return admin_writes_only(cls) or any(p is AdminWritesPermission for p in getattr(cls, "permission_classes", []))


def _admin_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete") and _is_admin_operation(path, method)
    )


ADMIN_OPERATIONS = _admin_operations()


def test_the_admin_operations_are_found():
    # The webhooks, the news feeds, the ICP versions, the predictive models and the prospecting settings.
    paths = {path for path, _ in ADMIN_OPERATIONS}
    assert len(ADMIN_OPERATIONS) >= 15, ADMIN_OPERATIONS
    assert {"/api/v1/webhook-subscriptions/", "/api/v1/news-feeds/", "/api/v1/icp-versions/"} <= paths


def _call(client, path: str, method: str):
    body = {} if method in ("post", "put", "patch") else None
    return getattr(client, method)(_concrete(path), body, format="json")


@pytest.mark.parametrize("path,method", ADMIN_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in ADMIN_OPERATIONS])
def test_an_admin_key_can_use_every_admin_operation_and_other_keys_cannot(key_client, path, method):
    admin = _call(key_client("admin"), path, method)
    others = _call(key_client("read", "write", "events"), path, method)

    # Past the permission check: the answer is about the input or the object (200/201/204, 400, 404, 409).
    assert admin.status_code not in (401, 403, 405) and admin.status_code < 500, (admin.status_code, admin.content)
    assert others.status_code == 403, (others.status_code, others.content)
