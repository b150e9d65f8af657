"""``/favicon.ico`` leads to the portal's icon: browsers ask for it on pages that name no icon (the browsable API's),
and it was a 404 in their console."""

from __future__ import annotations

import pytest
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_portal_icon_for_anyone(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302 and response["Location"] == static("favicon.svg")
