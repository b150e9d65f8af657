"""Pages under load: gunicorn serving the demo, N concurrent clients on the main pages and list endpoints.

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/http_load.py [--port 8180 --clients 20 --seconds 15]``.
Loads the demo (timed) unless the database has it already, runs ``ANALYZE`` (PostgreSQL), starts gunicorn
(``--workers``, sync workers, DEBUG off) on 127.0.0.1:``--port``, logs in as the demo admin, then for each URL
in turn runs ``--clients`` threads that request it back to back for ``--seconds``: the accounts list, the tier board, an
account page, the alerts inbox and the accounts API (100 per page). Stops gunicorn and prints one JSON object on
its last line: per URL the page's size in bytes (the state it was measured in), requests, req/s, p50/p95/p99 ms
and errors, and ``p95_ms_max`` over the URLs; and per URL ``cpu_ms_per_request``: the CPU the clients (this
process), gunicorn (its process group) and PostgreSQL (every backend: anything else using the database meanwhile
counts too) used while that URL was hammered, per request served. With every core busy, p95 follows that sum:
20 clients on 2 cores wait about 20 x CPU per request / 2.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def login(base: str, username: str, password: str) -> str:
    """The session cookie of a browser login (GET the form for the CSRF token, POST the credentials)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login/", timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(base + "/login/", data=body.encode(), headers={"Referer": base + "/login/"})
    opener.open(request, timeout=30).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise SystemExit("login failed (is the demo loaded, and the demo password ABE_DEMO_PASSWORD?)")
    return f"sessionid={session}; csrftoken={token}"


def process_cpu_seconds(match: Callable[[int, str], bool]) -> dict[int, float]:
    """User + system CPU seconds of every live process whose (pid, command line) ``match`` accepts (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not match(int(entry), cmdline):
                continue
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return seconds


def cpu_now(server_group: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far, per process: this one (the clients), the gunicorn process group, PostgreSQL's backends."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "client": {0: own.ru_utime + own.ru_stime},
        "gunicorn": process_cpu_seconds(lambda pid, _: os.getpgid(pid) == server_group),
        "postgres": process_cpu_seconds(lambda _, cmd: cmd.startswith("postgres")),
    }


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings by the processes alive at the second (a process that started in
    between counts from zero; one that ended is left out, its last part unknown)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def hammer(url: str, cookie: str, clients: int, seconds: float) -> dict:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                request = urllib.request.Request(url, headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError as exc:
                with lock:
                    errors.append(str(exc)[:100])
                continue
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors.append(f"HTTP {status}")
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ms = [t * 1000 for t in times]
    return {
        "requests": len(ms),
        "req_per_s": round(len(ms) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1) if ms else None,
        "p95_ms": round(percentile(ms, 0.95), 1) if ms else None,
        "p99_ms": round(percentile(ms, 0.99), 1) if ms else None,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0, help="per URL")
    parser.add_argument("--user", default="admin")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import django

    django.setup()
    from _demo_pages import demo_pages
    from django.db import connections

    from abe.demo import demo_password

    urls, demo_seconds = demo_pages()

    connections.close_all()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="abe.settings.local", DEBUG="0")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "abe.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    results = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not come up") from None
                time.sleep(0.3)
        cookie = login(base, args.user, demo_password())
        for name, path in urls.items():
            hammer(base + path, cookie, 2, 1.0)  # warm every worker's caches and imports, untimed
            # The size of the page measured says what state it was in (an inbox with nothing delivered is ~6 KB,
            # with a page of 25 alerts ~39 KB).
            with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie})) as page:
                size = len(page.read())
            before = cpu_now(server.pid)
            results[name] = {"url": path, "bytes": size, **hammer(base + path, cookie, args.clients, args.seconds)}
            after = cpu_now(server.pid)
            # Where the machine's CPU went per request: the clients (this process), gunicorn, PostgreSQL (every
            # backend, so anything else using the database in that window counts too).
            results[name]["cpu_ms_per_request"] = {
                key: round(cpu_used(before[key], after[key]) * 1000 / max(1, results[name]["requests"]), 2)
                for key in after
            }
            print(name, results[name], file=sys.stderr)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    p95s = [r["p95_ms"] for r in results.values() if r["p95_ms"] is not None]
    print(
        json.dumps(
            {
                "bench": "http_load",
                "workers": args.workers,
                "clients": args.clients,
                "seconds_per_url": args.seconds,
                "p95_ms_max": max(p95s) if p95s else None,
                "target_p95_ms": 300,
                "urls": results,
                "demo_load_seconds": demo_seconds,
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
