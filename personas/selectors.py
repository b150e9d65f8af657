from __future__ import annotations

from django.db.models import Count, QuerySet

from abe.models import Workspace

from .models import Persona


def persona_list(*, workspace: Workspace) -> QuerySet[Persona]:
    return Persona.objects.for_workspace(workspace).annotate(contact_count=Count("contacts"))
