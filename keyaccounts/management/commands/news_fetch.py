"""Fetch a workspace's news feeds now: ``manage.py news_fetch --workspace SLUG [--feed URL]``.

With ``--feed`` only that feed is fetched (added first if it is new). The last line printed is JSON with
``feeds``, ``entries``, ``new_entries``, ``new_matches`` and ``errors``.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from abe.models import Workspace
from keyaccounts.models import NewsFeed
from keyaccounts.services.news import news_feed_add, news_fetch_workspace


class Command(BaseCommand):
    help = "Fetch the news feeds of a workspace and match entries to its accounts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", required=True, help="Workspace slug")
        parser.add_argument("--feed", help="Fetch only this feed URL (added if new)")

    def handle(self, *args, **options) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        feeds = None
        if options.get("feed"):
            url = options["feed"].strip()
            feed = NewsFeed.objects.filter(workspace=workspace, url=url).first()
            if feed is None:
                try:
                    feed = news_feed_add(workspace=workspace, url=url)
                except ValidationError as exc:
                    raise CommandError("; ".join(exc.messages)) from None
                self.stdout.write(f"Added feed {url}")
            feeds = [feed]
        summary = news_fetch_workspace(workspace=workspace, feeds=feeds)
        for result in summary["results"]:
            line = f"{result['url']}: {result['entries']} entries, {result['new_matches']} new matches"
            self.stdout.write(line + (f" (error: {result['error']})" if result["error"] else ""))
        summary.pop("results")
        self.stdout.write(json.dumps(summary))
