"""The API's JSON renderer (``abe.api.renderers.FastJSONRenderer``): orjson's encoding, DRF's JSON.

The bytes must be DRF's ``JSONRenderer``'s for everything the API sends (checked on real responses and on values
of every kind DRF's encoder knows), and where orjson cannot say the same thing DRF's renderer answers instead."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import numpy as np
import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from abe.api.renderers import FastJSONRenderer
from accounts.models import Tier
from tests.factories import AccountFactory, ContactFactory

UTC = dt.UTC
fast, drf = FastJSONRenderer(), JSONRenderer()


def test_values_of_every_kind_drfs_encoder_knows_come_out_as_drf_writes_them():
    data = {
        "aware": dt.datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC),  # DRF writes "Z", orjson "+00:00"
        "other_zone": dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "naive": dt.datetime(2026, 12, 6, 9, 30),
        "day": dt.date(2026, 2, 28),
        "time": dt.time(9, 30, 1),
        "span": dt.timedelta(hours=1, seconds=3),
        "money": Decimal("1234.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Strategic (1:1)"),
        "choice": Tier.STRATEGIC,
        "array": np.array([1, 2, 3]),
        "float64": np.float64(0.25),
        "tuple": (1, "a", None),
        "bytes": b"plain",
        "nested": ReturnDict({"a": [{"b": 1.5, "c": True}]}, serializer=None),
        "text": "Société Générale — “quoted” \\ / \t \n \x07 😀",
        "line_separators": "a\u2028b\u2029c",
        "numbers": [0, -1, 2**63 - 1, -(2**63), 0.1, -0.0, 1.0, 123456.789],
        1: "int key",
        None: "None key",
        2.5: "float key",
    }
    out = fast.render(data)
    assert out == drf.render(data)
    assert b"\\u2028" in out and b"\xe2\x80\xa8" not in out  # a JavaScript subset, as DRF keeps it


def test_what_orjson_cannot_say_is_answered_by_drfs_renderer():
    assert fast.render({"big": 2**70}) == drf.render({"big": 2**70})  # beyond 64 bits
    indented = fast.render({"a": [1, 2]}, "application/json; indent=4")
    assert indented == drf.render({"a": [1, 2]}, "application/json; indent=4")
    assert b"\n    " in indented
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate: DRF's error, as before
        fast.render({"s": "\ud800"})
    with pytest.raises(TypeError):  # a value no encoder knows: DRF's error, as before
        fast.render({"x": object()})
    assert fast.render(None) == b""


def test_a_float_that_is_no_number_is_null_where_drfs_strict_renderer_raised():
    with pytest.raises(ValueError):
        drf.render({"x": float("nan")})
    assert fast.render({"x": float("nan"), "y": float("inf")}) == b'{"x":null,"y":null}'


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_means_the_same_as_drfs_text(value):
    value = [value]  # a bare None renders as no body at all, with either renderer
    assert json.loads(fast.render(value)) == json.loads(drf.render(value))


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(),
        lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
        max_leaves=30,
    )
)
def test_without_floats_the_bytes_are_drfs(value):
    try:
        expected = drf.render(value)
    except UnicodeEncodeError:  # a lone surrogate: both refuse
        with pytest.raises(UnicodeEncodeError):
            fast.render(value)
        return
    assert fast.render(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/?page_size=100",
        "/api/v1/contacts/",
        "/api/v1/accounts/?page_size=x",
        "/api/v1/accounts/999999999/",
    ],
)
def test_the_api_answers_with_drfs_bytes(admin_api, workspace, path):
    for i in range(3):
        account = AccountFactory(workspace=workspace, name=f"Société {i} “Ltd”", annual_revenue=Decimal("1250000.00"))
        ContactFactory(workspace=workspace, account=account)
    response = admin_api.get(path)
    assert response["Content-Type"] == "application/json"
    assert type(response.accepted_renderer) is FastJSONRenderer
    assert response.content == drf.render(response.data)
