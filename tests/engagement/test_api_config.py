"""Engagement configuration API (issue 11 item 3): GET/PUT of the journey stages, thresholds and weights the
settings page edits, and a preview POST; admins only (and keys with the admin scope); the same validation as the
page (bad input is a 400 with field errors); the same summary-notice behaviour and ``per_account_alerts``."""

from __future__ import annotations

import pytest

from activation.models import Alert, AlertKind, AlertRecipient, AlertStatus
from engagement.models import EngagementConfig, JourneyStageChange
from tests.activation.test_config_change_notice import engaged, owners  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
URL = "/api/v1/engagement/config/"


def _stages(api, mqa_min_score):
    stages = api.get(URL).json()["stages"]
    for stage in stages:
        if stage["key"] == "mqa":
            stage["min_score"] = mqa_min_score
    return stages


def test_admins_read_and_change_it_others_are_refused(admin_api, marketing_api, viewer_api, sales_api, key_client):
    got = admin_api.get(URL)

    assert got.status_code == 200
    body = got.json()
    assert [s["key"] for s in body["stages"]][-1] and body["weights"]["meeting"] > 0 and body["version"] >= 1
    for client in (marketing_api, viewer_api, sales_api, key_client("read", "write")):
        assert client.get(URL).status_code == 403
        assert client.put(URL, {"weights": {"meeting": 5}}, format="json").status_code == 403
        assert client.post(URL + "preview/", {}, format="json").status_code == 403
    assert key_client("admin").get(URL).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weights": {"meeting": -1}}, "weights"),
        ({"weights": {"not_a_type": 3}}, "weights"),
        ({"weights": "heavy"}, "weights"),
        ({"half_lives": {"meeting": 0}}, "half_lives"),
        ({"daily_caps": {"meeting": "many"}}, "daily_caps"),
        ({"stages": [{"key": "mqa", "name": "MQA", "min_score": 50}]}, "stages"),
        ({"stages": [{"key": "a b", "name": "x"}, {"key": "z", "name": "Z"}]}, "stages"),
        ({"stages": ["mqa"]}, "stages"),
        ({"stages": [{"key": "x", "min_score": "lots"}, {"key": "y"}]}, "stages"),
        ({"stages": [{"key": "x", "opportunity": ["won"]}, {"key": "y"}]}, "stages"),
        ({"stages": [{"key": "x", "min_score": "nan"}, {"key": "y"}]}, "stages"),
        ({"stages": [{"key": "x", "min_breadth": 10**30}, {"key": "y"}]}, "stages"),
        ({"create_unknown_contacts": "maybe"}, "create_unknown_contacts"),
        ({"per_account_alerts": "perhaps"}, "per_account_alerts"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(admin_api, body, field):
    version = admin_api.get(URL).json()["version"]

    for response in (admin_api.put(URL, body, format="json"), admin_api.post(URL + "preview/", body, format="json")):
        assert response.status_code == 400, response.content
        assert field in response.json(), response.json()
    assert admin_api.get(URL).json()["version"] == version


def test_preview_then_save_holds_alerts_back_behind_one_notice(
    admin_api,
    engaged,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    stages = _stages(admin_api, 1)

    preview = admin_api.post(URL + "preview/", {"stages": stages}, format="json")

    assert preview.status_code == 200, preview.json()
    assert preview.json()["moved"] == 3 and preview.json()["alerts"] == 3
    mqa = next(s for s in preview.json()["stages"] if s["key"] == "mqa")
    assert mqa["now"] == 0 and mqa["after"] == 3 and mqa["entering"] == 3
    assert not JourneyStageChange.objects.filter(to_stage="mqa").exists() and not Alert.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_api.put(URL, {"stages": stages}, format="json")

    assert saved.status_code == 200, saved.json()
    assert saved.json()["recompute_job"] is not None and saved.json()["per_account_alerts"] is False
    assert EngagementConfig.objects.get().stages[2]["min_score"] == 1
    assert Alert.objects.filter(kind=AlertKind.RULE, status=AlertStatus.HELD_BACK).count() == 3
    notice = Alert.objects.get(kind=AlertKind.SYSTEM)
    assert notice.facts["held_back"] == 3 and notice.facts["moved"] == 3


def test_per_account_alerts_sends_each_alert(admin_api, engaged, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_api.put(URL, {"stages": _stages(admin_api, 1), "per_account_alerts": True}, format="json")

    assert saved.status_code == 200 and saved.json()["per_account_alerts"] is True
    assert Alert.objects.filter(kind=AlertKind.RULE, status=AlertStatus.OPEN).count() == 3
    assert AlertRecipient.objects.filter(alert__kind=AlertKind.RULE).exists()
    assert not Alert.objects.filter(kind=AlertKind.SYSTEM).exists()


def test_an_unchanged_save_starts_no_recompute(admin_api):
    current = admin_api.get(URL).json()

    saved = admin_api.put(URL, {"weights": current["weights"]}, format="json")

    assert saved.status_code == 200 and saved.json()["recompute_job"] is None


def test_the_schema_documents_it(viewer_api):
    paths = viewer_api.get("/api/schema/?format=json").json()["paths"]

    assert {"get", "put"} <= set(paths[URL]) and "post" in paths[URL + "preview/"]
