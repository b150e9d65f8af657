"""Prospecting API: role rules, workspace isolation, ICP versions, pins, proposals, models and import jobs."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account, IcpVersion, Tier
from tests.factories import AccountFactory, AccountTeamMemberFactory, closed_deal_history

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "salesforce"
ICP = {
    "name": "Software",
    "criteria": [
        {"key": "industry", "weight": 100, "bands": [{"label": "Software", "when": {"industry": ["Software"]}}]}
    ],
}


def test_admin_saves_icp_versions_and_others_only_read(
    admin_api, marketing_api, viewer_api, workspace, django_capture_on_commit_callbacks
):
    AccountFactory(workspace=workspace, industry="Software")

    with django_capture_on_commit_callbacks(execute=True):
        created = admin_api.post("/api/v1/icp-versions/", ICP, format="json")
    refused = marketing_api.post("/api/v1/icp-versions/", ICP, format="json")
    listed = viewer_api.get("/api/v1/icp-versions/")
    active = viewer_api.get("/api/v1/icp-versions/active/")

    assert created.status_code == 201, created.json()
    assert refused.status_code == 403
    assert listed.json()["results"][0]["number"] == 1 and active.json()["is_active"] is True
    assert Account.objects.get(workspace=workspace).fit_score == 100.0  # rescored (eager task)


def test_invalid_icp_is_a_field_error(admin_api):
    response = admin_api.post(
        "/api/v1/icp-versions/", {"criteria": [{"key": "x", "weight": -1, "bands": []}]}, format="json"
    )

    assert response.status_code == 400
    assert "weight" in " ".join(response.json()["criteria"])


def _icp(*weights):
    return [
        {"key": f"c{i}", "weight": w, "bands": [{"label": "Software", "when": {"industry": ["Software"]}}]}
        for i, w in enumerate(weights)
    ]


def test_icp_weights_not_totalling_100_are_refused_not_rescaled(admin_api, workspace):
    response = admin_api.post("/api/v1/icp-versions/", {"name": "x", "criteria": _icp(60, 45, 30)}, format="json")

    assert response.status_code == 400
    message = " ".join(response.json()["criteria"])
    assert "add up to 135" in message and "must add up to 100" in message and "normalise" in message
    assert not IcpVersion.objects.exists()


def test_icp_weights_are_rescaled_only_when_asked_and_the_answer_shows_them(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/icp-versions/", {"name": "x", "criteria": _icp(60, 45, 30), "normalise": True}, format="json"
    )

    assert response.status_code == 201, response.json()
    weights = [c["weight"] for c in response.json()["criteria"]]
    assert weights == [44.45, 33.33, 22.22] and sum(weights) == pytest.approx(100)
    assert [c["weight"] for c in IcpVersion.objects.get().criteria] == weights
    exact = admin_api.post("/api/v1/icp-versions/", {"name": "y", "criteria": _icp(50, 50)}, format="json")
    assert exact.status_code == 201 and [c["weight"] for c in exact.json()["criteria"]] == [50, 50]


def test_keys_never_change_the_icp(key_client):
    response = key_client("read", "write").post("/api/v1/icp-versions/", ICP, format="json")

    assert response.status_code == 403


def test_sales_pins_only_accounts_it_owns_or_teams(sales_api, sales_user, workspace):
    own = AccountFactory(workspace=workspace, owner=sales_user)
    teamed = AccountFactory(workspace=workspace)
    AccountTeamMemberFactory(account=teamed, user=sales_user)
    other = AccountFactory(workspace=workspace)
    body = {"tier": "strategic", "reason": "Exec sponsor"}

    assert sales_api.post(f"/api/v1/accounts/{own.pk}/tier/", body, format="json").status_code == 200
    assert sales_api.post(f"/api/v1/accounts/{teamed.pk}/tier/", body, format="json").status_code == 200
    assert sales_api.post(f"/api/v1/accounts/{other.pk}/tier/", body, format="json").status_code == 403
    assert Account.objects.get(pk=own.pk).tier_locked is True
    history = sales_api.get(f"/api/v1/tier-changes/?account={own.pk}").json()["results"]
    assert history[0]["reason"] == "Exec sponsor" and history[0]["by"] == "sales1"


def test_viewer_cannot_pin_and_other_workspace_is_404(viewer_api, admin_api, other_workspace):
    foreign = AccountFactory(workspace=other_workspace)
    body = {"tier": "strategic", "reason": "x"}

    assert admin_api.post(f"/api/v1/accounts/{foreign.pk}/tier/", body, format="json").status_code == 404
    assert viewer_api.post(f"/api/v1/accounts/{foreign.pk}/tier/", body, format="json").status_code in (403, 404)
    own = AccountFactory(workspace=IcpVersion._meta.apps.get_model("abe", "Workspace").objects.get(slug="acme"))
    assert viewer_api.post(f"/api/v1/accounts/{own.pk}/tier/", body, format="json").status_code == 403


def test_model_train_refuses_then_trains_and_lists_metrics(
    admin_api, sales_api, workspace, django_capture_on_commit_callbacks
):
    refused = admin_api.post("/api/v1/predictive-models/train/")
    closed_deal_history(workspace)
    forbidden = sales_api.post("/api/v1/predictive-models/train/")
    with django_capture_on_commit_callbacks(execute=True):
        trained = admin_api.post("/api/v1/predictive-models/train/")
    listed = sales_api.get("/api/v1/predictive-models/").json()

    assert refused.status_code == 400 and "at least 30" in str(refused.json())
    assert forbidden.status_code == 403
    assert trained.status_code == 201 and trained.json()["is_active"] is True
    assert set(listed["results"][0]["metrics"]) >= {"model", "base_rate", "fit_score"}
    assert Account.objects.filter(workspace=workspace, win_probability__isnull=False).count() == 120


def test_settings_capacities_and_proposals(admin_api, viewer_api, workspace, django_capture_on_commit_callbacks):
    for _ in range(3):
        AccountFactory(workspace=workspace, industry="Software")
    admin_api.post("/api/v1/icp-versions/", ICP, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        patched = admin_api.patch(
            "/api/v1/prospecting/settings/", {"strategic_capacity": 1, "priority_capacity": 1}, format="json"
        )
    denied = viewer_api.patch("/api/v1/prospecting/settings/", {"strategic_capacity": 5}, format="json")

    assert patched.status_code == 200 and patched.json()["strategic_capacity"] == 1
    assert denied.status_code == 403
    tiers = sorted(Account.objects.filter(workspace=workspace).values_list("tier", flat=True))
    assert tiers == [Tier.PRIORITY, Tier.STANDARD, Tier.STRATEGIC]
    assert viewer_api.get("/api/v1/tier-proposals/").status_code == 200


def test_import_job_api_reports_status_counts_and_row_errors(
    marketing_api, sales_api, workspace, django_capture_on_commit_callbacks
):
    data = b"name,country,domain\nGood,US,good.com\nBad,Atlantis,\nDup,US,good.com\n"
    upload = SimpleUploadedFile("a.csv", data, content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        created = marketing_api.post("/api/v1/import-jobs/", {"kind": "accounts", "file": upload}, format="multipart")
    forbidden = sales_api.post(
        "/api/v1/import-jobs/",
        {"kind": "accounts", "file": SimpleUploadedFile("b.csv", b"name\nX\n")},
        format="multipart",
    )

    assert created.status_code == 201, created.json()
    job = marketing_api.get(f"/api/v1/import-jobs/{created.json()['id']}/").json()
    assert (job["status"], job["created"], job["rejected"], job["warned"]) == ("done", 2, 1, 1)
    assert job["errors"] == [
        {"line": 3, "kind": "warning", "reason": "Unknown country “Atlantis”: left blank"},
        {"line": 4, "kind": "rejected", "reason": "Same account as line 2 (Good); a file may change each account once"},
    ]
    assert forbidden.status_code == 403
    problems = marketing_api.get(f"/api/v1/import-jobs/{job['id']}/problems/")
    lines = b"".join(problems.streaming_content).decode("utf-8-sig").splitlines()
    assert problems.status_code == 200 and problems["Content-Type"].startswith("text/csv")
    assert lines == [
        "line,problem,reason,name,country,domain",
        "3,warning,Unknown country “Atlantis”: left blank,Bad,Atlantis,",
        "4,rejected,Same account as line 2 (Good); a file may change each account once,Dup,US,good.com",
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This file is not a CSV: it looks like a PNG image."),
        (b"PK\x03\x04\x14\x00\x06\x00", "it looks like an Excel workbook or a zip archive (save it as CSV)."),
        (b"", "The submitted file is empty."),
        (b"name,domain\r\n", "The file has a header row but no data rows."),
        (bytes(range(256)) * 4, "This file is not a CSV: it contains binary data."),
    ],
)
def test_unreadable_uploads_are_a_400_with_a_clear_message(marketing_api, content, message):
    upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")

    response = marketing_api.post("/api/v1/import-jobs/", {"kind": "accounts", "file": upload}, format="multipart")

    assert response.status_code == 400
    assert message in str(response.json())


def test_api_import_with_mapping_stage_map_and_scales(marketing_api, workspace, django_capture_on_commit_callbacks):
    accounts = SimpleUploadedFile("a.csv", b"Company;Revenue (M)\r\nAcme;1,5\r\n")
    deals = SimpleUploadedFile("d.csv", b"Id\rDeal\rCompany\rPhase\r".replace(b"\r", b",", 3) + b"7,Big,Acme,Signed\r")

    with django_capture_on_commit_callbacks(execute=True):
        first = marketing_api.post(
            "/api/v1/import-jobs/",
            {
                "kind": "accounts",
                "file": accounts,
                "mapping": json.dumps({"name": "Company", "annual_revenue": "Revenue (M)"}),
                "scales": json.dumps({"annual_revenue": 1000000}),
            },
            format="multipart",
        )
        second = marketing_api.post(
            "/api/v1/import-jobs/",
            {
                "kind": "opportunities",
                "file": deals,
                "stage_map": json.dumps({"Signed": "won"}),
                "mapping": json.dumps(
                    {"external_id": "Id", "name": "Deal", "account_name": "Company", "stage": "Phase"}
                ),
            },
            format="multipart",
        )

    assert (first.status_code, second.status_code) == (201, 201), (first.json(), second.json())
    acme = Account.objects.get(workspace=workspace, name="Acme")
    assert acme.annual_revenue == 1500000 and acme.lifecycle == "customer"
    assert acme.opportunities.get().status == "won"


def test_salesforce_file_through_the_api_uses_its_recognised_preset(marketing_api, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("accountData.csv", (FIXTURES / "accountData.csv").read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        created = marketing_api.post("/api/v1/import-jobs/", {"kind": "accounts", "file": upload}, format="multipart")
    job = marketing_api.get(f"/api/v1/import-jobs/{created.json()['id']}/").json()

    assert (job["preset"], job["created"], job["rejected"], job["total_rows"]) == ("salesforce_dataloader", 423, 0, 423)


def test_account_export_endpoint_is_filtered_and_safe(viewer_api, workspace):
    AccountFactory(workspace=workspace, name="=HYPERLINK(evil)", industry="Software")
    AccountFactory(workspace=workspace, name="Retailer", industry="Retail")

    response = viewer_api.get("/api/v1/accounts/export/?industry=Software")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(evil)" in body and "Retailer" not in body


def test_schema_lists_prospecting_endpoints(viewer_api):
    schema = viewer_api.get("/api/schema/?format=json").json()

    for path in (
        "/api/v1/icp-versions/",
        "/api/v1/predictive-models/train/",
        "/api/v1/accounts/{id}/tier/",
        "/api/v1/tier-proposals/{id}/accept/",
        "/api/v1/import-jobs/",
        "/api/v1/prospecting/settings/",
    ):
        assert path in schema["paths"], path


def test_history_and_proposal_lists_have_bounded_queries(
    admin_api, admin_user, workspace, django_assert_max_num_queries
):
    from accounts.prospecting import services

    for i in range(25):
        services.tier_override(
            account=AccountFactory(workspace=workspace), tier="priority", reason=f"r{i}", by=admin_user
        )

    with django_assert_max_num_queries(8):
        changes = admin_api.get("/api/v1/tier-changes/?page_size=50")
    with django_assert_max_num_queries(8):
        proposals = admin_api.get("/api/v1/tier-proposals/?status=all")

    assert len(changes.json()["results"]) == 25 and proposals.status_code == 200


def test_weekly_retrain_task_trains_each_workspace_with_history(workspace, other_workspace):
    from accounts.models import PredictiveModel
    from accounts.tasks import models_retrain_weekly_task

    closed_deal_history(workspace)

    scheduled = models_retrain_weekly_task.delay().get()

    assert scheduled == 1
    assert PredictiveModel.objects.filter(workspace=workspace, is_active=True).count() == 1
    assert not PredictiveModel.objects.filter(workspace=other_workspace).exists()


def test_accounts_api_filters_by_grade_pin_and_icp_criterion(admin_api, admin_user, workspace):
    from accounts.prospecting import services

    AccountFactory(workspace=workspace, industry="Software")
    retail = AccountFactory(workspace=workspace, industry="Retail")
    services.icp_save(workspace=workspace, criteria=ICP["criteria"], by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)
    services.tier_override(account=retail, tier="priority", reason="Partner referral", by=admin_user)

    met = admin_api.get("/api/v1/accounts/?icp_criterion=0").json()["results"]
    grade_f = admin_api.get("/api/v1/accounts/?fit_grade=F").json()["results"]
    pinned = admin_api.get("/api/v1/accounts/?tier_locked=true&ordering=-priority").json()["results"]

    assert [a["industry"] for a in met] == ["Software"]
    assert [a["id"] for a in grade_f] == [retail.pk] == [a["id"] for a in pinned]
    # A grade the ICP never gives is a 400 that names the parameter, not an empty list.
    refused = admin_api.get("/api/v1/accounts/?fit_grade=Z")
    assert refused.status_code == 400 and "fit_grade" in refused.json()
    assert met[0]["fit_explanation"] == [["industry", "Software", 100.0]]


def test_weights_that_do_not_add_up_are_refused_in_the_callers_language(admin_api):
    """The refusal of weights adding up to 135 was an English f-string whatever the Accept-Language."""
    criteria = [{**ICP["criteria"][0], "key": key, "weight": weight} for key, weight in (("a", 60), ("b", 75))]

    spanish = admin_api.post(
        "/api/v1/icp-versions/", {"name": "ICP", "criteria": criteria}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    english = admin_api.post("/api/v1/icp-versions/", {"name": "ICP", "criteria": criteria}, format="json")

    assert spanish.status_code == 400 and english.status_code == 400
    assert spanish.json()["criteria"][0].startswith("Los pesos suman 135; deben sumar 100.")
    assert english.json()["criteria"][0].startswith("The weights add up to 135; they must add up to 100.")
