"""Win drivers built by group (``TrainedModel.score``) equal the row-by-row definition: for each account, its k
largest contributions with the account's own value in the label (a categorical level, marked when it was pooled
as rare; a technology used or not), in the same order and with the same rounding."""

import json
import random

import numpy as np
import pytest

from accounts.models import Account, PredictiveModel
from accounts.prospecting import predictive, services
from accounts.prospecting.frame import workspace_accounts_frame
from accounts.prospecting.predictive import TrainedModel

from .test_model_honesty import noise_history

pytestmark = pytest.mark.django_db

TECHS = ["Slack", "Salesforce", "HubSpot", "Snowflake"]


def drivers_row_by_row(model: TrainedModel, frame, k: int = 3) -> list[str]:
    """The definition, one account at a time (what ``score`` did before it worked by group)."""
    pooled = model.features(frame)
    contrib = model.contributions(frame)
    names, _ = model.groups()
    raw = predictive._raw_features(frame, model.tech_vocabulary)
    out = []
    for row in range(len(frame)):
        top = np.argsort(-np.abs(contrib[row]))[: min(k, contrib.shape[1])]
        parts = []
        for g in top.tolist():
            v = float(np.round(contrib[row, g], 3))  # numpy's rounding, as the stored drivers use
            if abs(v) < 0.005:
                continue
            name = names[g]
            actual = raw[name].to_numpy()[row] if name in raw else None
            used = pooled[name].to_numpy()[row] if name in pooled else None
            label = json.dumps(predictive._driver_label(name, actual, used), ensure_ascii=False, default=str)
            parts.append(f"[{label},{v!r}]")
        out.append("[" + ",".join(parts) + "]")
    return out


def test_drivers_by_group_equal_the_row_by_row_definition(workspace, admin_user):
    # given a trained model over accounts with technologies (some lists, as other callers hand them) and a rare
    # country, plus accounts with unknown values
    noise_history(workspace)
    rng = random.Random(5)
    for account in Account.objects.filter(workspace=workspace):
        account.technologies = rng.sample(TECHS, rng.randint(0, 3))
        account.save(update_fields=["technologies"])
    Account.objects.create(workspace=workspace, name="Blank")
    Account.objects.create(workspace=workspace, name="Far", country="JO", industry="Mining", technologies=["Slack"])
    stored = services.model_train(workspace=workspace, by=admin_user, rescore=False)
    model = TrainedModel.loads(bytes(PredictiveModel.objects.get(pk=stored.pk).blob))
    frame = workspace_accounts_frame(workspace=workspace)
    assert model.levels is not None and "JO" not in model.levels["country"]
    # when the drivers are built by group, and row by row
    p, drivers = model.score(frame)
    expected = drivers_row_by_row(model, frame)
    # then they are the same text for every account, and the probabilities those of predict()
    assert drivers == expected
    assert np.allclose(p, model.predict(frame))
    far = drivers[frame.index[frame["country"] == "JO"][0]]
    assert "Country: JO (rare, pooled with other)" in far or "Country" not in far


def test_technology_columns_from_lists_and_sets_agree(workspace):
    # given the same technologies as frozensets (the frame's own) and as plain lists
    import pandas as pd

    frame = pd.DataFrame(
        {
            "industry": ["", "Retail", "Retail"],
            "country": ["US", "", "DE"],
            "ownership_type": ["", "", "public"],
            "employees": [10.0, np.nan, 3000.0],
            "annual_revenue": [np.nan, 1e6, 2e9],
            "number_of_offices": [1.0, np.nan, 12.0],
            "technologies": [frozenset({"Slack"}), frozenset(), frozenset({"Slack", "HubSpot"})],
        }
    )
    as_lists = frame.assign(technologies=[["Slack"], [], ["HubSpot", "Slack"]])
    # when the raw features are built from each
    a = predictive._raw_features(frame, ["HubSpot", "Slack", "Zoom"])
    b = predictive._raw_features(as_lists, ["HubSpot", "Slack", "Zoom"])
    # then the membership columns are equal and right
    pd.testing.assert_frame_equal(a, b)
    assert a["tech::Slack"].tolist() == [1.0, 0.0, 1.0] and a["tech::HubSpot"].tolist() == [0.0, 0.0, 1.0]
    assert a["tech::Zoom"].tolist() == [0.0, 0.0, 0.0]
