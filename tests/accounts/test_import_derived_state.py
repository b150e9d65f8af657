"""Derived state follows imported data through the normal background path (enqueued on commit): lifecycle,
journey stage, fit, tiers and scores, without a manual command."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account
from accounts.prospecting import services as prospecting
from tests.accounts.test_import_thirdparty import ACCOUNT_MAP, OPPORTUNITY_MAP

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
ICP = [
    {
        "key": "software",
        "label": "Software",
        "weight": 100,
        "bands": [{"label": "Software", "points": 1.0, "when": {"industry": ["software"]}}],
    }
]


def _upload(api, kind, name, mapping, **extra):
    import json

    upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    data = {"kind": kind, "file": upload, "mapping": json.dumps(mapping), **extra}
    response = api.post("/api/v1/import-jobs/", data, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_import_brings_lifecycle_journey_fit_and_tiers_up_to_date(
    marketing_api, workspace, admin_user, django_capture_on_commit_callbacks
):
    prospecting.icp_save(workspace=workspace, criteria=ICP, by=admin_user, rescore=False)

    with django_capture_on_commit_callbacks(execute=True):
        _upload(marketing_api, "accounts", "accounts.csv", ACCOUNT_MAP, scales='{"annual_revenue": 1000000}')
    after_accounts = dict(Account.objects.for_workspace(workspace).values_list("name", "fit_score"))
    with django_capture_on_commit_callbacks(execute=True):
        _upload(marketing_api, "opportunities", "opportunities.csv", OPPORTUNITY_MAP)

    accounts = {a.name: a for a in Account.objects.for_workspace(workspace)}
    assert after_accounts["Codehow"] == 100 and after_accounts["Cancity"] == 0  # fit from the rescore
    customers = sorted(n for n, a in accounts.items() if a.lifecycle == "customer")
    assert customers == ["Cancity", "Codehow", "Golddex", "Hottechi", "Isdom", "Konex"]
    assert accounts["Cancity"].journey_stage == "customer" and accounts["Opentech"].journey_stage != "customer"
    assert all(a.priority is not None for a in accounts.values())
