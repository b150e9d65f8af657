"""Give every request its current workspace and the user's membership in it.

The current workspace is the one saved in the session by the switcher, else the user's first. API-key
requests get theirs from the key during DRF authentication (``abe.api.authentication``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from .backends import MEMBERSHIPS_ATTR, memberships_query
from .http import WorkspaceRequest
from .models import Membership

SESSION_KEY = "workspace_id"


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: WorkspaceRequest) -> HttpResponse:
        request.workspace = None
        request.membership = None
        request.api_key = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query for every membership: the switcher lists them, and the current one is among them.
            # The user's language and time zone come along in the same query (UserLocaleMiddleware reads them).
            # A session's user read by MembershipBackend brought them along already (abe.backends).
            memberships = getattr(user, MEMBERSHIPS_ATTR, None)
            if memberships is None:
                memberships = list(memberships_query(user.pk))
            wanted = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.workspace_id == wanted), None) or next(
                iter(memberships), None
            )
            request.memberships = memberships
            if membership is not None:
                request.membership = membership
                request.workspace = membership.workspace
        return self.get_response(request)


class UserLocaleMiddleware:
    """The language, time zone and currency of a request (Django's LocaleMiddleware, with people's choices).

    Pages: the user's preference, else the workspace default set by admins, else the browser (language cookie,
    then ``Accept-Language``). The API: ``Accept-Language`` only, and only its human messages change; its data
    keeps machine formats. Times show in the user's time zone; money in the workspace's currency.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: WorkspaceRequest) -> HttpResponse:
        from django.utils import timezone, translation
        from django.utils.cache import patch_vary_headers

        from .l10n import currency_activate, currency_reset, supported_language, time_zone

        preference = self._preference(request)
        workspace = getattr(request, "workspace", None)
        language = None
        if not request.path.startswith("/api/"):
            language = supported_language(preference.language if preference else None) or supported_language(
                workspace.language if workspace is not None else None
            )
        language = language or translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        tz = time_zone(preference.time_zone) if preference is not None else None
        if tz is not None:
            timezone.activate(tz)
        token = currency_activate(workspace.currency if workspace is not None else None)
        try:
            response = self.get_response(request)
        finally:
            # Nothing of this request's locale leaks into the next one served by this thread.
            currency_reset(token)
            timezone.deactivate()
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def _preference(request: WorkspaceRequest) -> Any:
        # Read from the membership query's join (no query of its own); None without a workspace or preference.
        membership = getattr(request, "membership", None)
        if membership is None:
            return None
        try:
            return membership.user.preference
        except ObjectDoesNotExist:
            return None


class RequestBodyLimitMiddleware:
    """Answer 413 (JSON for the API) to a body larger than the limits, before anything reads it.

    Non-file bodies (JSON, forms) are limited by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (sized for the largest
    documented event batch), multipart uploads by ``ABE_MAX_UPLOAD_BYTES``. Without this, Django answers a
    bare HTML 400 when the body is first read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.http import JsonResponse

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.ABE_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = f"The request body is {length} bytes; at most {limit} are accepted."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class FormNulMiddleware:
    """Answer 400 to a page's form post with a NUL character in any value, before a view reads it.

    PostgreSQL cannot store NUL in text, and a view that hands posted text to a service (the outreach template and
    play editors, an alert's note) got a database error, a 500, on the first query that compared it. Browsers never
    send NUL from a text box; a crafted post gets a plain 400 and nothing is saved. The API is not concerned: it
    reads JSON, and its serializers refuse NUL as a field error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not request.path.startswith("/api/"):
            if any("\x00" in value for values in request.POST.lists() for value in values[1]):
                message = gettext("A value sent contains a NUL character, which cannot be stored. Nothing was saved.")
                return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DemoLoadingMiddleware:
    """While ``load_demo --progress`` builds the demo (``make run`` serves first), every page but the liveness
    probe is a 503 "demo data still loading (N%)" page that refreshes itself; the API answers 503 JSON.

    Driven by the loader's progress record (``abe.demo_loading``): one ``stat`` per request when no load runs.
    Nothing touches the database meanwhile (the loader holds one long write transaction; on SQLite a login,
    which writes, would wait on it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .demo_loading import STEP_LABELS, progress_read

        record = progress_read()
        if record is None or request.path == "/healthz":
            return self.get_response(request)
        from django.http import JsonResponse
        from django.template.loader import render_to_string
        from django.utils.translation import gettext

        percent = record.get("percent") if isinstance(record.get("percent"), int) else 0
        step = str(record.get("step") or "")
        headers = {"Retry-After": "5", "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            message = gettext("The demo data is still loading (%(percent)s%%); try again in a few seconds.") % {
                "percent": percent
            }
            response: HttpResponse = JsonResponse(
                {"detail": message, "percent": percent, "step": step}, status=503, headers=headers
            )
        else:
            context = {"percent": percent, "step": STEP_LABELS.get(step, step)}
            html = render_to_string("demo_loading.html", context, request=None)
            response = HttpResponse(html, status=503, headers=headers)
        # Expected while loading: not a "Service Unavailable" warning in the console on every refresh.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response


class ServiceUnavailableMiddleware:
    """A lost broker or cache connection that escapes a view is a 503 with a clear message, not a 500.

    Ingest and the pages that only read the cache handle these themselves (see ``abe.cache``); this catches
    the rest, e.g. a button that queues a task while Redis is down.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        import logging

        from django.http import JsonResponse
        from kombu.exceptions import OperationalError as BrokerError
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if _database_busy(exception):
            logging.getLogger(__name__).warning("Database busy, answered 503: %s", exception)
            busy = gettext("The database was busy (a lock wait or a time limit); try again in a few seconds.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": busy}, status=503, headers={"Retry-After": "5"})
            return refusal(request, busy, status=503, headers={"Retry-After": "5"})
        if not isinstance(exception, BrokerError | RedisConnectionError | RedisTimeoutError):
            return None
        logging.getLogger(__name__).error("Background service unavailable: %s", exception)
        message = gettext("The background job service is unavailable; nothing was queued. Try again in a few minutes.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503, headers={"Retry-After": "60"})
        return refusal(request, message, status=503, headers={"Retry-After": "60"})


class ConcurrentDeleteMiddleware:
    """A row deleted by another request while this one worked on it is a 404 or a 409 with a clear message on the
    pages, not a 500 (the API's exception handler answers the same: ``abe.api.exceptions``).

    Views look their object up first (404 when it is not there). A service that locks it again finds it gone when
    a delete committed in between (``DoesNotExist``): the page answers 404, as it would a moment later. A write that
    names a row deleted in between fails at commit on its foreign key (``IntegrityError``, SQLSTATE 23503): 409,
    "reload and try again" (``refusal``: plain text for an htmx panel's form, a page otherwise).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        import logging

        from django.http import Http404
        from django.views.defaults import page_not_found

        from .db import foreign_key_violation

        if isinstance(exception, ObjectDoesNotExist):
            logging.getLogger(__name__).warning("Deleted meanwhile, answered 404: %s", exception)
            return page_not_found(request, Http404())
        if not foreign_key_violation(exception):
            return None
        logging.getLogger(__name__).warning("Deleted meanwhile, answered 409: %s", exception)
        message = gettext(
            "Something this change refers to was deleted by someone else meanwhile; nothing was saved. "
            "Reload the page and try again."
        )
        return refusal(request, message, status=409)


def refusal(request: HttpRequest, message: str, *, status: int, headers: dict[str, str] | None = None) -> HttpResponse:
    """A request the site refuses (409, 503) with the reason people read. To an htmx request, plain text: htmx swaps
    nothing on an error status, and the page's notice shows the text (``static/js/app.js``). To any other (a form
    posted as a whole page, a link followed), a page in the site's layout with the reason and a way back, not a bare
    line of text without the navigation; if that page cannot be drawn (it reads the database, which may be what
    failed), the plain text."""
    import logging

    from django.shortcuts import render
    from django.utils.http import url_has_allowed_host_and_scheme

    plain = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8", headers=headers)
    if request.headers.get("HX-Request") == "true":
        return plain
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
    context = {"message": message, "status": status, "back": referer if safe else ""}
    try:
        response = render(request, "refused.html", context, status=status)
    except Exception:  # the layout's own queries failed too: the reason alone is still better than a 500
        logging.getLogger(__name__).warning("Refusal page not drawn; answered plain text", exc_info=True)
        return plain
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _database_busy(exception: Exception) -> bool:
    """A transient PostgreSQL refusal: a deadlock, a serialisation failure, a lock not available, or a statement
    cancelled by ``statement_timeout`` (abe.db). The request's work was rolled back; trying again is the remedy,
    so it is a 503 with Retry-After rather than a 500."""
    from django.db import OperationalError

    if not isinstance(exception, OperationalError):
        return False
    try:
        from psycopg2 import errors
    except ImportError:  # pragma: no cover - SQLite deployments have none of these
        return False
    transient = (errors.DeadlockDetected, errors.SerializationFailure, errors.LockNotAvailable, errors.QueryCanceled)
    return isinstance(exception.__cause__, transient)


def workspace_pin_on_login(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    """At login, pin the current workspace in the session (the first by name, as the switcher shows them).

    Without it the current workspace would be recomputed per request, and a membership added later in a
    workspace whose name sorts first would move the user there; only the user switches their workspace.
    """
    if request is None or not hasattr(request, "session") or request.session.get(SESSION_KEY):
        return
    first = (
        Membership.objects.filter(user=user)
        .order_by("workspace__name", "pk")
        .values_list("workspace_id", flat=True)
        .first()
    )
    if first is not None:
        request.session[SESSION_KEY] = first
