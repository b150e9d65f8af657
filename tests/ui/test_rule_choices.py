"""Rule forms offer only valid choices and the API validates the same way: a "stage entered" rule must name a
stage of the configured journey."""

from __future__ import annotations

import pytest

from activation.forms import RuleForm

pytestmark = pytest.mark.django_db

RULE = {"name": "Qualified accounts", "condition_type": "stage_entered", "severity": "high", "notify_owner": True}


def test_api_refuses_a_stage_that_is_not_in_the_journey(admin_api):
    response = admin_api.post("/api/v1/activation-rules/", {**RULE, "params": {"stage": "qualified"}}, format="json")

    assert response.status_code == 400
    assert "is not a stage of the journey" in str(response.json())


def test_api_accepts_a_configured_stage(admin_api):
    response = admin_api.post("/api/v1/activation-rules/", {**RULE, "params": {"stage": "mqa"}}, format="json")

    assert response.status_code == 201, response.json()


def test_the_form_offers_only_the_configured_stages(workspace):
    form = RuleForm(workspace=workspace)

    keys = [k for k, _ in form.fields["stage"].choices if k]
    assert "mqa" in keys and "qualified" not in keys
