"""Honest models: activation only when the holdout margin over both baselines is not noise; rare levels
pooled; drivers show the account's own values; ``manage.py model_train``; confirmed explicit activation."""

import datetime
import io
import json
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Account, Opportunity, PredictiveModel
from accounts.prospecting import services
from tests.factories import closed_deal_history

pytestmark = pytest.mark.django_db


def noise_history(workspace, *, accounts: int = 320, seed: int = 3) -> None:
    """Firmographics and outcomes drawn independently: there is nothing to learn."""
    rng = random.Random(seed)
    rows = [
        Account(
            workspace=workspace,
            name=f"Noise {i}",
            industry=rng.choice(["Software", "Retail", "Health"]),
            country=rng.choice(["US", "DE", "FR"]),
            employees=rng.choice([50, 400, 2500, 9000]),
            annual_revenue=rng.choice([5e6, 4e7, 3e8]),
        )
        for i in range(accounts)
    ]
    rows.append(Account(workspace=workspace, name="Lonely", industry="Software", country="JO", employees=400))
    created = Account.objects.bulk_create(rows)
    today = datetime.date.today()
    deals = []
    for i, account in enumerate(created):
        opened = today - datetime.timedelta(days=800 - i * 2)
        won = account.name == "Lonely" or rng.random() < 0.4
        deals.append(
            Opportunity(
                workspace=workspace,
                account=account,
                name=f"Deal {i}",
                created_date=opened,
                close_date=opened + datetime.timedelta(days=30),
                status="won" if won else "lost",
            )
        )
    Opportunity.objects.bulk_create(deals)


def test_a_model_trained_on_pure_noise_is_stored_but_not_activated(workspace, admin_user):
    noise_history(workspace)

    model = services.model_train(workspace=workspace, by=admin_user, rescore=False)

    comparison = model.metrics["comparison"]
    assert not model.is_active and not model.beats_baselines
    assert comparison["auc_margin_low"] <= 0 < comparison["auc_margin_high"] or comparison["auc_margin_high"] <= 0
    assert model.verdict.startswith("Not better than the baselines: holdout AUC")
    assert not PredictiveModel.objects.filter(workspace=workspace, is_active=True).exists()


def test_a_model_trained_on_a_planted_signal_is_activated(workspace, admin_user):
    closed_deal_history(workspace, accounts=200)

    model = services.model_train(workspace=workspace, by=admin_user, rescore=False)

    comparison = model.metrics["comparison"]
    assert model.is_active and model.beats_baselines
    assert comparison["auc_margin_low"] > 0 and comparison["auc"] > 0.7
    assert comparison["base_rate_auc"] == 0.5 and comparison["fit_only_auc"] is None


def test_a_noise_model_leaves_the_previous_model_active(workspace, admin_user):
    closed_deal_history(workspace, accounts=200)
    good = services.model_train(workspace=workspace, by=admin_user, rescore=False)
    Opportunity.objects.filter(workspace=workspace).delete()
    Account.objects.filter(workspace=workspace).delete()
    noise_history(workspace)

    noise = services.model_train(workspace=workspace, by=admin_user, rescore=False)

    good.refresh_from_db()
    assert good.is_active and not noise.is_active


def test_rare_levels_are_pooled_and_drivers_use_the_accounts_own_values(workspace, admin_user):
    noise_history(workspace)
    model = services.model_train(workspace=workspace, by=admin_user, activate=True, rescore=False)

    services.prospecting_rescore(workspace=workspace)

    assert not any("JO" in name for name in model.features)
    assert any(name.endswith("country_other") or "country" in name for name in model.features)
    lonely = Account.objects.get(workspace=workspace, name="Lonely")
    retail = Account.objects.filter(workspace=workspace, industry="Retail").first()
    labels = [label for label, _ in lonely.win_drivers]
    assert not any(label.startswith("Country: ") and "JO" not in label for label in labels)
    for label, _ in retail.win_drivers:
        assert not label.startswith("Industry: ") or label == "Industry: Retail"
        assert not label.startswith("Country: ") or label == f"Country: {retail.country}"


def test_explicit_activation_of_a_model_that_is_not_better_needs_a_confirmation(workspace, admin_user):
    noise_history(workspace)
    model = services.model_train(workspace=workspace, by=admin_user, rescore=False)

    with pytest.raises(ValidationError) as exc:
        services.model_activate(model=model, by=admin_user, rescore=False)
    services.model_activate(model=model, by=admin_user, rescore=False, confirm=True)

    assert "is not better than the baselines (holdout AUC" in exc.value.messages[0]
    model.refresh_from_db()
    assert model.is_active


def test_activation_page_and_api_name_the_metrics(client, admin_user, admin_api, workspace):
    noise_history(workspace)
    model = services.model_train(workspace=workspace, by=admin_user, rescore=False)
    client.force_login(admin_user)

    page = client.get(reverse("accounts:model_activate", args=[model.pk]))
    overview = client.get(reverse("accounts:model"))
    refused = admin_api.post(f"/api/v1/predictive-models/{model.pk}/activate/", {}, format="json")
    accepted = admin_api.post(f"/api/v1/predictive-models/{model.pk}/activate/", {"confirm": True}, format="json")

    assert page.status_code == 200 and b"Not better than the baselines" in page.content
    assert b"holdout AUC" in page.content and b"Activate v1 anyway" in page.content
    assert b"was not activated" in overview.content
    assert refused.status_code == 400 and "holdout AUC" in str(refused.json())
    assert accepted.status_code == 200 and accepted.json()["is_active"] is True


def test_model_train_command_prints_the_verdict_as_json_last(workspace):
    noise_history(workspace)
    out = io.StringIO()

    call_command("model_train", "--workspace", workspace.slug, stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(summary) >= {
        "version",
        "activated",
        "auc",
        "base_rate_auc",
        "fit_only_auc",
        "auc_margin_low",
        "auc_margin_high",
        "n_train",
        "n_test",
    }
    assert (summary["version"], summary["activated"], summary["base_rate_auc"]) == (1, False, 0.5)
    assert summary["n_train"] + summary["n_test"] == 321


def test_the_refusal_names_the_metrics_in_the_readers_language_and_number_format(admin_api, workspace, admin_user):
    # The refusal was English whatever the request's language ("holdout AUC 0.484, base rate 0.500").
    noise_history(workspace)
    model = services.model_train(workspace=workspace, by=admin_user, rescore=False)

    refused = admin_api.post(
        f"/api/v1/predictive-models/{model.pk}/activate/", {}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )

    message = str(refused.json())
    assert refused.status_code == 400
    assert "no es mejor que las referencias" in message and "AUC en validación 0," in message
    assert "tasa base 0,500" in message and "holdout" not in message
