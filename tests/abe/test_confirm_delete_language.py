"""A delete confirmation reads in the reader's language: the kind of object and what goes with it (these were
English sentences in every language)."""

from __future__ import annotations

import pytest

from tests.factories import AccountFactory, ContactFactory, PersonaFactory, RuleFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def _es(client, path: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200, path
    return response.content.decode()


def test_delete_confirmations_read_in_spanish(client, admin_user, workspace):
    account = AccountFactory(workspace=workspace, name="Acme Corp")
    contact = ContactFactory(account=account, first_name="Dora", last_name="Diaz")
    persona = PersonaFactory(workspace=workspace, name="CFO")
    rule = RuleFactory(workspace=workspace, name="Hot")
    hook = WebhookSubscriptionFactory(workspace=workspace)
    client.force_login(admin_user)

    cases = {
        f"/accounts/{account.pk}/delete/": (
            "¿Eliminar la cuenta «Acme Corp»?",
            "Sus contactos, asignaciones de equipo y oportunidades se eliminan con ella.",
        ),
        f"/accounts/{account.pk}/contacts/{contact.pk}/delete/": (
            "¿Eliminar el contacto",
            "Dora Diaz sale del comité de compra de Acme Corp.",
        ),
        f"/personas/{persona.pk}/delete/": (
            "¿Eliminar la buyer persona «CFO»?",
            "Contactos que conservan sus datos pero pierden este perfil: 0.",
        ),
        f"/alerts/rules/{rule.pk}/delete/": ("¿Eliminar la regla «Hot»?", "Las alertas anteriores se quedan"),
        f"/alerts/webhooks/{hook.pk}/delete/": (
            "¿Eliminar la suscripción de webhook",
            "Su registro de entregas se elimina con ella.",
        ),
    }
    for path, texts in cases.items():
        page = _es(client, path)
        for text in texts:
            assert text in page, (path, text)
        assert "deleted with it" not in page and "Delete account" not in page


def test_the_outreach_editor_explains_its_merge_fields_in_spanish(client, marketing_user, workspace):
    client.force_login(marketing_user)

    page = _es(client, "/content/outreach/new/")

    assert "El nombre de la cuenta" in page and "The account's name" not in page
