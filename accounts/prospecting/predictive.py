"""The predictive win model: features, time-ordered backtest, baselines and per-account contributions.

Features are firmographics and technographics of the account (industry, country, ownership, size bands,
log size, and one indicator per technology seen at least ``MIN_TECH_COUNT`` times). Lifecycle is left out on
purpose: it is set *from* won deals and would leak the outcome. The model is a logistic regression on
one-hot features, so each account's log-odds split exactly into per-feature contributions
``coef_j * (x_j - mean_j)`` over the training data, which is what the account page shows.

Backtest: closed opportunities sorted by close date; the first 75% train, the last 25% test (the future is
never used to predict the past). Reported on the test part: ROC AUC, precision in the top 10%, Brier score,
for the model and for two baselines: the training base rate, and the fit score alone (Platt-calibrated on
the training part). The stored model is then refitted on every closed opportunity.
"""

from __future__ import annotations

import json
import math
import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

MIN_OUTCOMES = 30
MIN_TECH_COUNT = 5
TEST_SHARE = 0.25
CATEGORICAL_FEATURES = ["industry", "country", "ownership_type", "employees_band", "revenue_band", "offices_band"]
NUMERIC_FEATURES = ["log_employees", "log_revenue"]
EMPLOYEE_BANDS = [0, 50, 200, 1000, 5000, 20000, math.inf]
REVENUE_BANDS = [0, 1e7, 5e7, 2.5e8, 1e9, 1e10, math.inf]
OFFICE_BANDS = [0, 1, 3, 10, 50, math.inf]
FEATURE_LABELS = {
    "industry": "Industry",
    "country": "Country",
    "ownership_type": "Ownership",
    "employees_band": "Employees",
    "revenue_band": "Revenue",
    "offices_band": "Offices",
    "log_employees": "Company size",
    "log_revenue": "Revenue size",
    "tech": "Uses",
}


class TooFewOutcomes(ValidationError):
    pass


def _band(values: pd.Series, edges: list[float], unit: str) -> pd.Series:
    labels = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        labels.append(f"{_short(lo)}+ {unit}" if hi == math.inf else f"{_short(lo)}-{_short(hi)} {unit}")
    out = pd.cut(values, bins=edges, labels=labels, right=False).astype(object)
    return out.where(values.notna(), "unknown").fillna("unknown")


def _short(x: float) -> str:
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= threshold:
            return f"{x / threshold:g}{suffix}"
    return f"{x:g}"


def feature_frame(frame: pd.DataFrame, tech_vocabulary: list[str]) -> pd.DataFrame:
    """Model inputs for every account row of ``frame`` (see ``accounts.prospecting.frame``)."""
    out = pd.DataFrame(index=frame.index)
    for column in ("industry", "country", "ownership_type"):
        out[column] = frame[column].replace("", "unknown").astype(str)
    out["employees_band"] = _band(frame["employees"], EMPLOYEE_BANDS, "people")
    out["revenue_band"] = _band(frame["annual_revenue"], REVENUE_BANDS, "USD")
    out["offices_band"] = _band(frame["number_of_offices"], OFFICE_BANDS, "offices")
    out["log_employees"] = np.log1p(frame["employees"].fillna(0.0))
    out["log_revenue"] = np.log1p(frame["annual_revenue"].fillna(0.0))
    techs = frame["technologies"]
    for tech in tech_vocabulary:
        out[f"tech::{tech}"] = np.fromiter((tech in ts for ts in techs), float, len(techs))
    return out


def tech_vocabulary(frame: pd.DataFrame) -> list[str]:
    counts: dict[str, int] = {}
    for ts in frame["technologies"]:
        for t in ts:
            counts[t] = counts.get(t, 0) + 1
    return sorted(t for t, c in counts.items() if c >= MIN_TECH_COUNT)


def _pipeline(tech_columns: list[str]) -> Pipeline:
    encoder = OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=False)
    columns = ColumnTransformer(
        [
            ("cat", encoder, CATEGORICAL_FEATURES),
            ("num", StandardScaler(), NUMERIC_FEATURES),
            ("tech", "passthrough", tech_columns),
        ],
        verbose_feature_names_out=True,
    )
    model = LogisticRegression(C=0.5, max_iter=2000)
    return Pipeline([("features", columns), ("model", model)])


def precision_at_top(y: np.ndarray, scores: np.ndarray, share: float = 0.10) -> float:
    k = max(1, int(math.ceil(len(y) * share)))
    order = np.argsort(-scores, kind="stable")
    return float(np.mean(y[order[:k]]))


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None
    return {"roc_auc": auc, "precision_top10": precision_at_top(y, p), "brier": float(brier_score_loss(y, p))}


@dataclass
class TrainedModel:
    pipeline: Pipeline
    tech_vocabulary: list[str]
    feature_means: np.ndarray
    feature_names: list[str]
    metrics: dict[str, Any] = field(default_factory=dict)
    n_train: int = 0
    n_test: int = 0
    n_won: int = 0
    n_lost: int = 0

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> TrainedModel:
        return pickle.loads(bytes(blob))  # noqa: S301 - our own blob from our own database

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        if frame.empty:
            return np.zeros(0)
        return self.pipeline.predict_proba(feature_frame(frame, self.tech_vocabulary))[:, 1]

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """(n_accounts, n_features) log-odds contributions relative to the average training account."""
        x = self.pipeline.named_steps["features"].transform(feature_frame(frame, self.tech_vocabulary))
        return (np.asarray(x) - self.feature_means) * self.pipeline.named_steps["model"].coef_[0]

    def score(self, frame: pd.DataFrame, k: int = 3) -> tuple[np.ndarray, list[str]]:
        """Win probability of every row and its top-k drivers as JSON text ``[[label, contribution], ...]``.

        One feature transform serves both: p = sigmoid(intercept + x . coef), contributions as above.
        """
        if frame.empty:
            return np.zeros(0), []
        model = self.pipeline.named_steps["model"]
        x = np.asarray(self.pipeline.named_steps["features"].transform(feature_frame(frame, self.tech_vocabulary)))
        coef = model.coef_[0]
        p = 1.0 / (1.0 + np.exp(-(x @ coef + model.intercept_[0])))
        contrib = (x - self.feature_means) * coef
        k = min(k, contrib.shape[1])
        top = np.argsort(-np.abs(contrib), axis=1)[:, :k]
        values = np.round(np.take_along_axis(contrib, top, axis=1), 3)
        labels = [json.dumps(feature_label(n), ensure_ascii=False) for n in self.feature_names]
        drivers = []
        for idx_row, val_row in zip(top.tolist(), values.tolist(), strict=True):
            parts = [f"[{labels[j]},{v!r}]" for j, v in zip(idx_row, val_row, strict=True) if abs(v) >= 0.005]
            drivers.append("[" + ",".join(parts) + "]")
        return p, drivers

    def top_drivers(self, frame: pd.DataFrame, k: int = 3) -> list[list[list[Any]]]:
        """For every row, the k features that move its log-odds most: [[label, contribution], ...]."""
        return [json.loads(d) for d in self.score(frame, k)[1]]


def feature_label(name: str) -> str:
    """``cat__industry_Software`` -> ``Industry: Software``; ``tech__tech::Slack`` -> ``Uses Slack``."""
    block, _, rest = name.partition("__")
    if block == "tech":
        return f"Uses {rest.split('::', 1)[1]}"
    if block == "num":
        return FEATURE_LABELS.get(rest, rest)
    for feature in CATEGORICAL_FEATURES:
        if rest.startswith(feature + "_"):
            value = rest[len(feature) + 1 :]
            value = "other (rare)" if value == "infrequent_sklearn" else value
            return f"{FEATURE_LABELS[feature]}: {value}"
    return rest


def model_train(*, frame: pd.DataFrame, outcomes: pd.DataFrame) -> TrainedModel:
    """Train and backtest. ``outcomes``: columns account_id, won (0/1), close_date, one row per closed deal.

    ``frame`` holds the accounts (``accounts_frame``), including ``fit_score`` for the fit baseline.
    """
    n_won = int(outcomes["won"].sum())
    n_lost = int(len(outcomes) - n_won)
    if n_won < MIN_OUTCOMES or n_lost < MIN_OUTCOMES:
        raise TooFewOutcomes(
            f"Not enough history to train: {n_won} won and {n_lost} lost closed opportunities; the model needs at "
            f"least {MIN_OUTCOMES} of each. Import more closed deals (or wait for more to close) and try again."
        )
    data = outcomes.sort_values(["close_date", "account_id"], kind="stable").reset_index(drop=True)
    rows = frame.set_index("id").loc[data["account_id"]].reset_index()
    y = data["won"].to_numpy(dtype=int)
    split = int(len(data) * (1 - TEST_SHARE))
    y_train, y_test = y[:split], y[split:]
    if len(set(y_test.tolist())) < 2 or len(set(y_train.tolist())) < 2:
        raise TooFewOutcomes("The most recent quarter of closed deals is all won or all lost; cannot backtest.")
    vocabulary = tech_vocabulary(rows.iloc[:split])
    tech_columns = [f"tech::{t}" for t in vocabulary]
    features = feature_frame(rows, vocabulary)
    backtest = _pipeline(tech_columns).fit(features.iloc[:split], y_train)
    p_model = backtest.predict_proba(features.iloc[split:])[:, 1]

    base_rate = float(y_train.mean())
    metrics: dict[str, Any] = {
        "model": _metrics(y_test, p_model),
        "base_rate": {
            "roc_auc": 0.5,
            "precision_top10": float(y_test.mean()),
            "brier": float(brier_score_loss(y_test, np.full(len(y_test), base_rate))),
        },
        "test_base_rate": float(y_test.mean()),
        "train_base_rate": base_rate,
        "train_until": str(data["close_date"].iloc[split - 1]),
        "test_from": str(data["close_date"].iloc[split]),
    }
    fit = rows["fit_score"].to_numpy(dtype=float)
    if not np.isnan(fit).all():
        fit = np.nan_to_num(fit, nan=0.0)
        platt = LogisticRegression().fit(fit[:split].reshape(-1, 1), y_train)
        p_fit = platt.predict_proba(fit[split:].reshape(-1, 1))[:, 1]
        metrics["fit_score"] = {
            "roc_auc": float(roc_auc_score(y_test, fit[split:])),
            "precision_top10": precision_at_top(y_test, fit[split:]),
            "brier": float(brier_score_loss(y_test, p_fit)),
        }
    else:
        metrics["fit_score"] = None

    vocabulary = tech_vocabulary(rows)
    tech_columns = [f"tech::{t}" for t in vocabulary]
    features = feature_frame(rows, vocabulary)
    final = _pipeline(tech_columns).fit(features, y)
    transformed = np.asarray(final.named_steps["features"].transform(features))
    return TrainedModel(
        pipeline=final,
        tech_vocabulary=vocabulary,
        feature_means=transformed.mean(axis=0),
        feature_names=list(final.named_steps["features"].get_feature_names_out()),
        metrics=metrics,
        n_train=split,
        n_test=len(y) - split,
        n_won=n_won,
        n_lost=n_lost,
    )
