"""Writes on personas (marketing and admins own them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from abe.models import Workspace

from .models import Channel, Persona

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
        errors["name"] = "A persona needs a name."
    else:
        clash = Persona.objects.for_workspace(persona.workspace_id).filter(name__iexact=persona.name)
        if persona.pk:
            clash = clash.exclude(pk=persona.pk)
        if clash.exists():
            errors["name"] = f"A persona called “{persona.name}” already exists."
    channels = list(dict.fromkeys(persona.preferred_channels or []))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        errors["preferred_channels"] = f"Unknown channel(s): {', '.join(map(str, unknown))}."
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
