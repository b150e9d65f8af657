"""Content negotiation for lists that have a filter called ``format``.

DRF reads a ``format`` query parameter as the renderer to answer with (``URL_FORMAT_OVERRIDE``), before any filter:
``/api/v1/content-assets/?format=video`` looked for a renderer called ``video`` and answered 404, so the documented
filter worked only for ``format=json`` (and there it was not applied). On these lists the parameter is the filter,
and the renderer comes from the ``Accept`` header alone. Their browsable pages (:class:`BrowsableAPIRenderer`) offer
no ``?format=json`` link either: it would filter by a format called "json" (a 400 on the content library)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings


class _SettingsWithoutFormatOverride:
    """DRF's API settings, with no query parameter naming the renderer."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name: str) -> Any:
        return getattr(api_settings, name)


class FormatIsAFilter(DefaultContentNegotiation):
    settings = _SettingsWithoutFormatOverride()  # type: ignore[assignment]  # read by attribute, as DRF's


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API. On a list whose ``format`` parameter is a filter (:class:`FormatIsAFilter`), the page's
    GET button has no menu of formats: DRF's template builds each entry as a ``?format=`` link, which there would
    filter the list instead of choosing the renderer."""

    def get_context(
        self, data: Any, accepted_media_type: str | None, renderer_context: Mapping[str, Any]
    ) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(data, accepted_media_type, renderer_context)
        negotiation = getattr(renderer_context.get("view"), "content_negotiation_class", None)
        if isinstance(negotiation, type) and issubclass(negotiation, FormatIsAFilter):
            context["api_settings"] = FormatIsAFilter.settings  # no format override: the template leaves the menu out
        return context
