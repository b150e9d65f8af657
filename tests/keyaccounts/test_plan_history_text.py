"""A plan's history reads in the reader's language, and a long objective or risk title never breaks a change."""

import pytest

from keyaccounts.models import AccountPlanChange
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

PLAN = {"goals": "Cut churn 20%", "plans": "", "challenges": "", "stakes": "", "timeline": ""}


def test_changing_an_objective_with_a_long_title_is_recorded(workspace, admin_api):
    account = AccountFactory(workspace=workspace)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]
    title = "Seats across every business unit in the EMEA region and the Americas by the end of Q3"
    objective = admin_api.post(
        "/api/v1/account-plan-objectives/", {"plan": plan_id, "title": title, "target": 300}, format="json"
    ).json()
    risk = admin_api.post(
        "/api/v1/account-plan-risks/", {"plan": plan_id, "title": title, "likelihood": "low"}, format="json"
    ).json()

    moved = admin_api.patch(f"/api/v1/account-plan-objectives/{objective['id']}/", {"target": 400}, format="json")
    raised = admin_api.patch(f"/api/v1/account-plan-risks/{risk['id']}/", {"likelihood": "high"}, format="json")

    assert moved.status_code == 200 and raised.status_code == 200
    fields = list(AccountPlanChange.objects.filter(plan_id=plan_id).values_list("field", flat=True))
    assert any(f.startswith("objective Seats across") for f in fields)
    assert any(f.startswith("risk Seats across") for f in fields)


def test_the_history_reads_in_the_readers_language_and_the_api_keeps_its_english(
    client, workspace, admin_user, admin_api
):
    account = AccountFactory(workspace=workspace)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]
    admin_api.patch(f"/api/v1/account-plans/{plan_id}/", {"goals": "Cut churn 30%"}, format="json")
    objective = admin_api.post(
        "/api/v1/account-plan-objectives/", {"plan": plan_id, "title": "Seats", "target": 300}, format="json"
    ).json()
    admin_api.patch(f"/api/v1/account-plan-objectives/{objective['id']}/", {"target": 400}, format="json")
    risk = admin_api.post(
        "/api/v1/account-plan-risks/",
        {"plan": plan_id, "title": "Champion leaving", "likelihood": "high", "impact": "low"},
        format="json",
    ).json()
    admin_api.patch(f"/api/v1/account-plan-risks/{risk['id']}/", {"status": "mitigated"}, format="json")

    client.force_login(admin_user)
    body = client.get(f"/key-accounts/plans/{plan_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    history = body[body.index('id="history"') :]
    for spanish in (
        "<strong>Plan creado</strong>",
        "<strong>Objetivos</strong>: <del>Cut churn 20%</del> → Cut churn 30%",
        "<strong>Objetivo añadido</strong> → Seats: meta 300 ",
        "<strong>Objetivo “Seats”: meta</strong>: <del>300</del> → 400</td>",  # figures in the reader's format
        "<strong>Riesgo añadido</strong> → Champion leaving (probabilidad: Alta, impacto: Baja)",
        "<strong>Riesgo “Champion leaving”: estado</strong>: <del>Abierta</del> → Mitigado",
    ):
        assert spanish.replace("“", "«").replace("”", "»") in history, spanish
    for english in ("Plan created", "objective added", "risk added", "likelihood,"):
        assert english not in history

    api = admin_api.get(f"/api/v1/account-plans/{plan_id}/history/").json()
    assert {"created", "goals", "objective added", "objective Seats: target", "risk added"} <= {c["field"] for c in api}
    assert any(c["new"] == "Champion leaving (high likelihood, low impact)" for c in api)


def test_the_whitespace_grid_and_the_editors_headings_read_in_spanish(client, workspace, admin_user, admin_api):
    from accounts.models import Product

    account = AccountFactory(workspace=workspace)
    Product.objects.create(workspace=workspace, name="Analytics Cloud", list_price=48000)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]
    client.force_login(admin_user)
    plan = client.get(f"/key-accounts/plans/{plan_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ">Libre</span>" in plan and ">Open</span>" not in plan
    assert "<h1>Nueva buyer persona</h1>" in client.get("/personas/new/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Nueva cuenta</h1>" in client.get("/accounts/new/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_an_objectives_figures_are_grouped_in_the_readers_format(client, workspace, admin_user, admin_api):
    account = AccountFactory(workspace=workspace)
    plan_id = admin_api.post("/api/v1/account-plans/", {"account": account.pk, **PLAN}, format="json").json()["id"]
    admin_api.post(
        "/api/v1/account-plan-objectives/",
        {"plan": plan_id, "title": "ARR", "metric": "EUR", "target": 350000, "current": 265000},
        format="json",
    )
    client.force_login(admin_user)
    spanish = client.get(f"/key-accounts/plans/{plan_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get(f"/key-accounts/plans/{plan_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # They read "265000 / 350000"; Spanish groups thousands with a no-break space.
    assert "265\u00a0000 / 350\u00a0000 EUR" in spanish and "265,000 / 350,000 EUR" in english
