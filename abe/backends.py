"""The session's user and their memberships in one query.

Every signed-in page reads the user (``django.contrib.auth.get_user``, through the session's backend) and then
every membership with its workspace and the user's preferences (``abe.middleware.WorkspaceMiddleware``: the
switcher lists them, the current one is among them). :class:`MembershipBackend` is Django's ``ModelBackend``
whose ``get_user`` reads the memberships with the user joined, so a page makes one query for both instead of
two (about 1 ms of CPU per request under load, docs/performance.md "Pages under load, fifth round").

Django's own checks stay Django's: ``get_user`` (the session's backend must be listed, the session hash must
match the password's) calls this ``get_user`` and nothing else changes; an inactive user is refused here exactly
as ``ModelBackend`` refuses them. A user without any membership costs the second query, as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

# The attribute that carries the memberships from here to WorkspaceMiddleware (on the request's user object).
MEMBERSHIPS_ATTR = "_abe_memberships"


def memberships_query(user_id: Any) -> Any:
    """Every membership of one user, with its workspace and the user's preferences, by workspace name."""
    from .models import Membership

    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("workspace", "user__preference")
        .order_by("workspace__name", "pk")
    )


class MembershipBackend(ModelBackend):
    """``ModelBackend`` (passwords, permissions, ``is_active``) whose ``get_user`` brings the memberships along."""

    def get_user(self, user_id: Any) -> Any:
        memberships = list(memberships_query(user_id))
        if not memberships:
            user = super().get_user(user_id)
        else:
            user = memberships[0].user
            for membership in memberships:
                membership.user = user  # one user object, as a query per membership would not give
            if not self.user_can_authenticate(user):
                return None
        if user is not None:
            setattr(user, MEMBERSHIPS_ATTR, memberships)
        return user
