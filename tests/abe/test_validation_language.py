"""What a service says about a bad value reaches the person in their language: the services' field messages were
English sentences inside Spanish, Portuguese and Romanian forms."""

import pytest

from tests.factories import AccountFactory, PersonaFactory

pytestmark = pytest.mark.django_db


def test_a_taken_persona_name_is_reported_in_spanish(client, marketing_user, workspace):
    PersonaFactory(workspace=workspace, name="CFO")
    client.force_login(marketing_user)
    response = client.post("/personas/new/", {"name": "CFO"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Ya existe una buyer persona llamada «CFO»." in response.content.decode()


def test_a_taken_domain_is_reported_in_portuguese(client, marketing_user, workspace):
    AccountFactory(workspace=workspace, name="Globex", domain="globex.example")
    client.force_login(marketing_user)
    response = client.post(
        "/accounts/new/",
        {"name": "Globex Two", "domain": "globex.example", "lifecycle": "prospect"},
        HTTP_ACCEPT_LANGUAGE="pt",
    )
    assert response.status_code == 200
    assert "Outra conta já usa o domínio globex.example." in response.content.decode()


def test_a_bad_analytics_filter_is_named_in_romanian(client, admin_user):
    client.force_login(admin_user)
    body = client.get("/analytics/", {"days": "0", "tier": "gold"}, HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert "Un număr întreg de zile de la 1 la 1098." in body and "Una dintre strategic, priority, standard." in body
