"""Outreach templates: save (merge fields checked), render for a contact, and log a send as a touch."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from abe.models import Workspace
from accounts.models import Account, Contact

from .. import hooks
from ..merge import MergeError, Rendered, merge_check, merge_render
from ..models import ContentAsset, CustomerResult, OutreachTemplate
from ..selectors.outreach import merge_values

TEMPLATE_FIELDS = {"name", "subject", "body"}


NAME_MAX = OutreachTemplate._meta.get_field("name").max_length or 120


def _clean_template(template: OutreachTemplate) -> None:
    template.name = (template.name or "").strip()
    errors: dict[str, str] = {}
    if not template.name:
        errors["name"] = gettext("Give the template a name.")
    elif len(template.name) > NAME_MAX:  # checked before the name is compared in the database
        errors["name"] = gettext("At most %(limit)s characters.") % {"limit": NAME_MAX}
    elif (
        OutreachTemplate.objects.for_workspace(template.workspace_id)
        .filter(name__iexact=template.name)
        .exclude(pk=template.pk)
        .exists()
    ):
        errors["name"] = gettext("Another template has this name.")
    if not (template.subject or "").strip():
        errors["subject"] = gettext("Write a subject.")
    if not (template.body or "").strip():
        errors["body"] = gettext("Write a body.")
    for field in ("subject", "body"):
        if field in errors:
            continue
        try:
            merge_check(getattr(template, field))
        except MergeError as exc:
            errors[field] = str(exc)
    if len(template.subject or "") > 255:
        errors["subject"] = gettext("At most 255 characters.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def outreach_template_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> OutreachTemplate:
    extra = set(data) - TEMPLATE_FIELDS
    if extra:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(extra)})
    template = OutreachTemplate(workspace=workspace, created_by=by if by and by.is_authenticated else None, **data)
    _clean_template(template)
    template.save()
    return template


@transaction.atomic
def outreach_template_update(template: OutreachTemplate, *, by: User | None = None, **data: Any) -> OutreachTemplate:
    extra = set(data) - TEMPLATE_FIELDS
    if extra:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(extra)})
    for field, value in data.items():
        setattr(template, field, value)
    _clean_template(template)
    template.save()
    return template


@transaction.atomic
def outreach_template_delete(template: OutreachTemplate, *, by: User | None = None) -> None:
    template.delete()


def _check_reachable(contact: Contact) -> None:
    if contact.do_not_contact:
        raise ValidationError({"contact": gettext("This contact is marked do not contact.")})
    if contact.left_at is not None:
        raise ValidationError({"contact": gettext("This contact has left the company.")})


def outreach_render(*, template: OutreachTemplate, contact: Contact) -> Rendered:
    """The template filled for one contact (refused for do-not-contact people and people who left)."""
    if contact.workspace_id != template.workspace_id:
        raise ValidationError({"contact": gettext("Not found in this workspace.")})
    _check_reachable(contact)
    values = merge_values(contact=contact)
    used = merge_check(template.subject) + merge_check(template.body)
    return Rendered(
        subject=merge_render(template.subject, values),
        body=merge_render(template.body, values),
        empty_fields=sorted({name for name in used if not values.get(name)}),
    )


@transaction.atomic
def outreach_log_sent(
    *,
    template: OutreachTemplate,
    contact: Contact,
    by: User | None = None,
    asset: ContentAsset | None = None,
) -> Any:
    """Record that the rendered template was sent: an outbound touch event carrying the template id.

    Logging the same template to the same person twice within one second (a double click) records one touch.
    """
    rendered = outreach_render(template=template, contact=contact)
    now = timezone.now()
    return hooks.touch_log(
        workspace=contact.workspace,
        account=contact.account,
        contact=contact,
        channel="email",
        occurred_at=now,
        external_id=f"outreach:{template.pk}:{contact.pk}:{now:%Y%m%d%H%M%S}",
        asset=asset,
        metadata={
            "template_id": template.pk,
            "template": template.name,
            "subject": rendered.subject,
            "by": getattr(by, "username", ""),
        },
    )


@transaction.atomic
def customer_result_save(
    *, workspace: Workspace, account: Account, result: str, by: User | None = None
) -> CustomerResult | None:
    """Write (or clear, with an empty text) the result a won customer achieved."""
    result = (result or "").strip()
    if len(result) > 300:
        raise ValidationError({"result": gettext("At most 300 characters.")})
    if not result:
        CustomerResult.objects.for_workspace(workspace).filter(account=account).delete()
        return None
    found, _ = CustomerResult.objects.update_or_create(
        workspace=workspace, account=account, defaults={"result": result}
    )
    return found
