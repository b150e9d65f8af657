from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from abe import permissions as rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.paging import ignored_params, paginate
from abe.views import workspace_required

from .. import selectors, services
from ..forms import ContentAssetForm
from ..models import BuyingStage, ContentFormat, Effort


@workspace_required
def content_list_view(request: MemberRequest) -> HttpResponse:
    qs = selectors.content_asset_list(workspace=request.workspace)
    choices = {"stage": BuyingStage.values, "effort": Effort.values, "format": ContentFormat.values}
    given = {k: request.GET.get(k, "") for k in choices}
    # A value outside the field's choices is ignored and named (it matched nothing; a NUL in it was a 500).
    chosen = {k: v if v in choices[k] else "" for k, v in given.items()}
    for field, value in chosen.items():
        if value:
            qs = qs.filter(**{field: value})
    page_obj = paginate(request, qs.order_by("title", "pk"), key="content")
    return render(
        request,
        "content/list.html",
        {
            "page_obj": page_obj,
            "chosen": chosen,
            "ignored": ignored_params(request, invalid=[k for k, v in given.items() if v and not chosen[k]]),
            "stages": BuyingStage.choices,
            "efforts": Effort.choices,
            "formats": ContentFormat.choices,
            "can_edit_content": rules.can_write_everything(request),
        },
    )


@workspace_required
def content_form_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    if not rules.can_write_everything(request):
        raise PermissionDenied(gettext("Only marketing and admins edit the content library."))
    asset = get_object_or_404(selectors.content_asset_list(workspace=request.workspace), pk=pk) if pk else None
    form = ContentAssetForm(request.POST or None, instance=asset, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["personas"] = list(data.get("personas") or [])
        try:
            if asset is None:
                asset = services.content_asset_create(workspace=request.workspace, by=request.user, **data)
            else:
                services.content_asset_update(asset, by=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, gettext("“%(title)s” saved.") % {"title": asset.title})
            return redirect("content:list")
    return render(
        request,
        "content/form.html",
        {"form": form, "title": gettext("Edit %(name)s") % {"name": asset} if asset else gettext("New content")},
    )


@workspace_required
def content_performance_view(request: MemberRequest) -> HttpResponse:
    """Asset performance by persona and journey stage (the nightly rollup of events referencing assets)."""
    from personas.models import Persona

    from ..selectors.nbc import asset_performance_table, content_settings

    rows = asset_performance_table(workspace=request.workspace)
    names = dict(Persona.objects.for_workspace(request.workspace).values_list("pk", "name"))
    page_obj = paginate(request, rows, key="content_performance", default=50)
    return render(
        request,
        "content/performance.html",
        {
            "page_obj": page_obj,
            "persona_names": names,
            "settings": content_settings(workspace=request.workspace),
        },
    )
