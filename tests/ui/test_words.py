"""Words and numbers: labels not keys (stages in alert texts and rule summaries), one number format, people by
full name, new members default to viewer."""

from __future__ import annotations

import pytest

from abe.labels import number, signed_percent, stage_label
from activation.conditions import condition_summary
from tests.factories import AccountFactory, RuleFactory

pytestmark = pytest.mark.django_db


def test_one_number_format():
    assert number(2423) == "2,423" and number(None) == "—" and number(1234.5, 1) == "1,234.5"
    assert signed_percent(0.124) == "+12%" and signed_percent(-0.04) == "−4%" and signed_percent(0) == "0%"
    assert signed_percent(None) == "—"
    assert stage_label("mqa") == "MQA" and stage_label("sales_ready") == "Sales ready" and stage_label("") == "—"


def test_rule_summary_names_the_stage_not_its_key(workspace):
    rule = RuleFactory(workspace=workspace, condition_type="stage_entered", params={"stage": "mqa", "days": 7})

    assert condition_summary(rule) == "Enters the MQA stage"


def test_lists_show_a_dash_for_unknown_employees_and_signed_momentum(admin_client, workspace):
    AccountFactory(workspace=workspace, name="Unknown size", employees=None, engagement_momentum=0.25)

    html = admin_client.get("/accounts/").content.decode()
    board = admin_client.get("/accounts/tiers/").content.decode()

    assert ">None<" not in html and "+25%" in html and "+25%" in board


def test_people_by_full_name_in_pickers_and_members_default_to_viewer(admin_client, admin_user, workspace):
    admin_user.first_name, admin_user.last_name = "Ana", "Admin"
    admin_user.save()
    account = AccountFactory(workspace=workspace)

    team_form = admin_client.get(f"/accounts/{account.pk}/team/new/").content.decode()
    settings_page = admin_client.get("/settings/").content.decode()

    assert ">Ana Admin<" in team_form
    assert '<option value="viewer" selected>' in settings_page
