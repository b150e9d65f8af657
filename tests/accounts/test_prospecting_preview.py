"""Consequences before saving (issue 11 item 3): the ICP, the tier capacities and a model's activation show how
many accounts would change grade and tier before anything is saved, and the numbers match the rescore's."""

from __future__ import annotations

import json

import pytest

from accounts.models import Account, IcpVersion, ProspectingSettings
from accounts.prospecting import services
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
SOFTWARE = [
    {
        "key": "software",
        "label": "Software",
        "weight": 100,
        "bands": [{"label": "Software", "when": {"industry": ["Software"]}}],
    }
]
RETAIL = [
    {
        **SOFTWARE[0],
        "key": "retail",
        "label": "Retail",
        "bands": [{"label": "Retail", "when": {"industry": ["Retail"]}}],
    }
]


@pytest.fixture
def scored(workspace, admin_user):
    for i in range(40):
        AccountFactory(workspace=workspace, industry="Software" if i % 4 == 0 else "Retail", tier="standard")
    services.icp_save(workspace=workspace, criteria=SOFTWARE, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)


def _grades():
    return dict(Account.objects.values_list("pk", "fit_grade"))


def _tiers():
    return dict(Account.objects.values_list("pk", "tier"))


def test_icp_preview_counts_grade_and_tier_changes_that_the_rescore_then_makes(client, admin_user, workspace, scored):
    client.force_login(admin_user)
    grades, tiers = _grades(), _tiers()

    response = client.post("/accounts/icp/preview/", {"name": "Retail", "criteria": json.dumps(RETAIL)})

    preview = response.context["preview"]
    assert response.status_code == 200 and preview.grade_changes > 0
    assert IcpVersion.objects.count() == 1  # nothing saved
    services.icp_save(workspace=workspace, criteria=RETAIL, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)
    after_grades, after_tiers = _grades(), _tiers()
    assert preview.grade_changes == sum(grades[pk] != after_grades[pk] for pk in grades)
    assert preview.tier_changes == sum(tiers[pk] != after_tiers[pk] for pk in tiers)
    html = response.content.decode()
    assert f'<strong class="preview-grade-changes">{preview.grade_changes}</strong> of 40 accounts' in html


def test_capacity_preview_counts_tier_moves_without_saving(client, admin_user, workspace, scored):
    services.prospecting_settings_update(workspace=workspace, rescore=False, strategic_capacity=0, priority_capacity=0)
    Account.objects.update(tier="standard")  # tiers only move up by themselves (moving down is proposed)
    services.prospecting_rescore(workspace=workspace)
    client.force_login(admin_user)
    conf = ProspectingSettings.objects.get(workspace=workspace)
    data = {
        "fit_weight": conf.fit_weight,
        "predictive_weight": conf.predictive_weight,
        "strategic_capacity": 2,
        "priority_capacity": 3,
    }

    response = client.post("/accounts/icp/preview/", data)

    preview = response.context["preview"]
    assert preview.tier_changes > 0
    assert ProspectingSettings.objects.get(workspace=workspace).strategic_capacity == 0  # nothing saved
    services.prospecting_settings_update(workspace=workspace, rescore=False, strategic_capacity=2, priority_capacity=3)
    before = _tiers()
    services.prospecting_rescore(workspace=workspace)
    assert preview.tier_changes == sum(before[pk] != tier for pk, tier in _tiers().items())
    after = {key: after for key, _, _, after in preview.tiers}
    assert after == {t: Account.objects.filter(tier=t).count() for t in after}


def test_bad_input_is_a_clear_message_and_only_admins_preview(client, admin_user, marketing_user, scored):
    client.force_login(admin_user)
    bad = client.post("/accounts/icp/preview/", {"name": "x", "criteria": "[{"})
    assert bad.status_code == 200 and "Not valid JSON" in bad.content.decode()
    client.force_login(marketing_user)
    assert client.post("/accounts/icp/preview/", {"name": "x", "criteria": "[]"}).status_code == 403


def test_model_activation_page_shows_the_tier_changes_before_confirming(client, admin_user, workspace):
    from accounts.models import PredictiveModel
    from tests.factories import closed_deal_history

    closed_deal_history(workspace)
    model = services.model_train(workspace=workspace, by=admin_user)
    PredictiveModel.objects.filter(pk=model.pk).update(is_active=False)
    client.force_login(admin_user)

    html = client.get(f"/accounts/model/{model.pk}/activate/").content.decode()

    assert 'id="model-preview"' in html and "would change tier" in html
    assert not PredictiveModel.objects.get(pk=model.pk).is_active
