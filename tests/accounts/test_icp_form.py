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


def test_the_active_icps_conditions_read_as_sentences_not_as_stored_json(client, viewer_user, workspace):
    """The criteria table showed each band's stored JSON ("employees: {'max': 5000, 'min': 200}")."""
    bands = [
        {
            "label": "North-east",
            "points": 1,
            "when": {"country": ["US", "CA"], "employees": {"min": 200, "max": 5000}},
        },
        {"label": "Big", "points": 0.5, "when": {"annual_revenue": {"min": 1000000000}}},
        {"label": "Small", "points": 0.2, "when": {"number_of_offices": {"max": 3}}},
        {"label": "No rival", "points": 0.1, "when": {"technologies": {"none": ["Marketo", "Demandbase"]}}},
    ]
    IcpVersion.objects.create(
        workspace=workspace,
        number=1,
        name="ICP",
        is_active=True,
        criteria=[{"key": "fit", "label": "Fit", "weight": 100, "bands": bands}],
    )
    client.force_login(viewer_user)

    english = client.get("/accounts/icp/").content.decode().split('id="icp-criteria"')[1].split("</section>")[0]
    spanish = client.get("/accounts/icp/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    spanish = spanish.split('id="icp-criteria"')[1].split("</section>")[0]

    assert "Country: US, CA; Employees: 200 to 5,000" in english
    assert "Annual revenue: at least 1,000,000,000" in english and "Offices: at most 3" in english
    assert "Technologies: none of Marketo, Demandbase" in english
    assert "{" not in english and "[" not in english
    assert "Empleados: de 200 a 5\u00a0000" in spanish and "Tecnologías: ninguna de Marketo, Demandbase" in spanish
