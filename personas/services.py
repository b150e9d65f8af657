"""Writes on personas (marketing and admins own them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from abe.models import Workspace

from .models import Channel, CommitteeTemplate, Persona

PERSONA_FIELDS = {
    "name",
    "department",
    "seniority",
    "typical_buying_role",
    "challenges",
    "goals",
    "career_goals",
    "information_sources",
    "preferred_channels",
}


def _clean_persona(persona: Persona) -> None:
    persona.name = (persona.name or "").strip()
    errors: dict[str, str] = {}
    if not persona.name:
        errors["name"] = gettext("A persona needs a name.")
    else:
        clash = Persona.objects.for_workspace(persona.workspace_id).filter(name__iexact=persona.name)
        if persona.pk:
            clash = clash.exclude(pk=persona.pk)
        if clash.exists():
            errors["name"] = gettext("A persona called “%(name)s” already exists.") % {"name": persona.name}
    channels = list(dict.fromkeys(persona.preferred_channels or []))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        errors["preferred_channels"] = gettext("Unknown channel(s): %(values)s.") % {
            "values": ", ".join(map(str, unknown))
        }
    persona.preferred_channels = channels
    if errors:
        raise ValidationError(errors)
    persona.full_clean(exclude=["workspace"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def persona_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> Persona:
    extra = set(data) - PERSONA_FIELDS
    if extra:
        raise ValidationError({f: "Unknown field." for f in extra})
    persona = Persona(workspace=workspace, **data)
    _clean_persona(persona)
    persona.save()
    return persona


@transaction.atomic
def persona_update(persona: Persona, *, by: User | None = None, **data: Any) -> Persona:
    extra = set(data) - PERSONA_FIELDS
    if extra:
        raise ValidationError({f: "Unknown field." for f in extra})
    for field, value in data.items():
        setattr(persona, field, value)
    _clean_persona(persona)
    persona.save()
    return persona


@transaction.atomic
def persona_delete(persona: Persona, *, by: User | None = None) -> None:
    persona.delete()


@transaction.atomic
def committee_template_save(
    *,
    workspace: Workspace,
    tier: str,
    requirements: Any,
    engaged_days: int | None = None,
    by: User | None = None,
) -> CommitteeTemplate:
    """Create or replace the committee template of one tier (admins and marketing)."""
    from .committee import DEFAULT_ENGAGED_DAYS, TIERS, requirements_validate

    errors: dict[str, str] = {}
    if tier not in TIERS:
        errors["tier"] = gettext("Choose one of: %(values)s.") % {"values": ", ".join(TIERS)}
    persona_ids = set(Persona.objects.for_workspace(workspace).values_list("id", flat=True))
    try:
        cleaned = requirements_validate(requirements, persona_ids)
    except ValueError as exc:
        errors["requirements"] = str(exc)
    days = DEFAULT_ENGAGED_DAYS if engaged_days is None else engaged_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        errors["engaged_days"] = gettext("Give a number of days from 1 to 365.")
    if errors:
        raise ValidationError(errors)
    template, _ = CommitteeTemplate.objects.select_for_update().get_or_create(
        workspace=workspace, tier=tier, defaults={"requirements": cleaned, "engaged_days": days}
    )
    template.requirements, template.engaged_days = cleaned, days
    template.save()
    return template


@transaction.atomic
def committee_template_reset(*, workspace: Workspace, tier: str, by: User | None = None) -> None:
    """Forget the stored template of a tier: the seeds' default applies again."""
    CommitteeTemplate.objects.for_workspace(workspace).filter(tier=tier).delete()
