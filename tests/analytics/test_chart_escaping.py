"""A chart's figures are embedded in a script as JSON: a name someone typed (a journey stage's) must not end that
script early and run as markup."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics.services.rollups import facts_rebuild
from engagement.models import EngagementConfig, JourneyStageChange
from engagement.services.config import DEFAULT_STAGES
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

EVIL = "</script><script>alert(1)</script>"


def test_a_stage_name_cannot_close_the_charts_script(client, admin_user, workspace):
    stages = [dict(stage) for stage in DEFAULT_STAGES]
    stages[1]["name"] = EVIL + " & <b>"
    config, _ = EngagementConfig.objects.get_or_create(workspace=workspace)
    config.stages = stages
    config.save()
    jan = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
    for _ in range(2):
        account = AccountFactory(workspace=workspace)
        JourneyStageChange.objects.create(
            workspace=workspace,
            account=account,
            from_stage=stages[-1]["key"],
            to_stage=stages[1]["key"],
            changed_at=jan,
        )
    facts_rebuild(workspace=workspace)
    client.force_login(admin_user)
    body = client.get("/analytics/journey/", {"from": "2026-01-01", "to": "2026-03-31"}).content.decode()
    script = body[body.index("var cfg = ") + len("var cfg = ") :]
    script = script[: script.index("</script>")]  # where the browser ends the script
    config = json.loads(script.strip().removesuffix(";").split(";\n")[0])  # the whole chart is inside it
    assert any(EVIL + " & <b>" in dataset["label"] for dataset in config["datasets"])  # the name, as data
    assert "<script>alert(1)" not in body
