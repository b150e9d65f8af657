"""Personas, content, analytics and settings pages: content, role-gated actions, bounded queries."""

import pytest

from personas.models import Persona
from tests.factories import AccountFactory, ContactFactory, ContentAssetFactory, PersonaFactory

pytestmark = pytest.mark.django_db


def test_persona_list_has_bounded_queries(admin_client, workspace, django_assert_max_num_queries):
    for _ in range(20):
        ContactFactory(account=AccountFactory(workspace=workspace), persona=PersonaFactory(workspace=workspace))

    with django_assert_max_num_queries(10):
        response = admin_client.get("/personas/")

    assert response.status_code == 200 and len(response.context["page_obj"]) == 20


def test_content_list_filters_and_has_bounded_queries(admin_client, workspace, django_assert_max_num_queries):
    for _ in range(20):
        ContentAssetFactory(workspace=workspace, stage="prospecting").personas.add(PersonaFactory(workspace=workspace))
    ContentAssetFactory(workspace=workspace, title="Customer summit", stage="post_sale")

    with django_assert_max_num_queries(10):
        response = admin_client.get("/content/?stage=post_sale")

    assert [a.title for a in response.context["page_obj"]] == ["Customer summit"]


def test_marketing_creates_a_persona_with_validation(client, marketing_user, workspace):
    client.force_login(marketing_user)

    bad = client.post("/personas/new/", {"name": ""})
    good = client.post("/personas/new/", {"name": "CFO", "preferred_channels": ["email", "phone"]})

    assert "name" in bad.context["form"].errors
    assert good.status_code == 302
    assert Persona.objects.for_workspace(workspace).get().preferred_channels == ["email", "phone"]


def test_sales_cannot_open_the_persona_editor(client, sales_user):
    client.force_login(sales_user)

    assert client.get("/personas/new/").status_code == 403


def test_settings_shows_keys_only_to_admins(client, admin_user, viewer_user):
    client.force_login(viewer_user)
    viewer_page = client.get("/settings/").content.decode()
    client.force_login(admin_user)
    admin_page = client.get("/settings/").content.decode()

    assert 'id="api-keys"' not in viewer_page and 'id="api-keys"' in admin_page
