"""Every page with junk input: no server error (the pages' counterpart of the API's schemathesis run).

Run: ``DATABASE_URL=postgres://... .venv/bin/python .ci/page_sweep.py [--user admin] [--post]`` against a database
with the demo loaded (``manage.py load_demo``; the sweep's posts change it: use a scratch database). Signs in as
``--user``, follows every link from the home page (one URL per shape: ids count as one), then requests each page
again with each junk query string below. ``--post`` also posts each form and each ``hx-post`` button it found with
each junk value in every field (logging out, deleting and workspace switches left out). ``--api`` also requests
every list endpoint of the API schema with each junk value in each of its query parameters (values schemathesis does
not generate: a NUL, a 20-digit id). ``--routes`` also requests every route of the URLconf (pages and API alike,
links or not) with ids that do not exist (``999999999`` and a 20-digit one) and junk in its text parameters, with
GET and an empty POST (and PATCH and DELETE on the API), and every route without parameters with GET: an unknown
object is a 404, never a 500. ``--reader viewer`` posts every form the crawl found as that viewer, with the values
the form showed, and fails any post that writes a table other than the viewer's own (saved views, preferences); and
creates, patches and deletes through the API (one object per detail route): each must be refused.
``--outsider`` then signs in as the admin of another, empty workspace and requests every page with an id in its path
that the crawl found, posts each form found there empty, and reads, patches (``{}``) and deletes each API object the
crawl's user can see (one per detail route, its id taken from the list): another workspace's object is a 404 (or
403), never a 200 (a "leak", counted with the errors). Prints each request answered 5xx, then one JSON object on its
last line; exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

JUNK_QUERIES = [
    "page=abc&per_page=-1",
    "page=99999999999999999999",
    "sort=%27;drop&order=zz",
    "within=xx&by=%00",
    "q=%00%ff",
    "status=nope&severity=%C0%AF&rule=1e9&account=-1",
    "start=2026-13-45&end=0000-00-00",
    "start=9999-12-31&end=0001-01-01",
    "per_page=100000&page=-5",
    "scope=all&owner=abc&tier=%00&stage=%00",
    "stage_changed_since=99999-01-01",
    "days=-1&period=zzz&months=1e99",
    "view=99999999999999999999",
    "owner=99999999999999999999&account=99999999999999999999",
    "tier=strategic&owner=me&q=" + "x" * 5000,
    "type=%00&persona=abc&asset=-1",
    "start=2026-01-01T00:00:00%2B99:00",
    # "²": str.isdigit() says yes, int() says no (every list's page number was a server error)
    "page=%C2%B2&per_page=%C2%B2&owner=%C2%B2&view=%C2%B2&rule=%C2%B2&account=%C2%B2&n=%C2%B2&contact=%C2%B2",
    # two signs: a check that strips every "-" before its digit test lets "--5" through to int()
    "page=--5&per_page=--5&owner=--5&view=--5&account=--5&n=--5",
]
JUNK_VALUES = [
    "x\x00y",
    "99999999999999999999",
    "-1",
    "2026-13-45",
    "",
    "<script>",
    "a" * 20000,
    "1e999",
    "%00",
    "\u00b2",
]
SKIPPED = ("logout", "/api/", "/admin/", "/static/", "/media/")
NOT_POSTED = ("logout", "delete", "workspace", "switch")
HX_FIELDS = ["note", "until", "next", "assignee", "email_mode", "status"]
# What each path converter gets in ``--routes``: ids no object has (one beyond PostgreSQL's bigint), junk text.
ROUTE_VALUES = {
    "int": ["999999999", "99999999999999999999"],
    "str": ["nope", "%00"],
    "slug": ["nope"],
    "path": ["nope"],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
}
DRF_FORMAT = "<drf_format_suffix:format>"


def route_urls() -> list[tuple[str, bool]]:
    """Every route of the URLconf made concrete: ``(url, has_parameters)``, one URL per set of junk values (every
    parameter of a route takes its converter's first value, then its second...). Regex routes (static files,
    DRF's format suffixes) are left out."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    found: list[tuple[str, bool]] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and DRF_FORMAT not in route:
                kinds = re.findall(r"<(?:(\w+):)?\w+>", route)
                if not kinds:
                    found.append(("/" + route, False))
                    continue
                for i in range(max(len(ROUTE_VALUES.get(k or "str", ["x"])) for k in kinds)):

                    def value(match: re.Match, i: int = i) -> str:
                        values = ROUTE_VALUES.get(match.group(1) or "str", ["x"])
                        return values[min(i, len(values) - 1)]

                    found.append(("/" + re.sub(r"<(?:(\w+):)?\w+>", value, route), True))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ID_SEGMENT = re.compile(r"/\d+(?:/|$)")


def api_objects(client) -> list[str]:
    """One object per API detail route (``/api/v1/things/{id}/``) that the signed-in user can see: its URL."""
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    urls = []
    for path, operations in schema["paths"].items():
        match = re.fullmatch(r"(/api/[^{]*/)\{(\w+)\}/", path)
        if not match or "get" not in operations or match.group(1) not in schema["paths"]:
            continue
        listed = client.get(match.group(1), HTTP_ACCEPT="application/json")
        if listed.status_code != 200:
            continue
        body = listed.json()
        rows = body.get("results", []) if isinstance(body, dict) else body
        if rows and isinstance(rows[0], dict) and "id" in rows[0]:
            urls.append(f"{match.group(1)}{rows[0]['id']}/")
    return urls


# What a viewer may write: their own saved views, preferences and notification settings (and the session).
# Anything else written by a viewer's post is reported.
READER_TABLES = {
    "django_session",
    "accounts_savedview",
    "abe_userpreference",
    "activation_notificationpreference",
}
WRITE = re.compile(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.I)


def send(client, method: str, url: str, data: dict[str, str] | None = None) -> tuple[Any, set[str]]:
    """One request as the pages or an API client send it (a write to the API carries ``{}`` as JSON, a page's post
    ``data``), and the tables it wrote other than :data:`READER_TABLES` (its SQL captured)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        if url.startswith("/api/") and method != "get":
            response = getattr(client, method)(url, "{}", content_type="application/json")
        elif method == "post":
            response = client.post(url, data or {})
        else:
            response = getattr(client, method)(url, HTTP_ACCEPT="application/json" if "/api/" in url else "text/html")
    written = {m.group(1) for q in queries.captured_queries if (m := WRITE.match(q["sql"]))} - READER_TABLES
    return response, written


def sign_in(client, user) -> None:
    client.logout()
    client.force_login(user)


def reader_sweep(client, crawler: str, reader: str, forms, form_values, errors: list[str]) -> int:
    """As ``reader`` (a viewer of the same workspace): post every form the crawl found with the values it showed
    (a blank field gets ``1``), and fail any post that writes a table outside :data:`READER_TABLES`; POST ``{}`` to
    each API list and PATCH and DELETE one object of each detail route, failing any 2xx. Signs the crawl's user in
    again after. Returns the number of requests."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    objects = api_objects(client)  # as the crawl's user
    lists = sorted({url.rstrip("/").rsplit("/", 1)[0] + "/" for url in objects})
    sign_in(client, users.get(username=reader))
    seen: set[tuple[str, tuple[str, ...]]] = set()
    # The API: no write either (a 403 before any validation, not a 2xx).
    for method, url in [*(("post", url) for url in lists), *((m, url) for m in ("patch", "delete") for url in objects)]:
        response, written = send(client, method, url)
        if response.status_code >= 500 or 200 <= response.status_code < 300 or written:
            errors.append(f"write by a {reader}: {method.upper()} {url} answered {response.status_code}")
    for action, names in forms:
        key = (re.sub(r"\d+", "N", action), tuple(names))
        if key in seen or any(part in action for part in NOT_POSTED):
            continue
        seen.add(key)
        shown = form_values.get((action, tuple(names)), {})
        response, written = send(client, "post", action, {name: shown.get(name) or "1" for name in names})
        if response.status_code >= 500:
            errors.append(f"reader POST {action}")
        elif written:
            errors.append(f"write by a {reader}: POST {action} wrote {sorted(written)}")
    sign_in(client, users.get(username=crawler))
    return len(seen) + len(lists) + 2 * len(objects)


def outsider_sweep(client, pages: list[str], forms: list[tuple[str, list[str]]], errors: list[str]) -> int:
    """As the admin of another, empty workspace: every id-bearing page, form and API object the crawl found must be
    out of reach (404 or 403, or a redirect that wrote nothing). Returns the number of requests."""
    from django.contrib.auth import get_user_model

    from abe.models import Membership, Role, Workspace

    objects = api_objects(client)  # as the crawl's user, who sees them
    user, _ = get_user_model().objects.get_or_create(username="sweep-outsider")
    workspace, _ = Workspace.objects.get_or_create(slug="sweep-outsider", defaults={"name": "Sweep outsider"})
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.ADMIN})
    sign_in(client, user)
    requests = 0
    targets = [("get", url) for url in pages if ID_SEGMENT.search(url.split("?")[0])]
    targets += sorted({("post", action) for action, _ in forms if ID_SEGMENT.search(action.split("?")[0])})
    targets += [(method, url) for method in ("get", "patch", "delete") for url in objects]
    for method, url in targets:
        if any(part in url for part in ("logout", "/workspaces/", "/invitations/")):
            continue
        requests += 1
        response, written = send(client, method, url)
        # An action that answers with a redirect (a task completed...) shows itself by what it wrote.
        if response.status_code >= 500:
            errors.append(f"outsider {method.upper()} {url}")
        elif response.status_code in (200, 201, 204) or written:
            errors.append(f"leak: outsider {method.upper()} {url} answered {response.status_code}, wrote {written}")
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="admin")
    parser.add_argument("--post", action="store_true", help="post every form and hx-post button too")
    parser.add_argument("--api", action="store_true", help="every query parameter of every API list endpoint too")
    parser.add_argument("--routes", action="store_true", help="every route with ids that do not exist too")
    parser.add_argument("--reader", help="a viewer's username: posting the crawl's forms as them writes nothing")
    parser.add_argument("--outsider", action="store_true", help="another workspace's admin must not reach these")
    parser.add_argument("--max-pages", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    logging.disable(logging.CRITICAL)  # the 5xx are counted here, not logged with their tracebacks
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=args.user))

    shapes: set[str] = set()
    queue, pages, forms = ["/"], [], []
    form_values: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    while queue and len(pages) < args.max_pages:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url)
        if shape in shapes or any(part in url for part in SKIPPED):
            continue
        shapes.add(shape)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        text = response.content.decode()
        queue += [html.unescape(link).split("?")[0] for link in re.findall(r'(?:href|hx-get)="(/[^"#]*)"', text)]
        for attrs, body in re.findall(r"<form([^>]*)>(.*?)</form>", text, re.S):
            if 'method="post"' in attrs.lower():
                action = re.search(r'action="([^"]*)"', attrs)
                names = sorted(set(re.findall(r'name="([^"]+)"', body)) - {"csrfmiddlewaretoken"})
                target = html.unescape(action.group(1)) if action and action.group(1) else url
                forms.append((target, names))
                given = re.findall(r'name="([^"]+)"[^>]*\bvalue="([^"]*)"', body)
                form_values[(target, tuple(names))] = {k: html.unescape(v) for k, v in given}
        forms += [(html.unescape(target), HX_FIELDS) for target in re.findall(r'hx-post="(/[^"]*)"', text)]

    errors: list[str] = []
    for url in pages:
        for junk in JUNK_QUERIES:
            target = url + ("&" if "?" in url else "?") + junk
            if client.get(target).status_code >= 500:
                errors.append(f"GET {target[:200]}")
    posted: set[tuple[str, tuple[str, ...]]] = set()
    if args.post:
        for action, names in forms:
            key = (re.sub(r"\d+", "N", action), tuple(names))
            if key in posted or any(part in action for part in NOT_POSTED):
                continue
            posted.add(key)
            for value in JUNK_VALUES:
                if client.post(action, dict.fromkeys(names, value)).status_code >= 500:
                    errors.append(f"POST {action} {value[:20]!r} fields {names[:8]}")
                    break
    api_requests = 0
    if args.api:
        schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
        for path, operations in schema["paths"].items():
            if "{" in path or "get" not in operations:
                continue
            names = [p["name"] for p in operations["get"].get("parameters", []) if p.get("in") == "query"] or ["x"]
            for value in [*JUNK_VALUES[:4], "1e999", "2026-01-01T00:00:00+99:00", "\u00b2", "--5"]:
                for name in names:
                    api_requests += 1
                    if client.get(path, {name: value}).status_code >= 500:
                        errors.append(f"GET {path}?{name}={value[:20]!r}")
    route_requests = 0
    if args.routes:
        for url, has_parameters in route_urls():
            if url.startswith(("/static/", "/media/", "/admin/")) or "logout" in url:  # Django's admin: staff only
                continue
            api = url.startswith("/api/")
            methods = ["get"]
            if has_parameters:  # ids no object has: nothing to change, even on a delete route
                methods += ["post", "patch", "delete"] if api else ["post"]
            for method in methods:
                route_requests += 1
                response, _ = send(client, method, url)
                if response.status_code >= 500:
                    errors.append(f"{method.upper()} {url}")
    reader_posts = 0
    if args.reader:
        reader_posts = reader_sweep(client, args.user, args.reader, forms, form_values, errors)
    outsider_requests = 0
    if args.outsider:
        outsider_requests = outsider_sweep(client, pages, forms, errors)
    for line in errors:
        print(line)
    summary = {
        "user": args.user,
        "pages": len(pages),
        "forms_posted": len(posted),
        "api_requests": api_requests,
        "route_requests": route_requests,
        "reader_requests": reader_posts,
        "outsider_requests": outsider_requests,
    }
    print(json.dumps({**summary, "server_errors": len(errors)}))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
