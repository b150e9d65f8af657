"""A confirmation dialog's text is JavaScript inside an HTML attribute: a name someone typed must be escaped for
JavaScript too. HTML escaping alone is undone by the browser before the script runs (&#x27; is a quote again)."""

import pytest

from abe.services import api_key_create

pytestmark = pytest.mark.django_db

NAME = "CRM'); window.pwned = 1; ('"


def test_an_api_keys_name_cannot_break_out_of_the_revoke_confirmation(client, admin_user, workspace):
    api_key_create(workspace=workspace, name=NAME, scopes=["read"], created_by=admin_user)
    client.force_login(admin_user)
    body = client.get("/settings/").content.decode()
    dialog = next(line for line in body.splitlines() if "Revoke key" in line)
    assert "CRM\\u0027)" in dialog  # the quote is a JavaScript escape
    assert "CRM&#x27;); window.pwned" not in dialog  # which the browser would have turned back into quotes
