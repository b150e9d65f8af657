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


def test_a_binary_events_file_is_reported_in_spanish(client, marketing_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(marketing_user)
    image, nul = (
        client.post(
            "/engagement/events/upload/", {"file": SimpleUploadedFile("e.csv", data)}, HTTP_ACCEPT_LANGUAGE="es"
        ).content.decode()
        for data in (b"\x89PNG\r\n\x1a\n\x00\x00", b"source,external_id,type,occurred_at\nweb,1,web_visit,\x00\n")
    )
    assert "Este archivo no es un CSV: parece una imagen PNG." in image
    assert "Es un archivo binario, no un archivo de texto CSV (guárdalo como CSV, UTF-8)." in nul


def test_an_api_error_reads_in_the_requesters_language_and_keeps_its_keys(key_client):
    response = key_client("read").get("/api/v1/committee-coverage/", {"tier": "gold"}, HTTP_ACCEPT_LANGUAGE="ro")
    assert response.status_code == 400
    assert "Alegeți una dintre: strategic, priority, standard." in str(response.json())


def test_an_alert_action_that_does_not_apply_is_refused_in_portuguese(workspace, admin_user):
    from django.core.exceptions import ValidationError
    from django.utils import timezone, translation

    from activation.models import Alert, AlertStatus
    from activation.services.alerts import alert_transition
    from tests.factories import RuleFactory

    alert = Alert.objects.create(
        workspace=workspace,
        account=AccountFactory(workspace=workspace),
        rule=RuleFactory(workspace=workspace),
        title="t",
        message="m",
        dedupe_key="k",
        severity="high",
        status=AlertStatus.RESOLVED,
        created_at=timezone.now(),
    )
    with translation.override("pt"), pytest.raises(ValidationError) as refused:
        alert_transition(alert=alert, action="snooze", by=admin_user)
    assert refused.value.message_dict["action"] == ["Um alerta no estado “resolvida” não pode ser adiado."]


def test_a_refusal_and_a_confirmation_read_in_spanish(client, viewer_user, marketing_user, workspace):
    """The 403 page shows why (PermissionDenied's text) and the next page a confirmation: both were English."""
    client.force_login(viewer_user)
    refused = client.get("/accounts/new/", HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 403
    assert "Los lectores no pueden añadir cuentas." in refused.content.decode()

    client.force_login(marketing_user)
    saved = client.post("/personas/new/", {"name": "CFO"}, HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert "Buyer persona «CFO» guardada." in saved.content.decode()
