"""abe.startup: a web process warms the URLconf and the project's templates, then freezes its start-up objects."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from django.template import engines

from abe.startup import _project_template_names, templates_warm, web_process_ready

ROOT = Path(__file__).resolve().parents[2]


def test_every_project_template_is_compiled_and_no_package_template():
    names = _project_template_names()

    assert "base.html" in names and "activation/inbox.html" in names and "accounts/partials/tier_row.html" in names
    assert not [n for n in names if n.startswith(("rest_framework/", "admin/", "drf_spectacular"))]
    assert templates_warm() == len(names)
    engine = engines["django"].engine
    cached = engine.template_loaders[0]
    assert type(cached).__name__ == "Loader" and len(cached.get_template_cache) >= len(names)


def test_web_process_ready_freezes_the_start_up_objects():
    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        web_process_ready()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_wsgi_module_runs_it():
    code = "import gc, abe.wsgi; print(gc.get_freeze_count())"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="abe.settings.test")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)

    assert int(out.stdout.strip().splitlines()[-1]) > 10_000
