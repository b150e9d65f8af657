"""The analytics pages other than the overview read in the reader's language (issue 16): titles, headers, row
labels and notes, with the default journey stages' names translated and numbers in the local format."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics.services.rollups import facts_rebuild
from engagement.models import JourneyStageChange
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def moved(workspace):
    jan = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
    for i in range(3):
        account = AccountFactory(workspace=workspace)
        JourneyStageChange.objects.create(
            workspace=workspace, account=account, from_stage="unaware", to_stage="aware", changed_at=jan
        )
        if i < 2:
            JourneyStageChange.objects.create(
                workspace=workspace,
                account=account,
                from_stage="aware",
                to_stage="engaged",
                changed_at=jan + dt.timedelta(days=3),
            )
    facts_rebuild(workspace=workspace)


def _page(client, path):
    response = client.get(path, PERIOD, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    return response.content.decode()


def test_the_journey_funnel_reads_in_spanish(client, admin_user, moved):
    client.force_login(admin_user)
    body = _page(client, "/analytics/journey/")
    assert "Embudo del journey por cohorte mensual" in body and "Journey funnel by monthly cohort" not in body
    assert "Cohorte (mes de entrada)" in body and "Llegaron a Con engagement" in body
    assert "2 (66,7" in body  # two of the three January accounts, with a decimal comma
    assert "Dónde están ahora las cuentas" in body and "Reached " not in body


@pytest.mark.parametrize(
    ("path", "spanish", "english"),
    [
        ("/analytics/funnel/", "Parte alta del embudo por nivel", "Top of funnel by tier"),
        ("/analytics/response/", "Respuesta a alertas por nivel frente a su SLA", "Mean hours to acknowledge"),
        ("/analytics/economics/", "Economía unitaria del periodo", "New customers won"),
        ("/analytics/impact/", "Oportunidades creadas por cuenta", "Measured lifts beside the cited ones"),
        ("/analytics/content/", "Por etapa del journey en el primer contacto", "Contacts reached"),
    ],
)
def test_the_other_analytics_pages_read_in_spanish(client, admin_user, moved, path, spanish, english):
    client.force_login(admin_user)
    body = _page(client, path)
    assert spanish in body and english not in body


def test_the_csv_of_a_page_keeps_its_language(client, admin_user, moved):
    client.force_login(admin_user)
    response = client.get("/analytics/journey/", {**PERIOD, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="es")
    text = response.content.decode()
    assert text.lstrip("\ufeff").startswith("Periodo,2026-01-01,2026-03-31")
    assert "Movimientos del journey por mes" in text


def test_the_maturity_page_reads_in_each_readers_language_from_one_cached_computation(client, admin_user, workspace):
    """The grid, the fit questions, the evidence and the rollout steps are in the reader's language. The page
    caches what it computed: a Spanish reader first, then an English one, each gets their own language."""
    client.force_login(admin_user)

    spanish = client.get("/analytics/maturity/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/analytics/maturity/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    for text in (
        "Datos y cuentas",  # a dimension
        "Identificar los mejores canales y programas.",  # a stage's descriptor
        "Para llegar a",  # the next step
        "¿Vende a empresas grandes más que a pequeñas?",  # a fit question
        "Aún no hay datos suficientes",  # the verdict, for an empty workspace
        "Cuentas objetivo (estratégicas + prioritarias): 0",  # evidence
        "Revisar sus mejores clientes",  # a rollout step
        "Sugerido por los datos",  # the radar's data set
    ):
        assert text in spanish, text
    assert "Identifying the best channels and programs." not in spanish
    assert "Identifying the best channels and programs." in english and "Datos y cuentas" not in english
    assert "Target accounts (strategic + priority): 0" in english


def test_a_saved_assessment_stores_its_evidence_as_text(client, admin_user, workspace):
    from analytics.models import MaturityAssessment

    client.force_login(admin_user)
    grid = {key: "2" for key in ("data_accounts", "content", "programs", "metrics", "team")}

    assert client.post("/analytics/maturity/", grid, HTTP_ACCEPT_LANGUAGE="es").status_code == 302

    facts = MaturityAssessment.objects.for_workspace(workspace).get().evidence["data_accounts"]["facts"]
    assert "Cuentas objetivo (estratégicas + prioritarias): 0" in facts


def test_the_economics_page_reads_in_spanish_chart_forms_messages_and_amounts(client, admin_user, workspace):
    """The chart's title and legend, the spend and assumptions forms, the filters' messages and the spend list's
    amounts were English (and "$873 127") whatever the reader's language."""
    from decimal import Decimal

    from analytics.models import SpendEntry

    SpendEntry.objects.create(
        workspace=workspace,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        category="events",
        amount=Decimal("873127"),
    )
    workspace.currency = "EUR"
    workspace.save(update_fields=["currency"])
    facts_rebuild(workspace=workspace)
    client.force_login(admin_user)
    body = client.get(
        "/analytics/economics/", {"days": "abc", "tier": "gold"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "LTV:CAC por trimestre frente a la banda 2:1 → 4:1" in body and "by quarter" not in body
    chart = json.loads(body.split("var cfg = ", 1)[1].split(";\n", 1)[0])
    assert [dataset["label"] for dataset in chart["datasets"]] == ["LTV:CAC", "2:1 (mínimo)", "4:1 (en camino)"]
    for spanish in ("Inicio del periodo", "Fin del periodo", "Categoría", "Importe", "Nota", "Todo el programa"):
        assert spanish in body
    assert "Margen bruto" in body and "Abandono anual" in body
    for english in ("Period start", "Period end", "Whole programme", "Gross margin", "Annual churn"):
        assert english not in body
    assert "Un número entero de días de 1 a 1098." in body and "A whole number" not in body
    assert "Uno de strategic, priority, standard." in body and "One of " not in body
    # The amount in the workspace's currency, in the reader's format: it read "$873 127" in a euro workspace.
    assert '<td class="num">873\u00a0127\u00a0€</td>' in body and "$873" not in body

    response = client.post(
        "/analytics/economics/",
        {
            "form": "spend",
            "period_start": "2026-03-01",
            "period_end": "2026-02-01",
            "category": "events",
            "amount": "5",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "El periodo debe terminar en su inicio o después." in response.content.decode()
