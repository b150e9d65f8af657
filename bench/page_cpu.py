"""CPU per request of the pages ``bench/http_load.py`` hammers, through Django's test client (no HTTP, no gunicorn).

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/page_cpu.py [--requests 20] [--profile alerts_inbox]``.
Loads the demo unless the database has it (then ``ANALYZE``), logs in as the demo admin, and for each URL makes
``--warmup`` untimed requests, then ``--requests`` timed ones: this process's CPU time (``time.process_time``,
so PostgreSQL's own work is not in it), the wall time and the SQL statements per request. ``--profile NAME``
also prints the top of a cProfile of that URL (cumulative) to stderr. Prints one JSON object on its last line:
per URL ``cpu_ms`` (median), ``wall_ms`` (median) and ``queries``, with the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")
os.environ["DEBUG"] = "0"  # as served: no debug toolbar, no SQL kept per request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--profile", default="", help="a URL name to profile (or 'all')")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    import django

    django.setup()
    from _demo_pages import demo_pages
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    urls, _ = demo_pages()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=args.user))
    results = {}
    for name, path in urls.items():
        for _ in range(args.warmup):
            assert client.get(path).status_code == 200, path
        cpu, wall, queries = [], [], []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started_cpu, started = time.process_time(), time.perf_counter()
                response = client.get(path)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
            queries.append(len(captured.captured_queries))
        results[name] = {
            "url": path,
            "cpu_ms": round(statistics.median(cpu), 2),
            "wall_ms": round(statistics.median(wall), 2),
            "queries": max(queries),
        }
        print(name, results[name], file=sys.stderr)
        if args.profile in (name, "all"):
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                client.get(path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
            out.write("\n--- by own time ---\n")
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue(), file=sys.stderr)
    print(
        json.dumps(
            {
                "bench": "page_cpu",
                "requests_per_url": args.requests,
                "cpu_ms_total": round(sum(r["cpu_ms"] for r in results.values()), 2),
                "urls": results,
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
