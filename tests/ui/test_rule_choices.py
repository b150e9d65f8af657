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


ROLE_RULE = {"name": "Buyer on pricing", "condition_type": "role_engaged", "severity": "high", "notify_owner": True}


def _zero_weight(workspace, event_type):
    from engagement.services import engagement_config_update

    engagement_config_update(workspace=workspace, weights={event_type: 0})


def test_api_refuses_an_event_type_the_workspace_does_not_score(admin_api, workspace):
    _zero_weight(workspace, "web_visit")
    params = {"buying_role": "economic_buyer", "event_type": "web_visit"}

    response = admin_api.post("/api/v1/activation-rules/", {**ROLE_RULE, "params": params}, format="json")

    assert response.status_code == 400
    assert "is not an event type this workspace scores" in str(response.json())
    params["event_type"] = "pricing_page_visit"
    ok = admin_api.post("/api/v1/activation-rules/", {**ROLE_RULE, "params": params}, format="json")
    assert ok.status_code == 201, ok.json()


def test_api_refuses_roles_outside_the_role_lists(admin_api):
    bad_buying_role = {**ROLE_RULE, "params": {"buying_role": "chief_vibes_officer"}}
    bad_team_role = {**ROLE_RULE, "params": {"buying_role": "champion"}, "notify_team_roles": ["janitor"]}

    first = admin_api.post("/api/v1/activation-rules/", bad_buying_role, format="json")
    second = admin_api.post("/api/v1/activation-rules/", bad_team_role, format="json")

    assert first.status_code == 400 and "chief_vibes_officer" in str(first.json())
    assert second.status_code == 400 and "notify_team_roles" in second.json()


def test_the_form_offers_only_scored_event_types_and_listed_roles(workspace):
    _zero_weight(workspace, "web_visit")
    form = RuleForm(workspace=workspace)

    types = [k for k, _ in form.fields["event_type"].choices if k]
    assert "pricing_page_visit" in types and "web_visit" not in types
    assert "outbound_touch" not in types  # outbound touches are the team's own actions
    posted = RuleForm(
        {**ROLE_RULE, "cooldown_hours": 24, "buying_role": "chief_vibes_officer", "event_type": "web_visit"},
        workspace=workspace,
    )
    assert not posted.is_valid()
    assert {"buying_role", "event_type"} <= set(posted.errors)
