"""Writes of the maturity assessment and the rollout tracker."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext

from abe.models import Membership, Workspace

from .. import maturity
from ..models import MaturityAssessment, RolloutStep
from ..selectors.maturity import maturity_evidence
from .rollups import rollup_version_bump


@transaction.atomic
def maturity_assessment_create(
    *, workspace: Workspace, stages: Any, notes: str = "", by: Any = None
) -> MaturityAssessment:
    """Save one answer to the grid with the evidence the workspace showed at that moment."""
    try:
        clean = maturity.validate_stages(stages)
    except ValueError as exc:
        raise ValidationError({"stages": str(exc)}) from None
    # The facts are lazily translated texts: stored as text, in the language of the person saving.
    evidence = json.loads(json.dumps(maturity_evidence(workspace=workspace), cls=DjangoJSONEncoder))
    assessment = MaturityAssessment.objects.create(
        workspace=workspace, stages=clean, evidence=evidence, notes=notes[:5000], created_by=by
    )
    rollup_version_bump(workspace=workspace)  # the maturity page is cached per version: show it at once
    return assessment


@transaction.atomic
def rollout_step_update(
    *, workspace: Workspace, number: int, owner_id: int | None, due_date: date | None, done: bool, note: str = ""
) -> RolloutStep:
    if not 1 <= number <= len(maturity.ROLLOUT_STEPS):
        raise ValidationError(
            {"number": gettext("A step from 1 to %(count)s.") % {"count": len(maturity.ROLLOUT_STEPS)}}
        )
    if owner_id is not None and not Membership.objects.filter(workspace=workspace, user_id=owner_id).exists():
        raise ValidationError({"owner": gettext("Choose a member of this workspace.")})
    step, _ = RolloutStep.objects.select_for_update().get_or_create(workspace=workspace, number=number)
    step.owner_id, step.due_date, step.note = owner_id, due_date, note[:300]
    if done and step.done_at is None:
        step.done_at = date.today()
    elif not done:
        step.done_at = None
    step.save()
    rollup_version_bump(workspace=workspace)  # the maturity page is cached per version: show it at once
    return step
