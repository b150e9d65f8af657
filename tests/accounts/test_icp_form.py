"""The ICP form refuses weights that do not add up to 100 instead of rescaling them silently (issue 11 item 5)."""

from __future__ import annotations

import json

import pytest

from accounts.models import IcpVersion

pytestmark = pytest.mark.django_db


def _criterion(key, weight):
    return {"key": key, "label": key.title(), "weight": weight, "bands": [{"label": "x", "when": {"industry": ["x"]}}]}


def test_weights_adding_to_135_are_refused_with_the_total(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/accounts/icp/", {"name": "ICP", "criteria": json.dumps([_criterion("a", 60), _criterion("b", 75)])}
    )

    assert response.status_code == 200
    assert "The weights add up to 135; they must add up to 100" in response.content.decode()
    assert not IcpVersion.objects.exists()


def test_weights_adding_to_100_are_saved_as_they_are(client, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/icp/", {"name": "ICP", "criteria": json.dumps([_criterion("a", 60), _criterion("b", 40)])}
        )

    assert response.status_code == 302
    assert [c["weight"] for c in IcpVersion.objects.get().criteria] == [60, 40]


def test_the_editor_page_carries_the_json_and_the_attribute_lists(client, admin_user, viewer_user):
    client.force_login(admin_user)
    html = client.get("/accounts/icp/").content.decode()
    assert 'id="icp-form-editor"' in html and "js/icp_editor.js" in html and 'id="id_criteria"' in html
    client.force_login(viewer_user)
    assert "icp-form-editor" not in client.get("/accounts/icp/").content.decode()


def test_the_editors_attribute_names_read_in_the_readers_language(client, admin_user):
    """The structured editor's attribute names ("Days since trigger event", "Region / state") were English."""
    import html
    import json
    import re

    client.force_login(admin_user)
    page = client.get("/accounts/icp/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    numeric = json.loads(html.unescape(re.search(r'data-numeric="([^"]*)"', page).group(1)))
    categorical = json.loads(html.unescape(re.search(r'data-categorical="([^"]*)"', page).group(1)))
    assert ["trigger_event_age_days", "Días desde el evento disparador"] in numeric
    assert ["region", "Región / estado"] in categorical
