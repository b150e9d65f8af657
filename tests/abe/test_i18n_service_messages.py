"""Validation messages of the content and key-account services read in the active language (issue 16): the API
and the pages show them as they come, so they are translated where they are raised."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from content.merge import MergeError, merge_check
from content.services.plays import play_create
from keyaccounts.services.postsale import recurring_activity_create
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _errors(call, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def test_content_messages_read_in_spanish_and_stay_english_in_english(workspace):
    with translation.override("es"):
        assert _errors(play_create, workspace=workspace, name="X", steps=[]) == {
            "steps": ["Una jugada necesita al menos un paso."]
        }
        steps = [{"title": "", "day_offset": 400, "channel": "email"}]
        assert _errors(play_create, workspace=workspace, name="X", steps=steps)["steps"] == [
            "paso 1: indica qué hay que hacer (título); paso 1: day_offset debe ir de 0 a 365."
        ]
        with pytest.raises(MergeError) as caught:
            merge_check("Hola {{ contact.shoe_size }}")
        assert str(caught.value).startswith("campo de combinación desconocido «{{ contact.shoe_size }}». Campos ")
    with translation.override("en"):
        assert _errors(play_create, workspace=workspace, name="X", steps=[]) == {
            "steps": ["A play needs at least one step."]
        }


def test_key_account_messages_read_in_the_active_language(workspace):
    account = AccountFactory(workspace=workspace)
    with translation.override("es"):
        errors = _errors(recurring_activity_create, workspace=workspace, account=account, kind="nope", every_days=3)
        assert errors["every_days"] == ["Repite cada 7 a 730 días (91 es trimestral)."]
        assert errors["next_due"] == ["Indica la fecha de la próxima vez."]
        assert errors["kind"][0].startswith("Elige una de estas opciones: ")
    with translation.override("ro"):
        errors = _errors(recurring_activity_create, workspace=workspace, account=account, kind="nope", every_days=3)
        assert errors["next_due"] == ["Indică data următoarei apariții."]


def test_model_help_texts_and_form_labels_read_in_the_active_language():
    from abe.views import WorkspaceForm
    from accounts.imports.forms import ImportUploadForm
    from accounts.models import Account

    with translation.override("es"):
        assert str(Account._meta.get_field("domain").help_text) == "Normalizado: example.com"
        assert str(WorkspaceForm().fields["slug"].label) == "Nombre corto (opcional)"
        assert str(ImportUploadForm().fields["file"].label) == "Archivo CSV"
    with translation.override("pt-br"):
        assert str(ImportUploadForm().fields["file"].label) == "Arquivo CSV"
    with translation.override("pt"):
        assert str(ImportUploadForm().fields["file"].label) == "Ficheiro CSV"
