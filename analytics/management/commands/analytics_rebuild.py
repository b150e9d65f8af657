from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from abe.models import Workspace
from analytics.services.rollups import facts_rebuild


class Command(BaseCommand):
    help = "Rebuild the analytics rollups (daily facts per account, segment and tier) of one workspace."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", required=True, help="The workspace slug.")

    def handle(self, *args, workspace: str, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.")
        result = facts_rebuild(workspace=ws)
        self.stdout.write(
            f"Rebuilt {result['rows']} account-day facts of {ws.slug} ({result['start']}..{result['end']}) "
            f"in {result['seconds']}s."
        )
