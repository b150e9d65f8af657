"""List (or mark) user-facing template text outside the translation system: ``templates_i18n [--mark] [paths]``.

After merging template changes: ``python manage.py templates_i18n --mark`` wraps new text in translation tags,
then ``make messages`` updates the catalogues (tests/abe/test_i18n_templates.py fails until both are done).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from abe.template_text import find_untranslated, mark, template_files


class Command(BaseCommand):
    help = "List (or with --mark, wrap in translation tags) the untranslated text of the HTML templates."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="*", help="templates or folders (default: the templates folder)")
        parser.add_argument("--mark", action="store_true", help="rewrite the templates with translation tags")

    def handle(self, *args: Any, **options: Any) -> None:
        roots = [Path(p) for p in options["paths"]] or [Path(settings.BASE_DIR) / "templates"]
        files = [f for root in roots for f in (template_files(root) if root.is_dir() else [root])]
        left = 0
        for path in files:
            if options["mark"] and path.suffix == ".html":
                source = path.read_text()
                marked = mark(source)
                if marked != source:
                    path.write_text(marked)
                    self.stdout.write(f"marked {path}")
            for finding in find_untranslated(path):
                left += 1
                self.stdout.write(f"{finding.path}:{finding.line}: {finding.where}: {finding.text}")
        if left and not options["mark"]:
            raise CommandError(f"{left} untranslated strings")
