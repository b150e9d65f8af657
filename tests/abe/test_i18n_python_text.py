"""Text built in Python reads in the active language (issue 16): configured journey stages while they keep their
default names, bulk-change summaries and skip reasons, model verdicts and ICP errors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy

from abe import l10n
from abe.labels import stage_label, stage_name
from accounts.models import PredictiveModel
from accounts.prospecting.forms import IcpForm
from accounts.prospecting.icp import icp_validate
from accounts.prospecting.predictive import comparison_reason
from accounts.prospecting.services import BulkResult
from engagement.rules import ScoringRules

COMPARISON = {
    "auc": 0.61,
    "fit_only_auc": 0.66,
    "auc_margin_low": -0.08,
    "auc_margin_high": 0.02,
    "beats_baselines": False,
}


def test_default_stage_names_are_translated_and_custom_ones_stay_as_typed():
    rules = ScoringRules.from_values(
        stages=[
            {"key": "engaged", "name": "Engaged", "opportunity": "", "min_score": 40.0, "min_breadth": None},
            {"key": "aware", "name": "Warm (our word)", "opportunity": "", "min_score": 1.0, "min_breadth": None},
            {"key": "unaware", "name": "Unaware", "opportunity": "", "min_score": None, "min_breadth": None},
        ]
    )
    with translation.override("es"):
        assert rules.stage_names() == {
            "engaged": "Con engagement",
            "aware": "Warm (our word)",
            "unaware": "No consciente",
        }
        assert stage_name("engaged", "Engaged") == "Con engagement"
        assert stage_label("aware") == "Consciente"
        assert stage_label("sales_ready") == "Sales ready"  # a stage of the admins' own: its key, readable
    assert rules.stages[0].name == "Engaged"  # stored as configured
    with translation.override("ro"):
        assert stage_label("unaware") == "Neconștient"


def test_a_bulk_summary_and_its_skip_reasons_read_in_the_active_language():
    result = BulkResult()
    result.changed = 1234
    other = BulkResult()
    other.skip("no longer exist", 2, gettext_lazy("no longer exist"))
    result.add(other)

    assert result.as_dict() == {"changed": 1234, "skipped": {"no longer exist": 2}}  # the API's words stay
    with translation.override("en"):
        assert result.summary == "1,234 changed, 2 skipped: no longer exist"
    with translation.override("es"):
        assert result.summary == f"cambiadas: {l10n.number(1234)}, omitidas 2: ya no existen"
    with translation.override("pt"):
        assert "já não existem" in result.summary


def test_a_model_verdict_is_stored_in_english_and_shown_in_the_readers_language():
    with translation.override("en"):
        english = comparison_reason(COMPARISON)
    model = PredictiveModel(metrics={"comparison": COMPARISON}, verdict=english)

    assert english.startswith("Not better than the baselines: holdout AUC 0.610 against 0.660 for the fit score")
    with translation.override("es"):
        assert model.verdict_text.startswith("No es mejor que las referencias: AUC de validación 0.610")
        assert "la puntuación de encaje sola" in model.verdict_text
    assert PredictiveModel(metrics={}, verdict="Old verdict").verdict_text == "Old verdict"


def test_icp_problems_and_json_errors_read_in_the_active_language():
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        icp_validate([{"key": "Bad key", "weight": 0, "bands": []}])
    problems = caught.value.message_dict["criteria"]
    assert problems[0].startswith("Criterio 1: la clave debe tener letras minúsculas")
    assert any("indica al menos un tramo" in p for p in problems)

    with translation.override("ro"):
        form = IcpForm(data={"name": "x", "criteria": "[{"})
        assert not form.is_valid()
        assert form.errors["criteria"][0].startswith("JSON invalid:")


def test_the_models_feature_names_read_in_the_readers_language():
    """The model page's feature list ("Uses Slack", "Industry: Software") was English in every language."""
    from accounts.prospecting.predictive import feature_label

    with translation.override("es"):
        assert feature_label("tech__tech::Slack") == "Usa Slack"
        assert feature_label("cat__industry_Software") == "Sector: Software"
        assert feature_label("cat__industry_infrequent_sklearn") == "Sector: otros (poco frecuentes)"
        assert feature_label("num__log_employees") == "Tamaño de la empresa"
    assert feature_label("tech__tech::Slack") == "Uses Slack"
    assert feature_label("cat__industry_Software") == "Industry: Software"


def test_the_models_band_and_pooled_levels_read_in_the_readers_language():
    """The model page showed "Employees: 0-50 people" and "Country: unknown" in English in every language."""
    from accounts.prospecting.predictive import feature_label

    with translation.override("es"):
        assert feature_label("cat__employees_band_0-50 people") == "Empleados: 0-50 personas"
        assert feature_label("cat__offices_band_1-3 offices") == "Oficinas: 1-3 oficinas"
        assert feature_label("cat__country_unknown") == "País: desconocido"
        assert feature_label("cat__industry_other") == "Sector: otros"
        # Data stays as it is: an industry whose name ends in "people", a revenue band in dollars.
        assert feature_label("cat__industry_Staffing people") == "Sector: Staffing people"
        assert feature_label("cat__revenue_band_10M-50M USD") == "Ingresos: 10M-50M USD"
    assert feature_label("cat__employees_band_0-50 people") == "Employees: 0-50 people"


@pytest.mark.parametrize(
    ("stored", "spanish"),
    [
        ("Uses Slack", "Usa Slack"),
        ("Does not use HubSpot CRM", "No usa HubSpot CRM"),
        ("Industry: Retail", "Sector: Retail"),
        ("Employees: 0-50 people", "Empleados: 0-50 personas"),
        ("Country: Chile (rare, pooled with other)", "País: Chile (poco frecuente, agrupado con otros)"),
        ("Company size", "Tamaño de la empresa"),
        # Not a label the model writes: shown as stored.
        ("Something else: entirely", "Something else: entirely"),
        ("Uses ", "Uses "),
    ],
)
def test_a_stored_driver_reads_in_the_readers_language(stored, spanish):
    """The drivers stored with each win probability are English text; the account page showed them so."""
    from accounts.prospecting.predictive import driver_label

    with translation.override("es"):
        assert driver_label(stored) == spanish
    assert driver_label(stored) == stored


def test_the_drivers_stored_with_a_win_probability_are_english_whatever_the_request_language():
    """They are stored text; scored during a Spanish request (an ICP saved with rescore), they stay English."""
    from accounts.prospecting.predictive import _driver_label

    with translation.override("es"):
        assert _driver_label("industry", "Software", "Software") == "Industry: Software"
        assert _driver_label("log_employees", 1.0, 1.0) == "Company size"
        assert translation.get_language() == "es"
