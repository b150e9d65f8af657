"""The accounts API's fast read path (``abe.api.base.FastReadSerializerMixin``) answers byte for byte what DRF's
own ``to_representation`` answers, on accounts with every field shape, and leaves the OpenAPI schema as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from abe.api.base import FastReadSerializerMixin, _iso_datetime_converter
from accounts.api.serializers import AccountSerializer
from accounts.models import Account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shapes(workspace, admin_user):
    """One account with every nullable field empty, one with every field set (related ids, decimals with and
    without cents, big integers, dates, nested JSON, unicode and markup in text), one in between."""
    empty = AccountFactory(
        workspace=workspace,
        name="Empty",
        domain="",
        industry="",
        country="",
        employees=None,
        annual_revenue=None,
        founded_year=None,
        number_of_offices=None,
        technologies=[],
        fit_score=None,
        win_probability=None,
        priority=None,
        engagement_momentum=None,
        fit_icp_version=None,
        trigger_event_date=None,
    )
    full = AccountFactory(
        workspace=workspace,
        name='Ünïcode "Co" <b>&amp;',
        parent=empty,
        owner=admin_user,
        city="São Paulo",
        region="LATAM",
        employees=123456,
        annual_revenue=Decimal("1234567.50"),
        founded_year=1999,
        ownership_type="public",
        number_of_offices=7,
        technologies=["Salesforce", "Snowflake ☃", ""],
        lifecycle="customer",
        external_id="crm-1",
        fit_score=72.125,
        fit_grade="A",
        win_probability=0.123456789012,
        priority=1e-7,
        tier="strategic",
        tier_locked=True,
        engagement_score=88.0,
        engagement_momentum=-3.25,
        journey_stage="mqa",
        fit_explanation=[{"criterion": "industry", "points": 12.5, "met": True, "note": None}],
        fit_criteria_met=2**40 + 3,
        fit_icp_version=4,
        win_drivers=[{"name": "size", "weight": -0.5}, {"name": "fit", "weight": 1}],
        trigger_event="funding",
        trigger_event_date=dt.date(2026, 1, 2),
    )
    middle = AccountFactory(
        workspace=workspace, annual_revenue=Decimal("10"), tier="standard", fit_score=0.0, priority=0.0
    )
    return [empty, full, middle]


def _drf_representation(self, instance):
    return serializers.ModelSerializer.to_representation(self, instance)


def test_the_list_and_the_detail_are_byte_identical_to_drf(admin_api, shapes, monkeypatch):
    urls = ["/api/v1/accounts/?page_size=100", *[f"/api/v1/accounts/{a.pk}/" for a in shapes]]
    fast = [admin_api.get(url) for url in urls]
    monkeypatch.setattr(FastReadSerializerMixin, "to_representation", _drf_representation)
    plain = [admin_api.get(url) for url in urls]

    assert all(r.status_code == 200 for r in fast + plain)
    assert [r.content for r in fast] == [r.content for r in plain]
    listed = fast[0].json()["results"]
    assert {a["parent"] for a in listed} == {None, shapes[0].pk} and "1234567.50" in fast[0].content.decode()


def test_serialized_rows_are_equal_to_drf_field_by_field(shapes):
    rows = list(Account.objects.filter(pk__in=[a.pk for a in shapes]).order_by("pk"))
    serializer = AccountSerializer(rows, many=True)

    fast = serializer.data
    plain = [_drf_representation(serializer.child, row) for row in rows]

    assert [list(r.items()) for r in fast] == [list(r.items()) for r in plain]
    assert [[type(v) for v in r.values()] for r in fast] == [[type(v) for v in r.values()] for r in plain]


def test_the_columns_of_the_account_take_the_fast_path():
    plan = AccountSerializer()._fast_read_plan()

    slow = [name for name, _read, convert in plan if convert is None]
    assert [name for name, *_ in plan] == list(AccountSerializer().fields)
    assert slow == []


def test_an_instance_of_another_type_goes_through_drf():
    data = {"id": 1, "name": "Dict Co", "technologies": ["a"]}

    class Narrow(FastReadSerializerMixin):
        class Meta:
            model = Account
            fields = ["id", "name", "technologies"]

    assert Narrow(data).data == {"id": 1, "name": "Dict Co", "technologies": ["a"]}


def test_the_openapi_schema_is_unchanged():
    fast = SchemaGenerator().get_schema(request=None, public=True)
    AccountSerializer.__bases__ = (serializers.ModelSerializer,)
    try:
        plain = SchemaGenerator().get_schema(request=None, public=True)
    finally:
        AccountSerializer.__bases__ = (FastReadSerializerMixin,)

    assert fast["components"]["schemas"]["Account"] == plain["components"]["schemas"]["Account"]
    assert fast == plain


def test_the_plan_is_made_once_per_class_without_the_request(shapes, monkeypatch):
    """The second page does not build the serializer's fields again (ModelSerializer's introspection), and the
    shared plan keeps nothing of the request that first needed it."""
    FastReadSerializerMixin._fast_read_plans.pop(AccountSerializer, None)
    rows = list(Account.objects.filter(pk__in=[a.pk for a in shapes]).order_by("pk"))
    first = AccountSerializer(rows, many=True, context={"request": object()}).data
    built = []
    original = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", lambda self: built.append(self) or original(self))

    again = AccountSerializer(rows, many=True).data

    assert again == first and built == []
    plan = FastReadSerializerMixin._fast_read_plans[AccountSerializer]
    owners = [getattr(convert, "__self__", None) for *_, convert in plan]
    assert all(owner is None or not owner.parent.context for owner in owners)


def test_a_serializer_that_makes_its_own_fields_keeps_a_plan_per_instance(shapes):
    class Chosen(FastReadSerializerMixin):
        class Meta:
            model = Account
            fields = ["id", "name", "tier"]

        def get_fields(self):
            fields = super().get_fields()
            if self.context.get("without_tier"):
                fields.pop("tier")
            return fields

    row = Account.objects.get(pk=shapes[1].pk)

    assert Chosen(row).data == {"id": row.pk, "name": row.name, "tier": "strategic"}
    assert Chosen(row, context={"without_tier": True}).data == {"id": row.pk, "name": row.name}
    assert Chosen not in FastReadSerializerMixin._fast_read_plans


@pytest.mark.parametrize("zone", ["UTC", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham"])
@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 12, 3, 7, 45, 1, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
        dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 3, 7, 45),  # naive: DRF's own path
        "2026-12-03T07:45:00Z",
    ],
)
def test_datetimes_are_written_as_drf_writes_them_in_every_time_zone(zone, value):
    from django.utils import timezone

    field = drf_datetime_field()
    fast = _iso_datetime_converter(field)
    with timezone.override(zone):
        try:
            expected = field.to_representation(value)
        except Exception as exc:  # noqa: BLE001 - the same error either way
            with pytest.raises(type(exc)):
                fast(value)
            return
        assert fast(value) == expected


def test_datetime_fields_drf_would_write_otherwise_keep_their_own_method():
    assert _iso_datetime_converter(serializers.DateTimeField(format="%Y-%m-%d")) is None
    assert _iso_datetime_converter(serializers.DateTimeField(default_timezone=dt.UTC)) is None
    assert _iso_datetime_converter(serializers.DateField()) is None
    assert _iso_datetime_converter(drf_datetime_field()) is not None


def drf_datetime_field():
    return serializers.DateTimeField(read_only=True)
