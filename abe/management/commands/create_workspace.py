"""``manage.py create_workspace SLUG --name NAME --admin USERNAME``: a workspace with an existing user as admin.

Prints the JSON ``{"id", "slug", "name", "admin"}`` on its last line; exit status 2 with one clear line when the
user does not exist or the slug is taken or invalid.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from abe.services import workspace_create


class Command(BaseCommand):
    help = "Create a workspace and make an existing user its admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Short name, e.g. acme-eu (lower-case letters, digits, hyphens)")
        parser.add_argument("--name", required=True, help="Display name")
        parser.add_argument("--admin", required=True, metavar="USERNAME", help="An existing user (username or email)")

    def handle(self, *args: Any, slug: str, name: str, admin: str, **options: Any) -> None:
        users = get_user_model().objects
        user = users.filter(username=admin).first() or users.filter(email__iexact=admin).first()
        if user is None:
            self.stderr.write(
                f"create_workspace: No user “{admin}”. Create it first (manage.py createsuperuser, or the admin site)."
            )
            sys.exit(2)
        try:
            workspace = workspace_create(name=name, slug=slug, owner=user)
        except ValidationError as exc:
            self.stderr.write(f"create_workspace: {' '.join(exc.messages)}")
            sys.exit(2)
        self.stdout.write(
            json.dumps(
                {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name, "admin": user.get_username()}
            )
        )
