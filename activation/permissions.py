"""Who may act on an alert: marketing and admins on any; sales on alerts in their inbox, assigned to them, or
on accounts they own or are on the team of; viewers never. API keys with the write scope act as marketing."""

from __future__ import annotations

from typing import Any

from abe import permissions as rules
from abe.models import Role

from .models import Alert, AlertRecipient


def can_act_on_alert(request: Any, alert: Alert) -> bool:
    role = rules.request_role(request)
    if role in (Role.ADMIN, Role.MARKETING):
        return True
    if role != Role.SALES:
        return False
    user = request.user
    if alert.assignee_id == user.pk or AlertRecipient.objects.filter(alert=alert, user=user).exists():
        return True
    return alert.account is not None and alert.account.sales_can_edit(user)


def can_edit_rules(request: Any) -> bool:
    return rules.can_write_everything(request) and getattr(request, "membership", None) is not None
