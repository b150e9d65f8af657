"""What a web process does once, after Django is set up and before it serves: warm, then freeze.

``web_process_ready()`` is called at the end of ``abe/wsgi.py``, so every way the portal is served by gunicorn
(Dockerfile, docker-compose, ``bench/http_load.py``, ``make api-fuzz``) runs it: in each worker as it imports the
application, or once in the master with ``--preload`` (then the workers inherit it across the fork).

1. Warm: the URLconf is resolved (every view module imported, the resolver's reverse dictionary built) and every
   template of the project is compiled into the cached loader, so the first request of each worker does not pay
   for it, and the objects this creates exist before the freeze.
2. Freeze: ``gc.collect()`` then ``gc.freeze()`` moves every object alive at that point (Django, DRF, the
   compiled templates, the URL patterns: a few hundred thousand objects that live as long as the process) into
   the permanent generation, which the cyclic garbage collector never walks. Without it, each full collection
   during a request walks all of them again (docs/performance.md, "Pages under load"). Objects created later are
   collected as usual; with ``--preload`` frozen objects are also not written to by the collector, so the forked
   workers keep sharing their memory pages.
"""

from __future__ import annotations

import gc
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver


def _project_template_names() -> list[str]:
    """The names of the templates under the project's own template folders (not the installed packages')."""
    root = Path(settings.BASE_DIR).resolve()
    names: list[str] = []
    for engine in engines.all():
        for folder in getattr(engine, "template_dirs", ()):
            path = Path(folder).resolve()
            if not path.is_dir() or root not in path.parents or ".venv" in path.parts:
                continue
            names.extend(str(file.relative_to(path)) for file in sorted(path.rglob("*.html")))
    return sorted(set(names))


def templates_warm() -> int:
    """Compile every project template once (the cached loader keeps it); how many were compiled."""
    compiled = 0
    for name in _project_template_names():
        for engine in engines.all():
            try:
                engine.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):  # a partial of another engine, or one that fails
                continue  # at request time exactly as it would have without the warm-up
            compiled += 1
            break
    return compiled


def web_process_ready() -> None:
    """Warm the URLconf and the templates, then freeze everything alive out of the cyclic GC (see above)."""
    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018  (builds the reverse dictionaries of every pattern)
    templates_warm()
    gc.collect()
    gc.freeze()
