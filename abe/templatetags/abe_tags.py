from __future__ import annotations

import json
import re
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.template import Context
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from abe import l10n, labels
from abe.paging import whole_number

register = template.Library()


# What Django's json_script escapes: a value inside a <script> cannot close it ("</script>") or open a comment.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def script_json(value: Any) -> SafeString:
    """A value as a JavaScript literal to write inside a <script>: JSON with <, > and & escaped, so a name
    someone typed (a journey stage's, in a chart's labels) stays data."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES))  # noqa: S308  # escaped


@register.simple_tag
def url_if_exists(name: str) -> str:
    """The URL of a named page, or "" while the app that serves it is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """A ratio as a percentage in the active language's format (12.5% / 12,5 %)."""
    return l10n.percent(value, digits)


@register.filter
def compact_money(value: Any) -> str:
    """A short amount in the workspace's currency ($1.2M, 1,2 M €)."""
    return l10n.compact_money(value)


@register.filter
def money(value: Any, digits: int = 0) -> str:
    """An amount in the workspace's currency, in the active language's format ($1,234 / 1.234 €)."""
    return l10n.money(value, int(digits))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def sort_query(context: Any, key: str) -> str:
    """The query string that sorts by ``key`` (toggling direction if already sorted by it), on page 1."""
    request = context["request"]
    current = context.get("sort") or ""
    params = request.GET.copy()
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + str(params.urlencode())


@register.simple_tag(takes_context=True)
def sort_th(context: Any, key: str, label: str, target: str, cls: str = "", col: str = "") -> SafeString:
    """A sortable column header: a link that sorts by ``key`` (toggling the direction when already sorted by it)
    and swaps ``target`` through htmx, marked with an arrow when the list is sorted by it. ``col`` names the
    column for the column chooser. One tag instead of one template include per header (~70 µs each: the tier
    board has ten)."""
    query = sort_query(context, key)
    current = context.get("sort") or ""
    arrow = "\u00a0↑" if current == key else "\u00a0↓" if current == f"-{key}" else ""
    return format_html(
        '<th class="{}"{}><a href="{}" hx-get="{}" hx-target="{}" hx-push-url="true" class="{}">{}{}</a></th>',
        cls,
        format_html(' data-col="{}"', col) if col else "",
        query,
        query,
        target,
        "sorted" if arrow else "",
        label,
        arrow,
    )


@register.filter
def person(user: Any) -> str:
    """A user's full name, else username, else an em dash (no user: ``None``, or the empty string a template gives for
    a missing object's attribute, as ``step.row.owner`` where the step has no row)."""
    if not user:
        return "—"
    return str(user.get_full_name() or user.username)


# A tier label's audience: "Standard (1:many)", "Estándar (1:muchos)", "Prioritară (1:câteva)".
_TIER_AUDIENCE = re.compile(r"\s*\(1:[^)]*\)\s*$")


@register.filter
def tier_short(label: Any) -> str:
    """A tier's label without its audience, as the lists' pills show it: "Estándar (1:muchos)" -> "Estándar" (in
    every language; cutting the English " (1:many)" left the other languages' audiences in)."""
    return _TIER_AUDIENCE.sub("", str(label))


@register.filter
def stage_label(key: str | None) -> str:
    """A journey-stage key as people read it: ``mqa`` -> ``MQA``, ``sales_ready`` -> ``Sales ready``."""
    return labels.stage_label(key)


def _query_with(request: HttpRequest, **changes: object) -> str:
    params = request.GET.copy()
    for name in ("export", "format", "_"):
        params.pop(name, None)
    for name, value in changes.items():
        if value is None or (name == "page" and str(value) == "1"):
            params.pop(name, None)
        else:
            params[name] = str(value)
    encoded = params.urlencode()
    return "?" + encoded if encoded else "?"


@register.simple_tag(takes_context=True)
def page_url(context: Context, number: int) -> str:
    """The query string of page ``number`` of the current list: every other parameter (filters, sort, page size)
    kept, exactly one leading ``?``."""
    return _query_with(context["request"], page=number)


@register.simple_tag(takes_context=True)
def export_url(context: Context, kind: str, format: str = "") -> str:
    """The query string of the current list's export ``kind`` (``csv``, ``contacts``), its filters and sort kept, the
    page and page size left out; ``format="neutral"`` for the neutral file. app.js keeps links carrying
    ``data-export`` in step with a filter changed in place (htmx pushes the URL, not the page's other links)."""
    return _query_with(context["request"], page=None, per_page=None, export=kind, format=format or None)


@register.simple_tag(takes_context=True)
def per_page_url(context: Context, size: int) -> str:
    """The query string of page 1 of the current list shown ``size`` rows a page."""
    return _query_with(context["request"], page=None, per_page=size)


def _flag(value: object) -> bool:
    return bool(value() if callable(value) else value)


@register.simple_tag
def pager_info(page_obj: Any) -> dict[str, Any]:
    """What the shared pager shows, for a Django ``Page`` or a page with a bounded count (``total``)."""
    if hasattr(page_obj, "paginator"):
        total, capped = page_obj.paginator.count, False
        num_pages = page_obj.paginator.num_pages
        per_page = page_obj.paginator.per_page
        start, end = page_obj.start_index(), page_obj.end_index()
    else:
        total, capped = page_obj.total, page_obj.total_capped
        num_pages = None if capped else max(1, -(-total // page_obj.per_page))
        per_page = page_obj.per_page
        start, end = page_obj.start_index, page_obj.end_index
    return {
        "total": total,
        "capped": capped,
        "num_pages": num_pages,
        "per_page": per_page,
        "number": page_obj.number,
        "start": start,
        "end": end,
        "previous": page_obj.number - 1 if _flag(page_obj.has_previous) else None,
        "next": page_obj.number + 1 if _flag(page_obj.has_next) else None,
    }


def _pager_link(url: str, text: Any, target: Any, select: Any, attrs: str = "") -> SafeString:
    """``<a href=url>text</a>`` (``attrs``: our own constant attributes), swapping ``target`` through htmx when the
    list has one, and only the part ``select`` names when it says so."""
    htmx = SafeString("")
    if target:
        htmx = format_html(' hx-get="{}" hx-target="{}" hx-push-url="true"', url, target)
        if select:
            htmx += format_html(' hx-select="{}" hx-swap="outerHTML"', select)
    return format_html('<a{} href="{}"{}>{}</a>', mark_safe(attrs), url, htmx, text)  # noqa: S308  # attrs: ours


@register.simple_tag(takes_context=True)
def pager(context: Context, page_obj: Any) -> SafeString:
    """The shared pager (templates/includes/pager.html): "1–25 of 1,000+", previous and next, the page sizes.

    Reads ``pager_id``, ``target`` and ``select`` (htmx: the element the pages swap) and ``page_sizes`` from the
    including template. Built in Python: as a template it cost ~0.6 ms per page of a list (translations, number
    formats, three links), for the same markup (tests/abe/test_pager_tag.py renders both)."""
    if not page_obj:
        return mark_safe("")  # noqa: S308  # nothing (the including template adds its own line end)
    p = pager_info(page_obj)
    target, select, pager_id = context.get("target"), context.get("select"), context.get("pager_id")
    if p["total"]:
        count = mark_safe(  # noqa: S308  # the values are escaped, the message is ours
            gettext("%(start)s–%(end)s of %(total)s")
            % {k: conditional_escape(intcomma(p[k])) for k in ("start", "end", "total")}
        ) + ("+" if p["capped"] else "")
    else:
        count = gettext("0 results")
    previous = current = following = ""
    if p["previous"]:
        url = page_url(context, p["previous"])
        previous = _pager_link(url, gettext("← Previous"), target, select, ' class="btn small" rel="prev"')
    if p["previous"] or p["next"]:
        of = ""
        if p["num_pages"]:
            of = " " + gettext("of %(num_pages)s") % {"num_pages": conditional_escape(intcomma(p["num_pages"]))}
        current = mark_safe(  # noqa: S308  # the numbers are escaped, the messages are ours
            '<span class="btn small" aria-current="page">'
            + gettext("Page %(number)s") % {"number": conditional_escape(intcomma(p["number"]))}
            + of
            + "</span>"
        )
    if p["next"]:
        url = page_url(context, p["next"])
        following = _pager_link(url, gettext("Next →"), target, select, ' class="btn small" rel="next"')
    sizes = ""
    if p["total"] > 25:
        links = []
        for size in split_csv(context.get("page_sizes") or "25,50,100"):
            if size == p["per_page"]:
                links.append(format_html('<strong aria-current="true">{}</strong>', size))
            else:
                links.append(_pager_link(per_page_url(context, size), size, target, select))
        sizes = format_html(
            '<span class="page-sizes muted small">{} {} {}</span>',
            gettext("Show"),
            mark_safe(" · ".join(links)),  # noqa: S308  # each link built by format_html
            gettext("a page"),
        )
    return format_html(
        '\n<nav class="pager" aria-label="{}"{}>\n  <span class="pager-count">{}</span>\n  <span class="pages">\n'
        "    {}\n    {}\n    {}\n  </span>\n  {}\n</nav>\n",
        gettext("Pages"),
        format_html(' id="{}"', pager_id) if pager_id else "",
        count,
        previous,
        current,
        following,
        sizes,
    )


@register.filter
def split_csv(value: object) -> list[int]:
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [n for v in str(value).split(",") if (n := whole_number(v.strip())) is not None]


@register.filter
def signed_percent(value: float | str | None, digits: int = 0) -> str:
    """A change as a signed percentage (``+12%``, ``−4%``), or "—" when unknown."""
    return labels.signed_percent(value, digits)


@register.filter
def number(value: float | int | str | None, digits: int = 0) -> str:
    """One number format: thousands separators, "—" for unknown."""
    return labels.number(value, digits)
