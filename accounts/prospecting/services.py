"""Every prospecting write: ICP versions, rescoring, model training and activation, tiers, proposals, bulk edits.

Lock order: a rescore takes the workspace's advisory lock (PostgreSQL) before touching accounts, so two
rescores of one workspace never interleave; per-account writes (pin, accept) lock the account row only.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from abe import l10n, locks
from abe import permissions as rules
from abe import texts as tx
from abe.bulk import Serialized, rows_update
from abe.gcpause import gc_paused
from abe.labels import english_label
from abe.models import Job, Membership, Workspace
from abe.registry import alert_forecasts, tier_changed_callbacks
from abe.tasks import enqueue_on_commit

from ..models import (
    TIER_LABELS,
    Account,
    IcpVersion,
    Opportunity,
    OpportunityStatus,
    PredictiveModel,
    ProposalStatus,
    ProspectingSettings,
    Tier,
    TierChange,
    TierChangeSource,
    TierProposal,
)
from . import icp as icp_maths
from .frame import workspace_accounts_frame
from .predictive import TrainedModel
from .predictive import model_train as predictive_train
from .selectors import board_config_invalidate, board_stats_invalidate
from .tasks import prospecting_rescore_task
from .tiering import TierPlan, priority_blend, tier_plan

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)
SCORE_FIELDS = [
    "fit_score",
    "fit_grade",
    "fit_explanation",
    "fit_criteria_met",
    "fit_icp_version",
    "win_probability",
    "win_drivers",
    "priority",
    "tier",
]
# Why a proposal is made, as message keys (``abe.texts``): the proposal keeps the English in ``reason`` (the API's
# words) and the key in ``texts``, which the pages read in the reader's language.
PROPOSAL_REASONS = {
    "pinned": gettext_noop("Pinned to %(current)s; by priority %(priority)s it would be %(proposed)s."),
    "high_tier": gettext_noop(
        "Priority is now %(priority)s; automatic tiering would move it from %(current)s to %(proposed)s."
    ),
    "no_capacity": gettext_noop(
        "Priority %(priority)s earns %(proposed)s, but that tier is full until a slot is freed."
    ),
}
AUTOMATIC_REASON = gettext_noop("Automatic tiering (priority %(priority)s)")
AUTOMATIC_REASON_AFTER = gettext_noop("Automatic tiering (priority %(priority)s) after: %(reason)s")
UNPIN_REASON = tx.msg(gettext_noop("Unpinned: automatic tiering decides again"))


def tier_word(tier: str) -> dict[str, Any]:
    """A tier as a parameter of a stored text: its label, shown in the reader's language."""
    return tx.label(english_label(TIER_LABELS, tier, tier))


def reason_of(params: dict[str, Any]) -> str | tx.Msg:
    """A rescore job's reason: the message key it was queued with (see :func:`rescore_later`), else its text."""
    spec = params.get("reason_text")
    if isinstance(spec, dict) and spec.get("key"):
        return tx.Msg(str(spec["key"]), dict(spec.get("params") or {}))
    return str(params.get("reason", ""))


RESCORE_JOB = "prospecting_rescore"


def rescore_later(*, workspace: Workspace | int, reason: str | tx.Msg, by: User | None = None) -> Job:
    """Rescore (and retier) every account as a background job once the transaction commits; the job carries the
    true status (queued, running, done with the summary, failed with the reason) for the pages to show."""
    from abe.jobs import job_create

    from ..tasks import prospecting_rescore_job_task

    if isinstance(workspace, int):
        workspace = Workspace.objects.get(pk=workspace)
    total = Account.objects.for_workspace(workspace).count()
    return job_create(
        workspace=workspace,
        kind=RESCORE_JOB,
        label=tx.msg_plural(
            tx.ngettext_noop("Rescore %(count)s account (%(reason)s)", "Rescore %(count)s accounts (%(reason)s)"),
            total,
            reason=reason,
        ),
        total=total,
        params={"reason": tx.english(reason), **({"reason_text": reason.spec()} if isinstance(reason, tx.Msg) else {})},
        by=by,
        task=prospecting_rescore_job_task,
    )


def _whole(value: Any) -> int | None:
    """A priority as the reasons show it (a whole number; None, shown "—", for an account without one)."""
    x = float(value)
    return None if x != x else round(x)


def _automatic_reason(priority: int | None, reason: str | tx.Msg) -> tx.Msg:
    if not reason:
        return tx.msg(AUTOMATIC_REASON, priority=tx.num(priority))
    return tx.msg(AUTOMATIC_REASON_AFTER, priority=tx.num(priority), reason=reason)


def rescore_summary_msg(summary: dict[str, Any]) -> tx.Msg:
    """A rescore's summary as people read it (a message key: the job page shows it in the reader's language)."""
    # Three counts, each with its own plural form ("1 proposal awaiting a decision"); the sentence only joins them.
    return tx.msg(
        # Translators: three clauses, e.g. "2,000 accounts rescored; 3 moved tier; 1 proposal awaiting a decision."
        gettext_noop("%(accounts)s; %(moves)s; %(proposals)s."),
        accounts=tx.msg_plural(tx.ACCOUNTS_RESCORED, int(summary.get("accounts", 0))),
        moves=tx.msg_plural(
            tx.ngettext_noop("%(count)s moved tier", "%(count)s moved tier"), int(summary.get("tier_moves", 0))
        ),
        proposals=tx.msg_plural(
            tx.ngettext_noop("%(count)s proposal awaiting a decision", "%(count)s proposals awaiting a decision"),
            int(summary.get("proposals", 0)),
        ),
    )


def _stats_changed(workspace: Workspace | int) -> None:
    """Drop the cached tier counts now and again after commit (a reader may refill it before the commit)."""
    board_stats_invalidate(workspace=workspace)
    transaction.on_commit(lambda: board_stats_invalidate(workspace=workspace))


def _workspace_lock(workspace: Workspace) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [zlib.crc32(b"rescore") & 0x7FFFFFFF, workspace.pk])


def prospecting_settings_get(*, workspace: Workspace) -> ProspectingSettings:
    obj, _ = ProspectingSettings.objects.get_or_create(workspace=workspace)
    return obj


@transaction.atomic
def prospecting_settings_update(
    *, workspace: Workspace, by: User | None = None, rescore: bool = True, **data: Any
) -> ProspectingSettings:
    """Change the priority blend or tier capacities; the accounts are rescored and retiered afterwards."""
    allowed = {"fit_weight", "predictive_weight", "strategic_capacity", "priority_capacity"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({field: "Unknown field." for field in sorted(unknown)})
    obj = prospecting_settings_get(workspace=workspace)
    for field, value in data.items():
        setattr(obj, field, value)
    errors = {}
    for field in ("fit_weight", "predictive_weight"):
        if getattr(obj, field) < 0 or getattr(obj, field) > 100:
            errors[field] = gettext("Use a weight between 0 and 100.")
    if obj.fit_weight + obj.predictive_weight <= 0:
        errors["fit_weight"] = gettext("At least one of the two weights must be above 0.")
    if obj.strategic_capacity > 100_000 or obj.priority_capacity > 100_000:
        errors["strategic_capacity"] = gettext("Capacities above 100,000 make tiers meaningless.")
    if errors:
        raise ValidationError(errors)
    obj.save()
    board_config_invalidate(workspace=workspace)
    if rescore:
        rescore_later(workspace=workspace, reason=tx.msg(gettext_noop("settings changed")), by=by)
    return obj


@transaction.atomic
def icp_save(
    *,
    workspace: Workspace,
    criteria: Any,
    by: User | None = None,
    name: str = "Ideal Customer Profile",
    grade_thresholds: Any = None,
    note: str = "",
    rescore: bool = True,
    normalise: bool | None = None,
) -> IcpVersion:
    """Save the ICP as a new active version (the old one stays in the history) and rescore in the background.

    ``normalise``: False refuses weights that do not add up to 100, True rescales them to 100 (the editor and the
    API; see ``icp_weights_settle``); None keeps them as given (imports of older profiles, the demo)."""
    if normalise is not None:
        criteria = icp_maths.icp_weights_settle(criteria, normalise=normalise)
    clean, thresholds = icp_maths.icp_validate(criteria, grade_thresholds)
    if not (name or "").strip():
        raise ValidationError({"name": gettext("Give the profile a name.")})
    # Lock the workspace's versions so two admins saving at once get consecutive numbers.
    current = list(IcpVersion.objects.for_workspace(workspace).select_for_update().values_list("number", flat=True))
    IcpVersion.objects.for_workspace(workspace).filter(is_active=True).update(is_active=False)
    version = IcpVersion.objects.create(
        workspace=workspace,
        number=max(current, default=0) + 1,
        name=name.strip()[:200],
        criteria=clean,
        grade_thresholds=thresholds,
        note=(note or "")[:500],
        is_active=True,
        created_by=by,
    )
    board_config_invalidate(workspace=workspace)
    if rescore:
        rescore_later(
            workspace=workspace, reason=tx.msg(gettext_noop("ICP v%(number)s saved"), number=version.number), by=by
        )
    return version


@transaction.atomic
def icp_activate(*, version: IcpVersion, by: User | None = None, rescore: bool = True) -> IcpVersion:
    """Make an older version the active one again (a revert) and rescore."""
    IcpVersion.objects.for_workspace(version.workspace_id).filter(is_active=True).update(is_active=False)
    version.is_active = True
    version.save(update_fields=["is_active"])
    board_config_invalidate(workspace=version.workspace_id)
    if rescore:
        rescore_later(
            workspace=version.workspace_id,
            reason=tx.msg(gettext_noop("ICP v%(number)s reactivated"), number=version.number),
            by=by,
        )
    return version


@transaction.atomic
def icp_version_delete(*, version: IcpVersion, by: User | None = None) -> None:
    if version.is_active:
        raise ValidationError(
            {"is_active": gettext("The active version cannot be deleted; activate another one first.")}
        )
    version.delete()


def _outcomes(workspace: Workspace) -> pd.DataFrame:
    rows = (
        Opportunity.objects.for_workspace(workspace)
        .filter(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST], close_date__isnull=False)
        .values_list("account_id", "status", "close_date")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["account_id", "status", "close_date"])
    frame["won"] = (frame["status"] == OpportunityStatus.WON).astype(int)
    return frame


def model_train(
    *, workspace: Workspace, by: User | None = None, activate: bool | None = None, rescore: bool = True
) -> PredictiveModel:
    """Train a new model version on the closed opportunities; raises ValidationError when there are too few.

    ``activate=None`` (the default, and the weekly retrain) activates it only when it beats both baselines on
    the time-ordered holdout by a margin whose bootstrap interval excludes zero; otherwise it is stored with
    ``beats_baselines=False`` and its verdict, and the previous model (or none) stays active. ``activate=True``
    is an admin's explicit choice.
    """
    frame = workspace_accounts_frame(workspace=workspace)
    trained = predictive_train(frame=frame, outcomes=_outcomes(workspace))
    comparison = trained.metrics["comparison"]
    with transaction.atomic():
        number = (PredictiveModel.objects.for_workspace(workspace).aggregate(n=Max("number"))["n"] or 0) + 1
        model = PredictiveModel.objects.create(
            workspace=workspace,
            number=number,
            features=trained.feature_names,
            metrics=trained.metrics,
            n_train=trained.n_train,
            n_test=trained.n_test,
            n_won=trained.n_won,
            n_lost=trained.n_lost,
            blob=trained.dumps(),
            trained_by=by,
            beats_baselines=comparison["beats_baselines"],
            verdict=comparison["reason"][:300],
        )
        if activate is None:
            activate = comparison["beats_baselines"]
        if activate:
            model_activate(model=model, by=by, rescore=rescore, confirm=True)
    return model


def model_metrics_sentence(model: PredictiveModel) -> str:
    """``holdout AUC 0.484, base rate 0.500, fit only 0.479, 95% interval of the margin -0.090 to +0.050`` for
    confirmations, in the active language and its number format."""
    c = (model.metrics or {}).get("comparison") or {}
    auc = c.get("auc", ((model.metrics or {}).get("model") or {}).get("roc_auc"))
    parts = [
        gettext("holdout AUC %(auc)s") % {"auc": l10n.number(auc, 3)}
        if auc is not None
        else gettext("holdout AUC unknown"),
        gettext("base rate %(auc)s") % {"auc": l10n.number(0.5, 3)},
    ]
    if c.get("fit_only_auc") is not None:
        parts.append(gettext("fit only %(auc)s") % {"auc": l10n.number(c["fit_only_auc"], 3)})
    if c.get("auc_margin_low") is not None:
        low, high = (("+" if x >= 0 else "") + l10n.number(x, 3) for x in (c["auc_margin_low"], c["auc_margin_high"]))
        parts.append(gettext("95%% interval of the margin %(low)s to %(high)s") % {"low": low, "high": high})
    return ", ".join(parts)


@transaction.atomic
def model_activate(
    *, model: PredictiveModel, by: User | None = None, rescore: bool = True, confirm: bool = False
) -> PredictiveModel:
    """Make this version the active one. A version that does not beat the baselines needs ``confirm=True``."""
    if not model.beats_baselines and not confirm:
        raise ValidationError(
            {
                "confirm": gettext(
                    "Model v%(number)s is not better than the baselines (%(metrics)s). Confirm to activate it anyway."
                )
                % {"number": model.number, "metrics": model_metrics_sentence(model)}
            }
        )
    PredictiveModel.objects.for_workspace(model.workspace_id).filter(is_active=True).update(is_active=False)
    model.is_active = True
    model.activated_at = timezone.now()
    model.save(update_fields=["is_active", "activated_at"])
    if rescore:
        rescore_later(
            workspace=model.workspace_id,
            reason=tx.msg(gettext_noop("model v%(number)s activated"), number=model.number),
            by=by,
        )
    return model


def _receipts(criteria: list[dict[str, Any]], bands: np.ndarray, points: np.ndarray) -> list[Serialized]:
    """Every account's receipt as JSON text, assembled from pre-serialised pieces (no json.dumps per account)."""
    pieces = [
        [json.dumps([c["key"], b["label"]], ensure_ascii=False)[:-1] + "," for b in c["bands"]]
        + [json.dumps([c["key"], None])[:-1] + ","]
        for c in criteria
    ]  # pieces[j][-1] is "no band matched"
    rounded = np.round(points, 2)
    if len(bands) == 0 or bands.shape[1] == 0:
        return [Serialized("[]") for _ in range(len(bands))]
    # Accounts share band combinations (a criterion's points follow from its band): build each distinct
    # (bands, points) row's text once, then hand it to every account with that row.
    keys = np.concatenate([np.asarray(bands, dtype=float).reshape(len(bands), -1), rounded], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    texts = []
    for row in first.tolist():
        parts = [
            pieces[j][b] + repr(p) + "]"
            for j, (b, p) in enumerate(zip(bands[row].tolist(), rounded[row].tolist(), strict=True))
        ]
        texts.append(Serialized("[" + ",".join(parts) + "]"))
    return [texts[i] for i in inverse.reshape(-1).tolist()]


def _nullable(values: np.ndarray) -> list[float | None]:
    values_or_none: list[float | None] = np.where(np.isnan(values), cast(Any, None), values.astype(object)).tolist()
    return values_or_none


def prospecting_rescore(
    *, workspace: Workspace, by: User | None = None, reason: str | tx.Msg = "", tiering: bool = True
) -> dict[str, Any]:
    """Recompute fit, win probability, priority and (unless ``tiering=False``) tiers of every account, in bulk.

    Safe to repeat: a second run with nothing changed writes the same values and creates no history.
    """
    # Frames, arrays and 10^5 receipts: no cycles among them, so no cyclic GC passes meanwhile (abe/gcpause.py).
    with gc_paused(), transaction.atomic():
        return _prospecting_rescore(workspace=workspace, by=by, reason=reason, tiering=tiering)


def _prospecting_rescore(
    *, workspace: Workspace, by: User | None, reason: str | tx.Msg, tiering: bool
) -> dict[str, Any]:
    started = time.monotonic()
    _workspace_lock(workspace)
    # Before reading which accounts exist: an account deleted meanwhile waits for the rescore and then deletes
    # the tier changes and proposals it writes, or goes first and is not rescored (``abe.locks``).
    locks.account_references(workspace.pk, shared=True)
    frame = workspace_accounts_frame(workspace=workspace)
    n = len(frame)
    summary: dict[str, Any] = {"accounts": n, "reason": tx.english(reason)}
    if n == 0:
        return summary
    version = IcpVersion.objects.for_workspace(workspace).filter(is_active=True).first()
    active = PredictiveModel.objects.for_workspace(workspace).filter(is_active=True).first()
    conf = prospecting_settings_get(workspace=workspace)
    scores = _scores_compute(
        frame,
        criteria=version.criteria if version is not None else None,
        grade_thresholds=version.grade_thresholds if version is not None else None,
        model=active,
        fit_weight=conf.fit_weight,
        predictive_weight=conf.predictive_weight,
        strategic_capacity=conf.strategic_capacity,
        priority_capacity=conf.priority_capacity,
        tiering=tiering,
    )
    fit_values, grades, met, p_win, priority = scores.fit, scores.grades, scores.met, scores.p_win, scores.priority
    ids, current, plan, new_tiers = scores.ids, scores.current, scores.plan, scores.new_tiers
    if scores.fit_result is not None and version is not None:
        receipts = _receipts(version.criteria, scores.fit_result.band, scores.fit_result.points)
        icp_number: int | None = version.number
    else:
        receipts, icp_number = cast(list[Serialized], [[] for _ in range(n)]), None
    driver_json = scores.drivers
    scored = time.monotonic()

    rows = list(
        zip(
            ids.tolist(),
            _nullable(fit_values),
            grades.tolist(),
            receipts,
            met.tolist(),
            [icp_number] * n,
            _nullable(p_win),
            driver_json,
            _nullable(priority),
            new_tiers.tolist(),
            strict=True,
        )
    )
    rows_update(Account, SCORE_FIELDS, rows)
    moved = np.flatnonzero(new_tiers != current)
    # One reason per whole priority (it reads "priority 87"): at most ~100 texts to render, not one per move.
    reasons: dict[int | None, tuple[str, dict[str, Any]]] = {}
    for whole in {_whole(priority[i]) for i in moved}:
        text = _automatic_reason(whole, reason)
        reasons[whole] = (text.english()[:500], {"reason": text.spec()})
    TierChange.objects.bulk_create(
        [
            TierChange(
                workspace=workspace,
                account_id=int(ids[i]),
                old_tier=current[i],
                new_tier=new_tiers[i],
                source=TierChangeSource.AUTOMATIC,
                reason=reasons[_whole(priority[i])][0],
                texts=reasons[_whole(priority[i])][1],
                by=by,
            )
            for i in moved
        ],
        batch_size=2000,
    )
    _tiers_changed(workspace.pk, {int(ids[i]): (str(current[i]), str(new_tiers[i])) for i in moved}, by)
    proposals = _proposals_refresh(workspace, plan, ids, current, priority) if plan is not None else 0
    written = time.monotonic()
    summary.update(
        {
            "icp_version": icp_number,
            "model_version": active.number if active else None,
            "tier_moves": len(moved),
            "proposals": proposals,
            "tiers": {t: int(np.sum(new_tiers == t)) for t in Tier.values},
            "score_seconds": round(scored - started, 3),
            "write_seconds": round(written - scored, 3),
        }
    )
    _stats_changed(workspace)
    conf.last_rescored_at = timezone.now()
    conf.last_rescore_summary = summary
    conf.save(update_fields=["last_rescored_at", "last_rescore_summary", "updated_at"])
    return summary


@dataclass
class _Scores:
    ids: np.ndarray
    current: np.ndarray  # tiers now
    fit: np.ndarray
    grades: np.ndarray
    met: np.ndarray
    fit_result: Any  # icp_maths fit result (bands and points for the receipts), None without an ICP
    p_win: np.ndarray
    drivers: list[Serialized]
    priority: np.ndarray
    plan: TierPlan | None
    new_tiers: np.ndarray


def _scores_compute(
    frame: pd.DataFrame,
    *,
    criteria: Any,
    grade_thresholds: Any,
    model: PredictiveModel | None,
    fit_weight: float,
    predictive_weight: float,
    strategic_capacity: int,
    priority_capacity: int,
    tiering: bool = True,
) -> _Scores:
    """Fit, win probability, priority and tiers of the accounts in ``frame`` with these settings (pure: nothing is
    written). The rescore writes its result; the previews compare it with what is stored."""
    n = len(frame)
    fit_result = None
    if criteria:
        fit_result = icp_maths.fit_score(frame, criteria, grade_thresholds)
        fit_values, grades, met = fit_result.score.astype(float), fit_result.grade, fit_result.met_mask
    else:
        fit_values, grades, met = np.full(n, np.nan), np.full(n, "", dtype=object), np.zeros(n, dtype=np.int64)
    frame = frame.assign(fit_score=fit_values)
    if model is not None:
        p_win, driver_json = TrainedModel.loads(bytes(model.blob)).score(frame)
        p_win, drivers = np.round(p_win, 4), [Serialized(d) for d in driver_json]
    else:
        p_win, drivers = np.full(n, np.nan), [Serialized("[]")] * n
    priority = priority_blend(fit_values, p_win, fit_weight=fit_weight, predictive_weight=predictive_weight)
    ids = frame["id"].to_numpy()
    current = frame["tier"].to_numpy(dtype=object)
    plan, new_tiers = None, current
    if tiering:
        plan = tier_plan(
            ids=ids,
            current=current,
            locked=frame["tier_locked"].to_numpy(dtype=bool),
            priority=priority,
            fit=fit_values,
            strategic_capacity=strategic_capacity,
            priority_capacity=priority_capacity,
        )
        new_tiers = plan.tier
    return _Scores(ids, current, fit_values, grades, met, fit_result, p_win, drivers, priority, plan, new_tiers)


@dataclass
class ProspectingPreview:
    """What a change to the ICP, the active model, the priority weights or the tier capacities would do."""

    accounts: int
    grade_changes: int
    tier_changes: int
    grades: list[tuple[str, int, int]]  # grade, accounts now, accounts after
    tiers: list[tuple[str, str, int, int]]  # tier key, label, accounts now, accounts after
    # Alerts the tier moves would add at the moved accounts' next rule evaluation (rules limited to some tiers).
    alerts: int = 0


def tier_moves_alerts_forecast(*, workspace: Workspace, moves: dict[int, str]) -> int:
    """How many more alerts the rules would fire at the next evaluation of these accounts if they moved to these
    tiers (``moves``: account id -> new tier): the registered alert forecasts (activation's real rule pass) run on
    the accounts as they are and with the new tiers, each in a transaction that is rolled back; the difference is
    what the move adds (crossings due anyway are not the change's). Nothing is kept."""
    paths = alert_forecasts()
    if not moves or not paths:
        return 0
    ids, now = sorted(moves), timezone.now()

    def count() -> int:
        return sum(int(import_string(path)(workspace_id=workspace.pk, account_ids=ids, now=now)) for path in paths)

    with transaction.atomic():
        # First, in the outer transaction: the evaluations take it too, after the accounts below are locked by the
        # update (a delete holding it, waiting for those rows, would deadlock with them; ``abe.locks``).
        locks.account_references(workspace.pk, shared=True)
        try:
            with transaction.atomic():
                before = count()
                transaction.set_rollback(True)
            by_tier: dict[str, list[int]] = {}
            for pk, tier in moves.items():
                by_tier.setdefault(tier, []).append(pk)
            for tier, pks in by_tier.items():
                Account.objects.for_workspace(workspace).filter(pk__in=pks).update(tier=tier)
            after = count()
        finally:
            transaction.set_rollback(True)
    return max(0, after - before)


def prospecting_preview(
    *,
    workspace: Workspace,
    criteria: Any = None,
    grade_thresholds: Any = None,
    model: PredictiveModel | None = None,
    settings: dict[str, Any] | None = None,
) -> ProspectingPreview:
    """The grades and tiers every account would get with a candidate ICP (``criteria``), model or settings (the
    others as they are), compared with the stored ones. Nothing is written. ValidationError for a bad ICP."""
    version = IcpVersion.objects.for_workspace(workspace).filter(is_active=True).first()
    if criteria is not None:
        criteria, grade_thresholds = icp_maths.icp_validate(criteria, grade_thresholds)
    elif version is not None:
        criteria, grade_thresholds = version.criteria, version.grade_thresholds
    if model is None:
        model = PredictiveModel.objects.for_workspace(workspace).filter(is_active=True).first()
    conf = prospecting_settings_get(workspace=workspace)
    values = {
        "fit_weight": conf.fit_weight,
        "predictive_weight": conf.predictive_weight,
        "strategic_capacity": conf.strategic_capacity,
        "priority_capacity": conf.priority_capacity,
        **(settings or {}),
    }
    frame = workspace_accounts_frame(workspace=workspace)
    if len(frame) == 0:
        return ProspectingPreview(0, 0, 0, [], [(t, str(label), 0, 0) for t, label in Tier.choices])
    scores = _scores_compute(frame, criteria=criteria, grade_thresholds=grade_thresholds, model=model, **values)
    stored = dict(Account.objects.for_workspace(workspace).values_list("pk", "fit_grade"))
    before_grades = np.array([stored.get(int(pk)) or "" for pk in scores.ids], dtype=object)
    after_grades = np.array([g or "" for g in scores.grades.tolist()], dtype=object)
    grade_keys = sorted(set(before_grades.tolist()) | set(after_grades.tolist()), key=lambda g: (g == "", g))
    tier_moves = {
        int(pk): str(new)
        for pk, old, new in zip(scores.ids, scores.current, scores.new_tiers, strict=True)
        if old != new
    }
    return ProspectingPreview(
        accounts=len(frame),
        grade_changes=int(np.sum(before_grades != after_grades)),
        tier_changes=int(np.sum(scores.new_tiers != scores.current)),
        grades=[(g, int(np.sum(before_grades == g)), int(np.sum(after_grades == g))) for g in grade_keys],
        tiers=[
            (t, str(label), int(np.sum(scores.current == t)), int(np.sum(scores.new_tiers == t)))
            for t, label in Tier.choices
        ],
        alerts=tier_moves_alerts_forecast(workspace=workspace, moves=tier_moves),
    )


def _proposals_refresh(
    workspace: Workspace, plan: TierPlan, ids: np.ndarray, current: np.ndarray, priority: np.ndarray
) -> int:
    """Replace the pending proposals with this pass's; identical ones are kept, rejected ones not offered again."""
    pending = {
        p.account_id: p for p in TierProposal.objects.for_workspace(workspace).filter(status=ProposalStatus.PENDING)
    }
    rejected = set(
        TierProposal.objects.for_workspace(workspace)
        .filter(status=ProposalStatus.REJECTED)
        .values_list("account_id", "current_tier", "proposed_tier")
    )
    wanted: dict[int, tuple[str, str, tx.Msg, float | None]] = {}
    for proposal in plan.proposals:
        account_id = int(ids[proposal.row])
        key = (account_id, str(current[proposal.row]), proposal.proposed)
        if key in rejected:
            continue
        text = tx.msg(
            PROPOSAL_REASONS[proposal.reason],
            current=tier_word(key[1]),
            proposed=tier_word(key[2]),
            priority=tx.num(float(priority[proposal.row])),
        )
        # No priority (no fit, no model: a pinned account proposed back to standard) is stored as unknown, not NaN:
        # PostgreSQL keeps a NaN, and JSON cannot say it (the proposals API answered 500).
        known = float(priority[proposal.row])
        wanted[account_id] = (key[1], key[2], text, None if math.isnan(known) else known)
    stale = [p.pk for a, p in pending.items() if a not in wanted or wanted[a][:2] != (p.current_tier, p.proposed_tier)]
    TierProposal.objects.filter(pk__in=stale).update(status=ProposalStatus.SUPERSEDED, decided_at=timezone.now())
    fresh = [
        TierProposal(
            workspace=workspace,
            account_id=a,
            current_tier=c,
            proposed_tier=t,
            reason=text.english()[:500],
            texts={"reason": text.spec()},
            priority=pr,
        )
        for a, (c, t, text, pr) in wanted.items()
        if a not in pending or pending[a].pk in stale
    ]
    TierProposal.objects.bulk_create(fresh, batch_size=1000)
    return len(wanted)


def _tiers_changed(workspace_id: int, moves: dict[int, tuple[str, str]], by: User | None) -> None:
    """Tell the upper apps (``abe.registry.tier_changed_register``) which accounts moved; only real moves."""
    moves = {pk: (old, new) for pk, (old, new) in moves.items() if old != new}
    if not moves:
        return
    by_id = by.pk if by is not None and by.is_authenticated else None
    for callback in tier_changed_callbacks():
        callback(workspace_id=workspace_id, moves=moves, by_id=by_id)


def _check_tier(tier: str) -> None:
    if tier not in Tier.values:
        raise ValidationError({"tier": gettext("Choose one of: %(values)s.") % {"values": ", ".join(Tier.values)}})


@transaction.atomic
def tier_override(*, account: Account, tier: str, reason: str, by: User | None) -> Account:
    """Pin an account to a tier; the automatic tiering leaves it there until it is unpinned."""
    _check_tier(tier)
    if not (reason or "").strip():
        raise ValidationError({"reason": gettext("Say why this account is moved by hand.")})
    locks.account_references(account.workspace_id, shared=True)  # before the account (see ``abe.locks``)
    account = Account.objects.select_for_update().get(pk=account.pk)
    TierChange.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        old_tier=account.tier,
        new_tier=tier,
        source=TierChangeSource.MANUAL,
        reason=reason.strip()[:500],
        by=by,
    )
    old_tier = account.tier
    account.tier, account.tier_locked = tier, True
    account.save(update_fields=["tier", "tier_locked", "updated_at"])
    _tiers_changed(account.workspace_id, {account.pk: (old_tier, tier)}, by)
    _stats_changed(account.workspace_id)
    TierProposal.objects.filter(account=account, status=ProposalStatus.PENDING).update(
        status=ProposalStatus.SUPERSEDED, decided_at=timezone.now(), decided_by=by
    )
    return account


@transaction.atomic
def tier_unpin(*, account: Account, by: User | None, reason: str = "") -> Account:
    """Let automatic tiering manage the account again (its tier changes at the next rescore)."""
    locks.account_references(account.workspace_id, shared=True)  # before the account (see ``abe.locks``)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if not account.tier_locked:
        raise ValidationError({"tier_locked": gettext("This account is not pinned.")})
    TierChange.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        old_tier=account.tier,
        new_tier=account.tier,
        source=TierChangeSource.UNPIN,
        reason=(reason or UNPIN_REASON.english()).strip()[:500],
        texts={} if reason.strip() else {"reason": UNPIN_REASON.spec()},
        by=by,
    )
    account.tier_locked = False
    account.save(update_fields=["tier_locked", "updated_at"])
    _stats_changed(account.workspace_id)
    return account


@transaction.atomic
def tier_proposal_decide(*, proposal: TierProposal, accept: bool, by: User | None) -> TierProposal:
    """Accept (the account moves, and is unpinned) or reject (it stays; the same move is not offered again)."""
    locks.account_references(proposal.workspace_id, shared=True)  # before the proposal and its account
    proposal = TierProposal.objects.select_for_update().select_related("account").get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(
            {
                "status": gettext("This proposal is already %(status)s.")
                % {"status": proposal.get_status_display().lower()}
            }
        )
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    if accept:
        account = Account.objects.select_for_update().get(pk=proposal.account_id)
        TierChange.objects.create(
            workspace_id=account.workspace_id,
            account=account,
            old_tier=account.tier,
            new_tier=proposal.proposed_tier,
            source=TierChangeSource.PROPOSAL,
            reason=proposal.reason,
            texts=proposal.texts,
            by=by,
        )
        old_tier = account.tier
        account.tier, account.tier_locked = proposal.proposed_tier, False
        account.save(update_fields=["tier", "tier_locked", "updated_at"])
        _tiers_changed(account.workspace_id, {account.pk: (old_tier, proposal.proposed_tier)}, by)
        _stats_changed(account.workspace_id)
    return proposal


@transaction.atomic
def tier_proposals_decide(*, workspace: Workspace, proposal_ids: list[int], accept: bool, by: User | None) -> int:
    """Decide many pending proposals of one workspace at once; the count decided (others are skipped)."""
    pending = TierProposal.objects.for_workspace(workspace).filter(pk__in=proposal_ids, status=ProposalStatus.PENDING)
    decided = 0
    for proposal in pending.order_by("-priority", "id"):
        tier_proposal_decide(proposal=proposal, accept=accept, by=by)
        decided += 1
    return decided


def prospecting_rescore_enqueue(*, workspace: Workspace, reason: str) -> None:
    """Rescore every account of the workspace in the background, once the current transaction commits."""
    enqueue_on_commit(prospecting_rescore_task, workspace.pk, reason)


@transaction.atomic
def accounts_bulk_assign_owner(
    *, workspace: Workspace, account_ids: list[int], owner: User | None, by: User | None
) -> int:
    if owner is not None and not Membership.objects.filter(workspace=workspace, user=owner).exists():
        raise ValidationError({"owner": gettext("This user is not a member of the workspace.")})
    return (
        Account.objects.for_workspace(workspace)
        .filter(pk__in=account_ids)
        .update(owner=owner, updated_at=timezone.now())
    )


@transaction.atomic
def accounts_bulk_tier(*, workspace: Workspace, account_ids: list[int], tier: str, reason: str, by: User | None) -> int:
    """Pin many accounts to one tier with one reason; each gets its own history line."""
    _check_tier(tier)
    if not (reason or "").strip():
        raise ValidationError({"reason": gettext("Say why these accounts are moved by hand.")})
    locks.account_references(workspace.pk, shared=True)  # before the accounts: as in ``_prospecting_rescore``
    accounts = list(Account.objects.for_workspace(workspace).filter(pk__in=account_ids).select_for_update())
    TierChange.objects.bulk_create(
        [
            TierChange(
                workspace=workspace,
                account=a,
                old_tier=a.tier,
                new_tier=tier,
                source=TierChangeSource.MANUAL,
                reason=reason.strip()[:500],
                by=by,
            )
            for a in accounts
        ]
    )
    Account.objects.filter(pk__in=[a.pk for a in accounts]).update(
        tier=tier, tier_locked=True, updated_at=timezone.now()
    )
    _tiers_changed(workspace.pk, {a.pk: (a.tier, tier) for a in accounts}, by)
    TierProposal.objects.filter(account_id__in=[a.pk for a in accounts], status=ProposalStatus.PENDING).update(
        status=ProposalStatus.SUPERSEDED, decided_at=timezone.now(), decided_by=by
    )
    _stats_changed(workspace)
    return len(accounts)


def editable_account_ids(*, request: Any, workspace: Workspace, account_ids: list[int]) -> list[int]:
    """The subset of ``account_ids`` the request may change (sales: owned or on the team)."""
    qs = Account.objects.for_workspace(workspace).filter(pk__in=account_ids)
    role = rules.request_role(request)
    if role in ("admin", "marketing"):
        return list(qs.values_list("pk", flat=True))
    if role == "sales":
        user = request.user
        return list(qs.filter(Q(owner=user) | Q(team_members__user=user)).values_list("pk", flat=True).distinct())
    raise PermissionDenied(gettext("Viewers cannot change accounts."))


BULK_INLINE_LIMIT = 200  # above this many accounts a bulk change runs as a background job
BULK_CHUNK = 500


@dataclass
class BulkResult:
    """What a bulk change did: how many accounts changed, and how many were skipped for which reason.

    ``skipped`` is keyed by the reason in English (the job result and the API keep it); ``reason_texts`` holds
    each reason in a form translated when read, for the summary people see."""

    changed: int = 0
    skipped: dict[str, int] = dataclasses.field(default_factory=dict)
    reason_texts: dict[str, StrOrPromise] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def skip(self, reason: str, n: int, text: StrOrPromise | None = None) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n
            if text is not None:
                self.reason_texts[reason] = text

    def add(self, other: BulkResult) -> None:
        self.changed += other.changed
        for reason, n in other.skipped.items():
            self.skip(reason, n, other.reason_texts.get(reason))

    @property
    def summary(self) -> str:
        """E.g. "12 changed, 3 skipped: already pinned to Strategic", in the active language."""
        text = gettext("%(count)s changed") % {"count": l10n.number(self.changed)}
        if self.skipped:
            text += ", " + "; ".join(
                gettext("%(count)s skipped: %(reason)s")
                % {"count": l10n.number(n), "reason": str(self.reason_texts.get(reason, reason))}
                for reason, n in self.skipped.items()
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"changed": self.changed, "skipped": self.skipped}

    @classmethod
    def from_dict(cls, data: dict[str, Any], texts: dict[str, StrOrPromise]) -> BulkResult:
        """A result saved with :meth:`as_dict` (a stepped job's progress), with the reasons' texts for the summary."""
        result = cls(changed=int(data.get("changed", 0)))
        for reason, n in (data.get("skipped") or {}).items():
            result.skip(reason, int(n), texts.get(reason))
        return result


def bulk_reason_texts(*, owner: User | None, tier: str) -> dict[str, StrOrPromise]:
    """Every reason a bulk change can skip accounts for (the English key) and its text, translated when read."""
    texts: dict[str, StrOrPromise] = {
        "no longer exist": gettext_lazy("no longer exist"),
        "not yours to change (you are neither owner nor on the team)": gettext_lazy(
            "not yours to change (you are neither owner nor on the team)"
        ),
        "already no owner": gettext_lazy("already without an owner"),
    }
    if owner is not None:
        name = owner.get_full_name() or owner.get_username()
        texts[f"already owned by {name}"] = format_lazy(gettext_lazy("already owned by {name}"), name=name)
    if tier in Tier.values:
        with translation.override("en"):
            english = f"already pinned to {Tier(tier).label}"
        texts[english] = format_lazy(gettext_lazy("already pinned to {tier}"), tier=Tier(tier).label)
    return texts


def account_ids_editable(*, request: Any, workspace: Workspace, account_ids: list[int]) -> set[int]:
    """The subset of ``account_ids`` (of rows a list page has read from this workspace) the request may change:
    what the list offers to change. Admins and marketing: all of them, viewers: none, without a query; sales: the
    accounts they own or are on the team of, in one query."""
    if rules.can_write_everything(request):
        return set(account_ids)
    if rules.request_role(request) != "sales" or not request.user.is_authenticated:
        return set()
    return _editable_ids(workspace=workspace, user=request.user, role="sales", ids=account_ids)


def _editable_ids(*, workspace: Workspace, user: User | None, role: str | None, ids: list[int]) -> set[int]:
    qs = Account.objects.for_workspace(workspace).filter(pk__in=ids)
    if role in ("admin", "marketing"):
        return set(qs.values_list("pk", flat=True))
    if role == "sales" and user is not None:
        return set(qs.filter(Q(owner=user) | Q(team_members__user=user)).values_list("pk", flat=True).distinct())
    return set()


def accounts_bulk_apply(
    *,
    workspace: Workspace,
    account_ids: list[int],
    action: str,
    by: User | None,
    role: str | None,
    owner: User | None = None,
    tier: str = "",
    reason: str = "",
) -> BulkResult:
    """Assign an owner to, or pin to a tier, the given accounts, and say exactly what happened to each.

    Accounts the user may not change (sales: neither owner nor on the team), that no longer exist, or that are
    already in the wanted state are skipped and counted by reason.
    """
    if action not in ("owner", "tier"):
        raise ValidationError({"action": gettext("Choose “Assign owner” or “Pin to tier”.")})
    if role not in ("admin", "marketing", "sales"):
        raise PermissionDenied(gettext("Viewers cannot change accounts."))
    wanted = list(dict.fromkeys(account_ids))
    result = BulkResult()
    existing = set(Account.objects.for_workspace(workspace).filter(pk__in=wanted).values_list("pk", flat=True))
    result.skip("no longer exist", len(wanted) - len(existing), gettext_lazy("no longer exist"))
    allowed = _editable_ids(workspace=workspace, user=by, role=role, ids=list(existing))
    result.skip(
        "not yours to change (you are neither owner nor on the team)",
        len(existing) - len(allowed),
        gettext_lazy("not yours to change (you are neither owner nor on the team)"),
    )
    base = Account.objects.for_workspace(workspace).filter(pk__in=allowed)
    if action == "owner":
        same = base.filter(owner__isnull=True) if owner is None else base.filter(owner=owner)
        unchanged = set(same.values_list("pk", flat=True))
        name = "" if owner is None else owner.get_full_name() or owner.get_username()
        result.skip(
            "already no owner" if owner is None else f"already owned by {name}",
            len(unchanged),
            gettext_lazy("already without an owner")
            if owner is None
            else format_lazy(gettext_lazy("already owned by {name}"), name=name),
        )
        result.changed = accounts_bulk_assign_owner(
            workspace=workspace, account_ids=sorted(allowed - unchanged), owner=owner, by=by
        )
    else:
        _check_tier(tier)
        unchanged = set(base.filter(tier=tier, tier_locked=True).values_list("pk", flat=True))
        with translation.override("en"):
            english = f"already pinned to {Tier(tier).label}"
        result.skip(
            english, len(unchanged), format_lazy(gettext_lazy("already pinned to {tier}"), tier=Tier(tier).label)
        )
        todo = sorted(allowed - unchanged)
        result.changed = (
            accounts_bulk_tier(workspace=workspace, account_ids=todo, tier=tier, reason=reason, by=by) if todo else 0
        )
    return result


@transaction.atomic
def tier_proposal_create(*, account: Account, proposed_tier: str, reason: str, by: User | None = None) -> TierProposal:
    """Propose a tier move by hand (e.g. "Propose as key account" from the Pareto page); a person decides it.

    A pending proposal for another tier is superseded by this one; the same move already pending is an error.
    """
    _check_tier(proposed_tier)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why this account should move.")})
    locks.account_references(account.workspace_id, shared=True)  # before the account (see ``abe.locks``)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.tier == proposed_tier:
        raise ValidationError(
            {
                "proposed_tier": gettext("%(name)s is already %(label)s.")
                % {"name": account.name, "label": Tier(proposed_tier).label}
            }
        )
    pending = TierProposal.objects.filter(account=account, status=ProposalStatus.PENDING).first()
    if pending is not None:
        if pending.proposed_tier == proposed_tier:
            raise ValidationError(
                {"proposed_tier": gettext("This move is already proposed and waiting for a decision.")}
            )
        pending.status, pending.decided_at, pending.decided_by = ProposalStatus.SUPERSEDED, timezone.now(), by
        pending.save(update_fields=["status", "decided_at", "decided_by"])
    return TierProposal.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        current_tier=account.tier,
        proposed_tier=proposed_tier,
        priority=account.priority,
        reason=reason[:500],
    )
