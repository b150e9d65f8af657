"""The menu's links are reversed once per URLconf and script prefix (``abe.context_processors._reversed``)."""

from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, set_script_prefix

from abe.context_processors import _reversed, nav_items

pytestmark = pytest.mark.django_db


def test_menu_links_follow_the_script_prefix_and_are_reversed_once(rf, admin_user, workspace):
    from abe.models import Membership

    request = rf.get("/accounts/")
    request.user = admin_user
    request.membership = Membership.objects.get(user=admin_user, workspace=workspace)
    request.workspace = workspace
    _reversed.cache_clear()

    plain = {item["label"]: item["url"] for item in nav_items(request)}
    misses = _reversed.cache_info().misses
    assert {item["label"]: item["url"] for item in nav_items(request)} == plain
    assert _reversed.cache_info().misses == misses and _reversed.cache_info().hits >= misses

    set_script_prefix("/portal/")
    try:
        prefixed = {item["label"]: item["url"] for item in nav_items(request)}
    finally:
        clear_script_prefix()
    assert plain and all(prefixed[label] == "/portal" + url for label, url in plain.items())


def test_a_name_that_does_not_reverse_is_left_out():
    assert _reversed("no-such-view", "abe.urls", "/") is None
