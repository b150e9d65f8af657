"""Content negotiation for lists that have a filter called ``format``.

DRF reads a ``format`` query parameter as the renderer to answer with (``URL_FORMAT_OVERRIDE``), before any filter:
``/api/v1/content-assets/?format=video`` looked for a renderer called ``video`` and answered 404, so the documented
filter worked only for ``format=json`` (and there it was not applied). On these lists the parameter is the filter,
and the renderer comes from the ``Accept`` header alone."""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings


class _SettingsWithoutFormatOverride:
    """DRF's API settings, with no query parameter naming the renderer."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name: str) -> Any:
        return getattr(api_settings, name)


class FormatIsAFilter(DefaultContentNegotiation):
    settings = _SettingsWithoutFormatOverride()  # type: ignore[assignment]  # read by attribute, as DRF's
