from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from abe.models import Workspace
from abe.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a workspace; the key is printed alone on the last line (and never stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="Workspace slug")
        parser.add_argument("--scopes", default="read", help="Comma-separated: read,write,events")
        parser.add_argument("--name", default="Command-line key")

    def handle(self, *args: Any, workspace: str, scopes: str, name: str, **options: Any) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug “{workspace}”.")
        try:
            key, raw = api_key_create(workspace=ws, name=name, scopes=scopes.split(","))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Created key “{key.name}” ({key.prefix}…) with scopes {', '.join(key.scopes)}.")
        self.stdout.write(raw)
