from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from abe import permissions as rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.paging import paginate, text_param
from abe.views import workspace_required

from . import selectors, services
from .forms import PersonaForm


@workspace_required
def persona_list_view(request: MemberRequest) -> HttpResponse:
    q = text_param(request)
    qs = selectors.persona_list(workspace=request.workspace).order_by("name")
    if q:
        qs = qs.filter(name__icontains=q)
    page_obj = paginate(request, qs, key="personas")
    return render(
        request,
        "personas/list.html",
        {
            "page_obj": page_obj,
            "q": q,
            "can_edit_personas": rules.can_write_everything(request),
        },
    )


@workspace_required
def persona_form_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only marketing and admins edit personas."))
    persona = get_object_or_404(selectors.persona_list(workspace=request.workspace), pk=pk) if pk else None
    form = PersonaForm(request.POST or None, instance=persona)
    if request.method == "POST" and form.is_valid():
        try:
            if persona is None:
                persona = services.persona_create(workspace=request.workspace, by=request.user, **form.cleaned_data)
            else:
                services.persona_update(persona, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Persona “%(name)s” saved.") % {"name": persona.name})
            return redirect("personas:list")
    title = gettext("Edit %(name)s") % {"name": persona.name} if persona else gettext("New persona")
    return render(request, "personas/form.html", {"form": form, "title": title, "persona": persona})


@workspace_required
def persona_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only marketing and admins edit personas."))
    persona = get_object_or_404(selectors.persona_list(workspace=request.workspace), pk=pk)
    if request.method == "POST":
        services.persona_delete(persona, by=request.user)
        messages.success(request, gettext("Persona “%(name)s” deleted.") % {"name": persona.name})
        return redirect("personas:list")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": persona,
            "kind": pgettext("deleted object", "persona"),
            "cancel_url": reverse("personas:list"),
            "consequence": gettext("Contacts that keep their data but lose this persona: %(count)s.")
            % {"count": getattr(persona, "contact_count", 0)},
        },
    )
