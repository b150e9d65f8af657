"""The tier board's ICP and settings come from a cache (accounts.prospecting.selectors.board_config) that every
change drops after its commit: the board never shows a version or a blend older than the last committed change,
and a copy read before a change (a reader racing the writer) is never served after it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.prospecting import selectors, services

pytestmark = pytest.mark.django_db


def _icp(label: str) -> list[dict]:
    return [{"key": "k", "label": label, "weight": 100, "bands": [{"label": "Yes", "when": {"industry": ["X"]}}]}]


def _board_queries(admin_client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get("/accounts/tiers/").status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_a_second_board_request_reads_neither_the_icp_nor_the_settings(
    admin_client, workspace, admin_user, django_capture_on_commit_callbacks
):
    _board_queries(admin_client)  # the workspace's stats cached
    with django_capture_on_commit_callbacks(execute=True):
        services.icp_save(workspace=workspace, criteria=_icp("Sector"), by=admin_user, rescore=False)
    _board_queries(admin_client)  # the stats again (a saved ICP may change the tiers)
    with django_capture_on_commit_callbacks(execute=True):
        services.prospecting_settings_update(workspace=workspace, rescore=False, fit_weight=0.55)
    first = _board_queries(admin_client)
    second = _board_queries(admin_client)

    def reads(queries, table):
        return [q for q in queries if f'FROM "{table}"' in q]

    assert reads(first, "accounts_icpversion") and reads(first, "accounts_prospectingsettings")
    assert not reads(second, "accounts_icpversion") and not reads(second, "accounts_prospectingsettings")
    assert len(second) == len(first) - len(
        reads(first, "accounts_icpversion") + reads(first, "accounts_prospectingsettings")
    )


def test_a_saved_icp_and_a_revert_show_at_once(admin_client, workspace, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = services.icp_save(workspace=workspace, criteria=_icp("Old sector"), by=admin_user, rescore=False)
    assert "Old sector" in admin_client.get("/accounts/tiers/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.icp_save(workspace=workspace, criteria=_icp("New sector"), by=admin_user, rescore=False)
    html = admin_client.get("/accounts/tiers/").content.decode()
    assert "New sector" in html and "Old sector" not in html

    with django_capture_on_commit_callbacks(execute=True):
        services.icp_activate(version=old, by=admin_user, rescore=False)
    html = admin_client.get("/accounts/tiers/").content.decode()
    assert "Old sector" in html and "New sector" not in html


def test_changed_settings_show_at_once(admin_client, workspace, django_capture_on_commit_callbacks):
    assert "(fit 0.50 : win probability 0.50)" in admin_client.get("/accounts/tiers/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.prospecting_settings_update(workspace=workspace, rescore=False, fit_weight=0.7, predictive_weight=0.3)

    assert "(fit 0.70 : win probability 0.30)" in admin_client.get("/accounts/tiers/").content.decode()


def test_a_copy_read_before_a_change_is_not_served_after_it(workspace, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.icp_save(workspace=workspace, criteria=_icp("Before"), by=admin_user, rescore=False)
    version_key, data_key = selectors._config_keys(workspace)
    selectors.board_config(workspace=workspace)  # cached under the current version
    from django.core.cache import cache

    stale = cache.get(data_key)
    with django_capture_on_commit_callbacks(execute=True):
        services.icp_save(workspace=workspace, criteria=_icp("After"), by=admin_user, rescore=False)
    # A reader that read the database before that commit stores its copy afterwards, with the version it saw.
    cache.set(data_key, stale, selectors.BOARD_CONFIG_TTL)

    icp, _ = selectors.board_config(workspace=workspace)

    assert icp.criteria[0]["label"] == "After"


def test_without_the_cache_the_board_reads_the_database(workspace, admin_user, monkeypatch):
    from django.core.cache import cache

    services.icp_save(workspace=workspace, criteria=_icp("Live"), by=admin_user, rescore=False)
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: {})
    monkeypatch.setattr(cache, "add", lambda *a, **k: False)
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)

    icp, conf = selectors.board_config(workspace=workspace)

    assert (
        icp.criteria[0]["label"] == "Live"
        and conf.fit_weight == selectors.prospecting_settings(workspace=workspace).fit_weight
    )


def test_an_admin_edit_drops_the_cached_copy(workspace, admin_user, rf, django_capture_on_commit_callbacks):
    from django.contrib.admin.sites import site

    from accounts.models import IcpVersion

    with django_capture_on_commit_callbacks(execute=True):
        version = services.icp_save(workspace=workspace, criteria=_icp("Before"), by=admin_user, rescore=False)
    selectors.board_config(workspace=workspace)
    version.criteria = _icp("Edited in the admin")

    with django_capture_on_commit_callbacks(execute=True):
        site._registry[IcpVersion].save_model(rf.post("/admin/"), version, form=None, change=True)

    icp, _ = selectors.board_config(workspace=workspace)
    assert icp.criteria[0]["label"] == "Edited in the admin"
