"""Request parsers: JSON that turns every undecodable body into a 400, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """``JSONParser`` that also answers 400 for nesting deeper than Python's recursion limit.

    The standard parser catches ``ValueError`` only; a body nested some thousands of levels deep raises
    ``RecursionError`` inside ``json.loads``.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
