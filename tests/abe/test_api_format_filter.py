"""A list whose filter is called ``format`` filters by it (``abe.api.negotiation.FormatIsAFilter``): DRF took the
query's ``format`` for the renderer's name and answered 404 for every value but ``json`` (found by schemathesis)."""

from __future__ import annotations

import pytest

from tests.factories import ContentAssetFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def test_content_assets_filter_by_format(viewer_api, workspace):
    ContentAssetFactory(workspace=workspace, title="Clip", format="video")
    ContentAssetFactory(workspace=workspace, title="Study", format="report")

    videos = viewer_api.get("/api/v1/content-assets/?format=video")
    reports = viewer_api.get("/api/v1/content-assets/", {"format": "report"}, HTTP_ACCEPT="application/json")

    assert videos.status_code == 200 and [a["title"] for a in videos.json()["results"]] == ["Clip"]
    assert [a["title"] for a in reports.json()["results"]] == ["Study"]
    assert viewer_api.get("/api/v1/content-assets/?format=nonsense").status_code == 400


@pytest.mark.parametrize("value", ["auto", "json", "slack"])
def test_webhook_subscriptions_filter_by_each_format(admin_api, workspace, value):
    for fmt in ("auto", "json", "slack"):
        WebhookSubscriptionFactory(workspace=workspace, name=f"To {fmt}", format=fmt)

    response = admin_api.get(f"/api/v1/webhook-subscriptions/?format={value}")

    assert response.status_code == 200
    assert [s["name"] for s in response.json()["results"]] == [f"To {value}"]


def test_an_undeclared_method_is_a_405_whatever_the_format(key_client):
    response = key_client("read", "write", "admin").generic("TRACE", "/api/v1/webhook-subscriptions/?format=auto")

    assert response.status_code == 405


def test_other_lists_still_take_format_json_for_the_renderer(viewer_api):
    response = viewer_api.get("/api/v1/contacts/?format=json", HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_the_browsable_content_library_offers_no_format_link_that_would_filter(viewer_api, workspace):
    """The browsable API's GET menu linked ``?format=json``, which on the content library is the format filter: a
    400 ("json" is no content format). Such lists show a plain GET button; other lists keep the menu."""
    ContentAssetFactory(workspace=workspace, title="Clip", format="video")

    library = viewer_api.get("/api/v1/content-assets/", HTTP_ACCEPT="text/html")
    contacts = viewer_api.get("/api/v1/contacts/", HTTP_ACCEPT="text/html")

    assert library.status_code == 200 and library["Content-Type"].startswith("text/html")
    assert "Clip" in library.content.decode() and "format=json" not in library.content.decode()
    assert "format-selection" not in library.content.decode()
    assert "?format=json" in contacts.content.decode()
