"""Shared API building blocks: workspace-scoped views and viewsets, related fields.

Every API endpoint is served by one of the classes here, and they scope fail-closed: ``get_queryset`` is final
(a subclass that defines it is refused when the class is created); subclasses implement
``get_workspace_queryset(workspace)``, and the result must come from ``Model.objects.for_workspace(workspace)``
(checked on every call: a queryset of a workspace-owned model that is not scoped to the request's workspace is an
error, never a leak). ``tests/abe/test_scoping.py`` walks every URL pattern and fails on an endpoint that is not
served through these classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.utils.translation import gettext
from rest_framework import ISO_8601, mixins, relations, serializers, viewsets
from rest_framework import fields as drf_fields
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.fields import SkipField
from rest_framework.request import Request
from rest_framework.views import APIView

from abe import permissions as rules
from abe.models import Workspace, WorkspaceOwned, queryset_workspace_id


class UnscopedQuerySetError(RuntimeError):
    """A view produced rows of a workspace-owned model without scoping them to the request's workspace."""


def assert_scoped(queryset: QuerySet[Any], workspace: Workspace) -> QuerySet[Any]:
    """``queryset`` unchanged if it is scoped to ``workspace`` (or not of a workspace-owned model); else raise."""
    model = queryset.model
    if model is not None and issubclass(model, WorkspaceOwned) and queryset_workspace_id(queryset) != workspace.pk:
        raise UnscopedQuerySetError(
            f"{model.__name__} rows must come from {model.__name__}.objects.for_workspace(request.workspace)."
        )
    return queryset


class WorkspaceRelatedField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A primary key limited to the request's workspace: another workspace's id reads as “does not exist”."""

    def __init__(self, model: type[Model], **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        workspace = getattr(request, "workspace", None)
        manager: Any = self.model._default_manager
        rows: QuerySet[Any] = manager.none() if workspace is None else manager.for_workspace(workspace)
        return rows


def _identity(value: Any) -> Any:
    return value


# Fields whose ``to_representation`` is exactly one builtin call (DRF's own classes, not subclasses: a subclass may
# override it). Every other field keeps its own bound ``to_representation``.
_PLAIN_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    drf_fields.CharField: str,
    drf_fields.IntegerField: int,
    drf_fields.FloatField: float,
}

# (JSON key, getter, converter) for a field read straight off the instance, or (JSON key, field, None) for one
# read the way DRF does.
_ReadStep = tuple[str, Any, Callable[[Any], Any] | None]


# The same representation as DRF's ``Serializer.to_representation``, without its per-field machinery on the
# columns of the model itself.
#
# DRF reads each field of each row through ``field.get_attribute`` (a list of source attributes walked with
# ``try``/``isinstance``/callable checks; a ``PKOnlyObject`` built per related id) and then
# ``field.to_representation``: for 100 accounts × 34 fields about 13 ms of CPU per API page. Here the plan is
# made once per serializer class (``_read_plan``; the ``many=True`` child serves every row): a field whose source is a
# concrete column of ``Meta.model`` is read with ``attrgetter`` (a foreign key through its ``_id`` attribute, as
# DRF's primary-key optimisation does) and converted with ``str``/``int``/``float`` for DRF's own
# ``CharField``/``IntegerField``/``FloatField`` or with the field's own ``to_representation`` otherwise (dates,
# decimals, choices, JSON, lists); ``None`` stays ``None`` as in DRF. Every other field (a dotted source, a
# method, a custom ``get_attribute``) and any instance that is not of ``Meta.model`` goes through DRF's path.
# Keys come in the same order, so the JSON is byte-identical (``tests/accounts/test_api_fast_read.py``); input,
# validation and the schema are DRF's, unchanged.
# (A comment, not a docstring: drf-spectacular would show a docstring as the description of every serializer
# built on this one, and the OpenAPI document must stay as it was.)
class FastReadSerializerMixin(serializers.ModelSerializer):  # type: ignore[type-arg]
    # The plan of a class whose fields are the same for every instance (it does not override how fields are made),
    # made once per process from a serializer without context: building ``self.fields`` (ModelSerializer's model
    # introspection, ~2.5 ms for the 34 account fields) was most of a small page's serializer time. Only plans made
    # of plain steps are kept here (getters and converters that read nothing but the value); a plan with a step that
    # goes through DRF's own field path stays per instance, since such a field may read the request's context.
    _fast_read_plans: ClassVar[dict[type, list[_ReadStep]]] = {}
    _plans_per_instance: ClassVar[set[type]] = set()

    @classmethod
    def _plan_shared(cls) -> bool:
        return all(
            getattr(cls, name) is getattr(FastReadSerializerMixin, name)
            for name in ("__init__", "fields", "get_fields", "_readable_fields", "get_field_names", "build_field")
        )

    def _fast_read_plan(self) -> list[_ReadStep]:
        model: type[Model] = self.Meta.model
        concrete = {f.name: f for f in model._meta.concrete_fields}
        plan: list[_ReadStep] = []
        for field in self._readable_fields:
            name = str(field.field_name)
            attrs = field.source_attrs
            column = concrete.get(attrs[0]) if len(attrs) == 1 else None
            kind = type(field)
            if column is not None and column.is_relation:
                if (
                    isinstance(field, relations.PrimaryKeyRelatedField)
                    and kind.get_attribute is relations.RelatedField.get_attribute
                    and kind.to_representation is relations.PrimaryKeyRelatedField.to_representation
                    and field.pk_field is None
                    and field.use_pk_only_optimization()
                ):
                    plan.append((name, attrgetter(column.attname), _identity))
                    continue
            elif column is not None and kind.get_attribute is drf_fields.Field.get_attribute:
                convert = _PLAIN_CONVERTERS.get(kind) or _iso_datetime_converter(field) or field.to_representation
                plan.append((name, attrgetter(attrs[0]), convert))
                continue
            plan.append((name, field, None))
        return plan

    def _read_plan(self) -> list[_ReadStep]:
        plan: list[_ReadStep] | None = self.__dict__.get("_fast_read_steps")
        if plan is not None:
            return plan
        cls = type(self)
        plan = FastReadSerializerMixin._fast_read_plans.get(cls)
        if plan is None and cls._plan_shared() and cls not in FastReadSerializerMixin._plans_per_instance:
            shared = cls()._fast_read_plan()  # no context: nothing of this request is kept with the plan
            if all(convert is not None for _, _, convert in shared):
                plan = FastReadSerializerMixin._fast_read_plans[cls] = shared
            else:  # a step reads through DRF's field: not made again without context for every instance
                FastReadSerializerMixin._plans_per_instance.add(cls)
        if plan is None:
            plan = self._fast_read_plan()
        self.__dict__["_fast_read_steps"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if not isinstance(instance, self.Meta.model):
            return dict(super().to_representation(instance))
        ret: dict[str, Any] = {}
        for name, read, convert in self._read_plan():
            if convert is not None:
                value = read(instance)
                ret[name] = None if value is None else convert(value)
                continue
            try:  # DRF's own steps (Serializer.to_representation) for this field
                attribute = read.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else read.to_representation(attribute)
        return ret


def _iso_datetime_converter(field: Any) -> Callable[[Any], Any] | None:
    """DRF's ``DateTimeField.to_representation`` for its default ISO 8601 output, without its per-value setting
    and attribute look-ups: an aware datetime in the current time zone, ``+00:00`` written ``Z``. Anything else
    (a naive or out-of-range datetime, a string) goes to the field's own method, so the output is DRF's exactly.
    None for fields this does not cover (a subclass, another format, a field time zone, ``USE_TZ`` off)."""
    from django.conf import settings as django_settings
    from django.utils import timezone
    from rest_framework.settings import api_settings

    if type(field) is not drf_fields.DateTimeField or hasattr(field, "timezone") or not django_settings.USE_TZ:
        return None
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if not isinstance(output_format, str) or output_format.lower() != ISO_8601:
        return None
    slow = field.to_representation
    current = timezone.get_current_timezone

    def convert(value: Any) -> Any:
        if type(value) is not dt.datetime or value.utcoffset() is None:
            return slow(value)
        try:
            text = value.astimezone(current()).isoformat()
        except OverflowError:
            return slow(value)  # DRF's own error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


class WorkspaceScopedMixin(APIView):
    """What every API view shares: the request's workspace, the scoped queryset, input validation, the actor."""

    #: The model of the rows, for schema generation (which runs without a workspace).
    scoped_model: ClassVar[type[Model] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; implement get_workspace_queryset(workspace) instead."
            )

    @property
    def workspace(self) -> Workspace:
        workspace: Workspace | None = getattr(self.request, "workspace", None)
        if workspace is None:  # the permission classes refuse these first; this is the last line
            raise NotAuthenticated("This needs a workspace: log in or use an API key.")
        return workspace

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[Any]:
        raise NotImplementedError(f"{type(self).__name__} lists no rows.")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """An id in the path that is not a positive integer (``null``, ``1,2``, ``-1``) is a JSON 404, never a 500,
        and a query parameter with a NUL character a 400 naming it.

        Checked after authentication and permissions, so an anonymous caller still gets 401 first.
        """
        super().initial(request, *args, **kwargs)
        for name, value in kwargs.items():
            if (name == "pk" or name.endswith("_pk")) and not (
                isinstance(value, int) or (str(value).isascii() and str(value).isdigit())
            ):
                raise NotFound("Not found in this workspace.")
        # PostgreSQL cannot hold NUL in a string: a filter compared with one was a 500 (?stage=%00).
        with_nul = [
            name for name, values in request.query_params.lists() if "\x00" in name or any("\x00" in v for v in values)
        ]
        if with_nul:
            raise serializers.ValidationError(
                {name.replace("\x00", ""): [gettext("This value contains a NUL character.")] for name in with_nul}
            )

    def get_queryset(self) -> QuerySet[Any]:
        """Final: the subclass's rows, checked to be scoped to the request's workspace."""
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return self._schema_model()._default_manager.none()
        workspace = self.workspace
        return assert_scoped(self.get_workspace_queryset(workspace), workspace)

    def _schema_model(self) -> type[Model]:
        if self.scoped_model is not None:
            return self.scoped_model
        serializer_class: Any = getattr(self, "get_serializer_class", lambda: None)()
        model: type[Model] = serializer_class.Meta.model
        return model

    def validated(self, serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
        """The input validated by ``serializer_class`` (a 400 with field messages otherwise)."""
        serializer = serializer_class(data=data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def actor(self) -> User | None:
        """The signed-in user, or None for an API key (keys act without a user)."""
        user = self.request.user
        return user if isinstance(user, User) and user.is_authenticated else None


class WorkspaceApiView(WorkspaceScopedMixin):
    """A thin API view (no model CRUD): validate with ``self.validated``, call one service, answer."""


class WorkspaceGenericViewSet(WorkspaceScopedMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """A viewset over one workspace's rows; add the DRF mixins it needs and ``get_workspace_queryset``."""


class WorkspaceReadOnlyModelViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, WorkspaceGenericViewSet):
    """List and retrieve one workspace's rows."""


class WorkspaceModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    WorkspaceGenericViewSet,
):
    """CRUD over one workspace's rows: reads from a selector, writes through services.

    Subclasses set ``selector`` (``workspace=`` -> queryset) and the three services. Sales users may only
    change objects whose ``sales_can_edit(user)`` says so; ``account_for_create`` lets a subclass name the
    account a new row hangs on, so that check applies to creation too.
    """

    selector: Callable[..., QuerySet[Any]]
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., None]

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[Any]:
        return type(self).selector(workspace=workspace)

    def check_can_create(self, request: Request, data: dict[str, Any]) -> None:
        account = data.get("account")
        if account is not None and not rules.can_edit_object(request, account):
            raise PermissionDenied(gettext("You can only add to accounts you own or are on the team of."))

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self.check_can_create(self.request, serializer.validated_data)
        created = type(self).create_service(workspace=self.workspace, by=self.actor(), **serializer.validated_data)
        serializer.instance = self._as_listed(created)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        if "account" in serializer.validated_data:
            self.check_can_create(self.request, serializer.validated_data)
        updated = type(self).update_service(serializer.instance, by=self.actor(), **serializer.validated_data)
        serializer.instance = self._as_listed(updated)

    def _as_listed(self, instance: Model) -> Model:
        """The saved row read again through the selector, so a create or update answers the same fields as the list
        and detail (counts the selector annotates, such as a rule's ``fired_count`` or a play's ``active_count``,
        are declared in the schema's response)."""
        listed: Model | None = self.get_queryset().filter(pk=instance.pk).first()
        return listed if listed is not None else instance

    def perform_destroy(self, instance: Model) -> None:
        type(self).delete_service(instance, by=self.actor())
