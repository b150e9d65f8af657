"""Celery entry points of prospecting; thin: each calls one service."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from abe.models import Workspace

logger = logging.getLogger(__name__)


@shared_task(time_limit=1800)
def prospecting_rescore_task(workspace_id: int, reason: str = "") -> dict[str, Any]:
    """Safe to repeat: a rescore recomputes everything from the current ICP, model and settings."""
    from .services import prospecting_rescore

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    return prospecting_rescore(workspace=workspace, reason=reason)


@shared_task(time_limit=1800)
def model_train_task(workspace_id: int, user_id: int | None = None) -> int | None:
    """A repeat trains one more version; harmless, as only a version at least as good is activated."""
    from .services import model_train

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return model_train(workspace=workspace, by=user).pk
    except ValidationError as exc:
        logger.info("Model not trained for workspace %s: %s", workspace_id, " ".join(exc.messages))
        return None


@shared_task(time_limit=600)
def models_retrain_weekly_task() -> int:
    """The weekly schedule: one training task per workspace that has a model or any closed deals."""
    from ..models import Opportunity, PredictiveModel

    ids = set(PredictiveModel.objects.values_list("workspace_id", flat=True)) | set(
        Opportunity.objects.filter(status__in=["won", "lost"]).values_list("workspace_id", flat=True).distinct()
    )
    for workspace_id in sorted(ids):
        model_train_task.delay(workspace_id)
    return len(ids)
