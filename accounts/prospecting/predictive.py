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

Honesty: a model is good enough to activate only when it beats both baselines on the holdout by a margin
that is not noise: the 95% paired bootstrap interval of ``AUC(model) - max(0.5, AUC(fit only))`` must lie
above zero (``auc_margin_low > 0``). Categorical levels seen in fewer than ``MIN_LEVEL_ACCOUNTS`` training
accounts are pooled into ``other`` (a country with one account cannot be a driver), and an account's drivers
are its own values (``Industry: Retail``), each the summed contribution of that feature.
"""

from __future__ import annotations

import functools
import json
import math
import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

# scikit-learn and SciPy are imported where a model is trained or evaluated: importing them costs seconds, and
# every web process imports this module through the URLconf (the first request of each worker paid for it).

MIN_OUTCOMES = 30
MIN_TECH_COUNT = 5
MIN_LEVEL_ACCOUNTS = 20
BOOTSTRAP_SAMPLES = 1000
OTHER = "other"
TEST_SHARE = 0.25
CATEGORICAL_FEATURES = ["industry", "country", "ownership_type", "employees_band", "revenue_band", "offices_band"]
NUMERIC_FEATURES = ["log_employees", "log_revenue"]
EMPLOYEE_BANDS = [0, 50, 200, 1000, 5000, 20000, math.inf]
REVENUE_BANDS = [0, 1e7, 5e7, 2.5e8, 1e9, 1e10, math.inf]
OFFICE_BANDS = [0, 1, 3, 10, 50, math.inf]
# The model page names the features in the reader's language (``feature_label``); the drivers stored with each
# account's win probability are written in English whatever the language of the request that scores it
# (``_driver_label`` reads the names with translation off).
FEATURE_NAMES = {
    "industry": gettext_lazy("Industry"),
    "country": gettext_lazy("Country"),
    "ownership_type": gettext_lazy("Ownership"),
    "employees_band": gettext_lazy("Employees"),
    "revenue_band": gettext_lazy("Revenue"),
    "offices_band": gettext_lazy("Offices"),
    "log_employees": gettext_lazy("Company size"),
    "log_revenue": gettext_lazy("Revenue size"),
    "tech": gettext_lazy("Uses"),
}


_USES = gettext_lazy("Uses %(technology)s")
#: Stored after a driver's value that was pooled as rare (``_driver_label``); ``driver_label`` reads it back.
RARE_SUFFIX = " (rare, pooled with other)"


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


def feature_frame(
    frame: pd.DataFrame, tech_vocabulary: list[str], levels: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """Model inputs for every account row of ``frame`` (see ``accounts.prospecting.frame``).

    With ``levels`` (feature -> levels kept), any other level of a categorical feature becomes ``other``.
    """
    return _pooled(_raw_features(frame, tech_vocabulary), levels)


def _pooled(raw: pd.DataFrame, levels: dict[str, list[str]] | None) -> pd.DataFrame:
    """``raw`` with the levels of each categorical feature outside ``levels`` replaced by ``other`` (a new frame:
    ``raw`` is left as it is)."""
    if levels is None:
        return raw
    out = raw.copy()
    for column in CATEGORICAL_FEATURES:
        kept = levels.get(column, [])
        out[column] = raw[column].where(raw[column].isin(kept), OTHER)
    return out


def common_levels(features: pd.DataFrame, account_ids: pd.Series) -> dict[str, list[str]]:
    """The levels of each categorical feature seen in at least ``MIN_LEVEL_ACCOUNTS`` distinct accounts."""
    levels = {}
    for column in CATEGORICAL_FEATURES:
        pairs = pd.DataFrame({"level": features[column].to_numpy(), "account": account_ids.to_numpy()})
        counts = pairs.drop_duplicates().groupby("level").size()
        levels[column] = sorted(str(v) for v in counts[counts >= MIN_LEVEL_ACCOUNTS].index)
    return levels


def _raw_features(frame: pd.DataFrame, tech_vocabulary: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column in ("industry", "country", "ownership_type"):
        out[column] = frame[column].replace("", "unknown").astype(str)
    out["employees_band"] = _band(frame["employees"], EMPLOYEE_BANDS, "people")
    out["revenue_band"] = _band(frame["annual_revenue"], REVENUE_BANDS, "USD")
    out["offices_band"] = _band(frame["number_of_offices"], OFFICE_BANDS, "offices")
    out["log_employees"] = np.log1p(frame["employees"].fillna(0.0))
    out["log_revenue"] = np.log1p(frame["annual_revenue"].fillna(0.0))
    # Accounts share few distinct technology sets (accounts.prospecting.frame decodes each once): membership is
    # decided once per distinct set and spread to the rows by their codes.
    codes, sets = pd.factorize(
        pd.Series([ts if isinstance(ts, frozenset) else frozenset(ts) for ts in frame["technologies"]], dtype=object)
    )
    for tech in tech_vocabulary:
        out[f"tech::{tech}"] = np.fromiter((tech in ts for ts in sets), float, len(sets))[codes]
    return out


def tech_vocabulary(frame: pd.DataFrame) -> list[str]:
    counts: dict[str, int] = {}
    for ts in frame["technologies"]:
        for t in ts:
            counts[t] = counts.get(t, 0) + 1
    return sorted(t for t, c in counts.items() if c >= MIN_TECH_COUNT)


def _pipeline(tech_columns: list[str]) -> Pipeline:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
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
    from sklearn.metrics import brier_score_loss, roc_auc_score

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
    levels: dict[str, list[str]] | None = None  # None: a model trained before rare levels were pooled

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> TrainedModel:
        model = pickle.loads(bytes(blob))  # noqa: S301 - our own blob from our own database
        if not hasattr(model, "levels"):
            model.levels = None
        return model

    def features(self, frame: pd.DataFrame) -> pd.DataFrame:
        return feature_frame(frame, self.tech_vocabulary, self.levels)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        if frame.empty:
            return np.zeros(0)
        return self.pipeline.predict_proba(self.features(frame))[:, 1]

    def groups(self) -> tuple[list[str], np.ndarray]:
        """The original feature of each transformed column: (group names, column -> group index)."""
        names: list[str] = []
        index = []
        for name in self.feature_names:
            block, _, rest = name.partition("__")
            group = rest
            if block == "cat":
                group = next((f for f in CATEGORICAL_FEATURES if rest.startswith(f + "_")), rest)
            if group not in names:
                names.append(group)
            index.append(names.index(group))
        return names, np.asarray(index, dtype=int)

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """(n_accounts, n_features) log-odds contributions relative to the average training account, per original
        feature (the one-hot columns of a feature summed)."""
        x = np.asarray(self.pipeline.named_steps["features"].transform(self.features(frame)))
        per_column = (x - self.feature_means) * self.pipeline.named_steps["model"].coef_[0]
        names, index = self.groups()
        grouping = np.zeros((len(index), len(names)))
        grouping[np.arange(len(index)), index] = 1.0
        return per_column @ grouping

    def score(self, frame: pd.DataFrame, k: int = 3) -> tuple[np.ndarray, list[str]]:
        """Win probability of every row and its top-k drivers as JSON text ``[[label, contribution], ...]``.

        A driver is one feature of the account with the account's own value (``Industry: Retail``, ``Uses
        Slack``, ``Does not use Slack``), its contribution the sum over that feature's one-hot columns.
        """
        if frame.empty:
            return np.zeros(0), []
        model = self.pipeline.named_steps["model"]
        raw = _raw_features(frame, self.tech_vocabulary)
        pooled = _pooled(raw, self.levels)
        x = np.asarray(self.pipeline.named_steps["features"].transform(pooled))
        coef = model.coef_[0]
        p = 1.0 / (1.0 + np.exp(-(x @ coef + model.intercept_[0])))
        names, index = self.groups()
        grouping = np.zeros((len(index), len(names)))
        grouping[np.arange(len(index)), index] = 1.0
        contrib = ((x - self.feature_means) * coef) @ grouping
        k = min(k, contrib.shape[1])
        top = np.argsort(-np.abs(contrib), axis=1)[:, :k]
        values = np.round(np.take_along_axis(contrib, top, axis=1), 3)
        labels = self._driver_labels(names, top, raw, pooled).tolist()
        drivers = []
        for label_row, val_row in zip(labels, values.tolist(), strict=True):
            parts = [f"[{label},{v!r}]" for label, v in zip(label_row, val_row, strict=True) if abs(v) >= 0.005]
            drivers.append("[" + ",".join(parts) + "]")
        return p, drivers

    @staticmethod
    def _driver_labels(names: list[str], top: np.ndarray, raw: pd.DataFrame, pooled: pd.DataFrame) -> np.ndarray:
        """The JSON text of each chosen driver's label (``top``: row -> feature group indexes), built once per
        distinct (group, account value, pooled value) and placed by group: a label depends on the row only through
        the feature's value (a categorical level, and whether it was pooled as rare; a technology used or not)."""
        labels = np.empty(top.shape, dtype=object)

        def text(group: str, actual: Any, used: Any) -> str:
            return json.dumps(_driver_label(group, actual, used), ensure_ascii=False, default=str)

        for g in np.unique(top).tolist():  # only groups some row chose: ``where`` is never empty
            group = names[g]
            where = np.nonzero(top == g)
            if group in CATEGORICAL_FEATURES:
                actual = raw[group].to_numpy()[where[0]]
                rare = (pooled[group].to_numpy()[where[0]] == OTHER) & (actual != OTHER)
                codes, values = pd.factorize(actual, use_na_sentinel=False)
                plain = np.array([text(group, v, v) for v in values], dtype=object)
                pooled_text = np.array([text(group, v, OTHER) for v in values], dtype=object)
                labels[where] = np.where(rare, pooled_text[codes], plain[codes])
            elif group.startswith("tech::"):
                used = raw[group].to_numpy()[where[0]] != 0
                labels[where] = np.where(used, text(group, True, None), text(group, False, None))
            else:
                labels[where] = text(group, None, None)
        return labels

    def top_drivers(self, frame: pd.DataFrame, k: int = 3) -> list[list[list[Any]]]:
        """For every row, the k features that move its log-odds most: [[label, contribution], ...]."""
        return [json.loads(d) for d in self.score(frame, k)[1]]


def _driver_label(group: str, actual: Any, used: Any) -> str:
    if group.startswith("tech::"):
        tech = group.split("::", 1)[1]
        return f"Uses {tech}" if actual else f"Does not use {tech}"
    if group in CATEGORICAL_FEATURES:
        value = str(actual)
        rare = used == OTHER and value != OTHER
        with translation.override(None):
            return f"{FEATURE_NAMES[group]}: {value}{RARE_SUFFIX if rare else ''}"
    with translation.override(None):
        return str(FEATURE_NAMES.get(group, group))


#: What a band's unit and a pooled level read as (``_band``): the stored drivers and the model's column names hold
#: them in English, the pages show them in the reader's language.
_BAND_TEXTS = {
    "employees_band": ("people", gettext_lazy("%(range)s people")),
    "offices_band": ("offices", gettext_lazy("%(range)s offices")),
}


def level_label(feature: str, value: str) -> str:
    """A level of a categorical feature as the reader's language names it: ``0-50 people`` -> ``0-50 personas``,
    ``unknown``, ``other``; a level that is data (an industry, a country, ``10M-50M USD``) stays as it is."""
    if value == "unknown":
        return gettext("unknown")
    if value == OTHER:
        return gettext("other")
    if feature in _BAND_TEXTS:
        unit, text = _BAND_TEXTS[feature]
        amount, _, found = value.rpartition(" ")
        if amount and found == unit:
            return str(text) % {"range": amount}
    return value


@functools.cache
def _feature_of_english_name() -> dict[str, str]:
    """``{"Industry": "industry", ...}``: the stored drivers name each feature in English."""
    with translation.override(None):
        return {str(name): key for key, name in FEATURE_NAMES.items()}


def driver_label(label: str) -> str:
    """A stored driver's label (written in English by ``_driver_label``) in the reader's language.

    The drivers are stored as text with each account's win probability (the API gives them as they are), so the
    account page reads the text back: ``Uses Slack``, ``Does not use Slack``, ``Industry: Retail``, ``Employees:
    0-50 people (rare, pooled with other)``, ``Company size``. A label of any other shape is shown as stored."""
    for prefix, text in (("Does not use ", gettext_lazy("Does not use %(technology)s")), ("Uses ", _USES)):
        if label.startswith(prefix) and len(label) > len(prefix):
            return str(text) % {"technology": label[len(prefix) :]}
    english = _feature_of_english_name()
    if label in english:
        return str(FEATURE_NAMES[english[label]])
    name, separator, value = label.partition(": ")
    if not separator or name not in english:
        return label
    rare = value.endswith(RARE_SUFFIX) and value != RARE_SUFFIX
    if rare:
        value = value[: -len(RARE_SUFFIX)]
    feature = english[name]
    shown = gettext("%(feature)s: %(value)s") % {
        "feature": FEATURE_NAMES[feature],
        "value": level_label(feature, value),
    }
    # Translators: after a model driver whose value was too rare to learn from, e.g. "Country: Chile (rare, …)".
    return shown + " " + gettext("(rare, pooled with other)") if rare else shown


def feature_label(name: str) -> str:
    """``cat__industry_Software`` -> ``Industry: Software``; ``tech__tech::Slack`` -> ``Uses Slack``, in the reader's
    language."""
    block, _, rest = name.partition("__")
    if block == "tech":
        return str(_USES) % {"technology": rest.split("::", 1)[1]}
    if block == "num":
        return str(FEATURE_NAMES.get(rest, rest))
    for feature in CATEGORICAL_FEATURES:
        if rest.startswith(feature + "_"):
            value = rest[len(feature) + 1 :]
            value = gettext("other (rare)") if value == "infrequent_sklearn" else level_label(feature, value)
            # Translators: a feature of the predictive model and one of its values, e.g. "Industry: Software".
            return gettext("%(feature)s: %(value)s") % {"feature": FEATURE_NAMES[feature], "value": value}
    return rest


def model_train(*, frame: pd.DataFrame, outcomes: pd.DataFrame) -> TrainedModel:
    """Train and backtest. ``outcomes``: columns account_id, won (0/1), close_date, one row per closed deal.

    ``frame`` holds the accounts (``accounts_frame``), including ``fit_score`` for the fit baseline.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score

    n_won = int(outcomes["won"].sum())
    n_lost = int(len(outcomes) - n_won)
    if n_won < MIN_OUTCOMES or n_lost < MIN_OUTCOMES:
        raise TooFewOutcomes(
            gettext(
                "Not enough history to train: %(won)s won and %(lost)s lost closed opportunities; the model needs "
                "at least %(minimum)s of each. Import more closed deals (or wait for more to close) and try again."
            )
            % {"won": n_won, "lost": n_lost, "minimum": MIN_OUTCOMES}
        )
    data = outcomes.sort_values(["close_date", "account_id"], kind="stable").reset_index(drop=True)
    rows = frame.set_index("id").loc[data["account_id"]].reset_index()
    y = data["won"].to_numpy(dtype=int)
    split = int(len(data) * (1 - TEST_SHARE))
    y_train, y_test = y[:split], y[split:]
    if len(set(y_test.tolist())) < 2 or len(set(y_train.tolist())) < 2:
        raise TooFewOutcomes(
            gettext("The most recent quarter of closed deals is all won or all lost; cannot backtest.")
        )
    vocabulary = tech_vocabulary(rows.iloc[:split])
    tech_columns = [f"tech::{t}" for t in vocabulary]
    raw = _raw_features(rows, vocabulary)
    levels = common_levels(raw.iloc[:split], rows["id"].iloc[:split])
    features = feature_frame(rows, vocabulary, levels)
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
    fit_test = None
    if not np.isnan(fit).all():
        fit = np.nan_to_num(fit, nan=0.0)
        platt = LogisticRegression().fit(fit[:split].reshape(-1, 1), y_train)
        p_fit = platt.predict_proba(fit[split:].reshape(-1, 1))[:, 1]
        fit_test = fit[split:]
        metrics["fit_score"] = {
            "roc_auc": float(roc_auc_score(y_test, fit_test)),
            "precision_top10": precision_at_top(y_test, fit_test),
            "brier": float(brier_score_loss(y_test, p_fit)),
        }
    else:
        metrics["fit_score"] = None
    metrics["comparison"] = compare_to_baselines(y_test, p_model, fit_test)

    vocabulary = tech_vocabulary(rows)
    tech_columns = [f"tech::{t}" for t in vocabulary]
    raw = _raw_features(rows, vocabulary)
    levels = common_levels(raw, rows["id"])
    features = feature_frame(rows, vocabulary, levels)
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
        levels=levels,
    )


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC by ranks (ties averaged); ``nan`` when ``y`` has one class."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def compare_to_baselines(
    y: np.ndarray, p_model: np.ndarray, fit: np.ndarray | None, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0
) -> dict[str, Any]:
    """The model's holdout AUC margin over the stronger baseline, with a 95% paired bootstrap interval.

    margin = AUC(model) - max(AUC(base rate) = 0.5, AUC(fit score alone)), resampling the test deals with
    replacement (the same resample for model and fit). ``beats_baselines`` when the interval excludes zero
    from below.
    """
    auc = _auc(y, p_model)
    fit_auc = _auc(y, fit) if fit is not None else None
    rng = np.random.default_rng(seed)
    margins = []
    n = len(y)
    for _ in range(samples):
        idx = rng.integers(0, n, n)
        yb = y[idx]
        model_b = _auc(yb, p_model[idx])
        if math.isnan(model_b):
            continue
        baseline_b = 0.5
        if fit is not None:
            fit_b = _auc(yb, fit[idx])
            baseline_b = max(baseline_b, fit_b)
        margins.append(model_b - baseline_b)
    low, high = (float(v) for v in np.percentile(margins, [2.5, 97.5])) if margins else (float("nan"),) * 2
    best_baseline = max(0.5, fit_auc if fit_auc is not None else 0.5)
    beats = bool(margins) and low > 0 and auc > best_baseline
    comparison = {
        "auc": auc,
        "base_rate_auc": 0.5,
        "fit_only_auc": fit_auc,
        "auc_margin_low": low,
        "auc_margin_high": high,
        "bootstrap_samples": samples,
        "beats_baselines": beats,
    }
    with translation.override("en"):  # stored in English (the API's words); shown via comparison_reason
        reason = comparison_reason(comparison)
    return {**comparison, "reason": reason}


def comparison_reason(comparison: dict[str, Any]) -> str:
    """Why a model was or was not activated (the verdict), in the active language, from its comparison figures."""
    auc = float(comparison["auc"])
    fit_auc = comparison.get("fit_only_auc")
    best = max(0.5, fit_auc if fit_auc is not None else 0.5)
    baseline = gettext("the fit score alone") if fit_auc is not None and fit_auc > 0.5 else gettext("the base rate")
    figures = {
        "auc": f"{auc:.3f}",
        "baseline": baseline,
        "best": f"{best:.3f}",
        "margin": f"{auc - best:.3f}",
        "low": f"{float(comparison['auc_margin_low']):+.3f}",
        "high": f"{float(comparison['auc_margin_high']):+.3f}",
    }
    if comparison.get("beats_baselines"):
        text = gettext(
            "Holdout AUC %(auc)s beats %(baseline)s (%(best)s) by %(margin)s; 95%% interval of the margin %(low)s "
            "to %(high)s is above zero."
        )
    else:
        text = gettext(
            "Not better than the baselines: holdout AUC %(auc)s against %(best)s for %(baseline)s; the 95%% "
            "interval of the margin (%(low)s to %(high)s) includes zero or lies below it, so the difference may "
            "be noise."
        )
    return text % figures
