"""The API's JSON renderer: DRF's ``JSONRenderer`` output, encoded by orjson.

Rendering a 100-account page (110 KB) took 1.97 ms of the accounts API's ~23 ms per request with the standard
library's encoder, and takes 0.45 ms with orjson (docs/performance.md, "Every goal on the twenty-seventh session's
machine", goal 6). The bytes are the ones DRF's renderer gives:

- compact separators, UTF-8 without ``\\u`` escapes (DRF's ``UNICODE_JSON``), U+2028 and U+2029 escaped as DRF
  escapes them (so the output stays a JavaScript subset);
- values orjson does not encode itself go through DRF's own ``JSONEncoder.default``: lazy translations, Decimals,
  UUIDs, querysets, numpy arrays; and so do datetimes, dates and times (``OPT_PASSTHROUGH_DATETIME``), which DRF
  writes with ``Z`` for UTC where orjson writes ``+00:00``;
- dict keys that are not strings (ints, None, booleans) become strings as ``json.dumps`` makes them.

Where orjson cannot say the same thing, DRF's renderer runs instead and its output (or error) is the answer: an
``indent`` asked for in the ``Accept`` header (``application/json; indent=4``) or by the browsable API, an integer
beyond 64 bits, a string with a lone surrogate. Two deliberate differences from the standard library's text, both
the same JSON values: a float is written in its shortest round-trip form (``1e16``, not ``1e+16``), and a float
that is not a number (NaN, infinity) is written ``null`` where DRF's strict renderer raised (a server error).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
    """``JSONRenderer`` encoding with orjson (see the module's docstring for what stays DRF's)."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        if self.ensure_ascii or not self.compact or self.get_indent(accepted_media_type or "", context) is not None:
            return super().render(data, accepted_media_type, context)
        try:
            encoded = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, context)  # DRF's answer, or its error
        if b"\xe2\x80\xa8" in encoded or b"\xe2\x80\xa9" in encoded:
            encoded = encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return encoded
