"""Outreach templates: list, edit (merge fields checked on save), compose for a contact (preview, copy, open
in the mail client, log as sent), and the content settings page."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe.http import MemberRequest
from abe.paging import whole_number
from abe.views import workspace_required
from accounts.models import Account, Contact, Tier

from .. import hooks
from ..merge import FIELDS
from ..models import BuyingStage, ContentAsset, Effort
from ..selectors.nbc import content_settings
from ..selectors.outreach import outreach_template_list
from ..services.outreach import (
    customer_result_save,
    outreach_log_sent,
    outreach_render,
    outreach_template_create,
    outreach_template_delete,
    outreach_template_update,
)
from ..services.settings import content_settings_save


def _errors(exc: ValidationError) -> dict[str, str]:
    return {k: " ".join(v) for k, v in exc.message_dict.items()}


@workspace_required
def template_list_view(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "content/outreach_list.html",
        {
            "templates": outreach_template_list(workspace=request.workspace),
            "can_edit": rules.can_write(request),
        },
    )


@workspace_required
def template_form_view(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot edit outreach templates."))
    template = get_object_or_404(outreach_template_list(workspace=request.workspace), pk=pk) if pk else None
    data = (
        {k: request.POST.get(k, "") for k in ("name", "subject", "body")}
        if request.method == "POST"
        else {
            "name": template.name if template else "",
            "subject": template.subject if template else "",
            "body": template.body if template else "",
        }
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if template is None:
                template = outreach_template_create(workspace=request.workspace, by=request.user, **data)
            else:
                outreach_template_update(template, by=request.user, **data)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, gettext("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("content:templates")
    return render(
        request,
        "content/outreach_form.html",
        {
            "template": template,
            "data": data,
            "errors": errors,
            "fields": FIELDS.items(),
        },
    )


@workspace_required
def template_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot delete outreach templates."))
    template = get_object_or_404(outreach_template_list(workspace=request.workspace), pk=pk)
    if request.method == "POST":
        outreach_template_delete(template, by=request.user)
        messages.success(request, gettext("Template “%(name)s” deleted.") % {"name": template.name})
        return redirect("content:templates")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": template,
            "kind": pgettext("deleted object", "outreach template"),
            "cancel_url": reverse("content:templates"),
            "consequence": gettext(
                "Touches already logged with it stay in the timelines; play steps using it lose it."
            ),
        },
    )


@workspace_required
def compose_view(request: MemberRequest) -> HttpResponse:
    """Render a template for a contact: preview, copy, mailto, log as sent."""
    contact_id = request.GET.get("contact", "")
    contact = get_object_or_404(
        Contact.objects.for_workspace(request.workspace).select_related("account", "persona"),
        pk=whole_number(contact_id) or 0,
    )
    templates = list(outreach_template_list(workspace=request.workspace))
    raw = request.GET.get("template", "")
    template = next((t for t in templates if str(t.pk) == raw), templates[0] if templates else None)
    asset_raw = request.GET.get("asset", "")
    asset = ContentAsset.objects.for_workspace(request.workspace).filter(pk=whole_number(asset_raw) or 0).first()
    rendered, refusal, mailto = None, "", ""
    if template is not None:
        try:
            rendered = outreach_render(template=template, contact=contact)
        except ValidationError as exc:
            refusal = " ".join(_errors(exc).values())
    if rendered is not None:
        body = rendered.body + (f"\n\n{asset.title}: {asset.url}" if asset and asset.url else "")
        mailto = f"mailto:{quote(contact.email)}?subject={quote(rendered.subject)}&body={quote(body)}"
    return render(
        request,
        "content/compose.html",
        {
            "contact": contact,
            "account": contact.account,
            "templates": templates,
            "template": template,
            "asset": asset,
            "rendered": rendered,
            "refusal": refusal,
            "mailto": mailto,
            "can_log": rules.can_edit_object(request, contact.account),
        },
    )


@require_POST
@workspace_required
def log_sent_view(request: MemberRequest) -> HttpResponse:
    contact_id, template_id, asset_id = (request.POST.get(k, "") for k in ("contact", "template", "asset"))
    contact = get_object_or_404(
        Contact.objects.for_workspace(request.workspace).select_related("account"),
        pk=whole_number(contact_id) or 0,
    )
    if not rules.can_edit_object(request, contact.account):
        raise PermissionDenied(gettext("You can only log touches on accounts you own or are on the team of."))
    template = get_object_or_404(outreach_template_list(workspace=request.workspace), pk=whole_number(template_id) or 0)
    asset = ContentAsset.objects.for_workspace(request.workspace).filter(pk=whole_number(asset_id) or 0).first()
    try:
        outreach_log_sent(template=template, contact=contact, by=request.user, asset=asset)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc).values()))
        return redirect(f"{reverse('content:compose')}?contact={contact.pk}&template={template.pk}")
    messages.success(
        request,
        gettext("Logged: “%(name)s” sent to %(contact)s. It shows in the account's timeline.")
        % {"name": template.name, "contact": contact},
    )
    return redirect("accounts:detail", pk=contact.account_id)


@require_POST
@workspace_required
def customer_result_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    if not rules.can_edit_object(request, account):
        raise PermissionDenied(gettext("You can only edit accounts you own or are on the team of."))
    try:
        customer_result_save(
            workspace=request.workspace, account=account, result=request.POST.get("result", ""), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc).values()))
    else:
        messages.success(request, gettext("Customer result saved."))
    return redirect("accounts:detail", pk=account.pk)


@workspace_required
def settings_view(request: MemberRequest) -> HttpResponse:
    can_edit = rules.can_write_everything(request)
    current = content_settings(workspace=request.workspace)
    stages = hooks.journey_stages(workspace=request.workspace)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("Admins and marketing change the content settings."))
        try:
            content_settings_save(
                workspace=request.workspace,
                by=request.user,
                effort_by_tier={t: request.POST.get(f"effort_{t}", "") for t in Tier.values},
                stage_map={key: request.POST.get(f"stage_{key}", "") for key, _ in stages},
                movement_days=request.POST.get("movement_days", ""),
                prior_weight=request.POST.get("prior_weight", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, gettext("Content settings saved."))
            return redirect("content:settings")
    return render(
        request,
        "content/settings.html",
        {
            "settings": current,
            "can_edit": can_edit,
            "errors": errors,
            "tiers": [(v, label, current.allowed_effort(v)) for v, label in Tier.choices],
            "efforts": Effort.choices,
            "stages": [(k, n, current.content_stage(k)) for k, n in stages],
            "content_stages": BuyingStage.choices,
        },
    )
