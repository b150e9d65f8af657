"""Shared API building blocks: workspace-scoped viewsets, related fields, and the thin API view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from abe import permissions as rules


class WorkspaceRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key limited to the request's workspace: another workspace's id reads as “does not exist”."""

    def __init__(self, model: type[Model], **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        workspace = getattr(request, "workspace", None)
        if workspace is None:
            return self.model.objects.none()
        return self.model.objects.for_workspace(workspace)


class WorkspaceApiView(APIView):
    def validated(self, serializer_class: type[serializers.Serializer], data: Any) -> dict:
        serializer = serializer_class(data=data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class WorkspaceModelViewSet(viewsets.ModelViewSet):
    """CRUD over one workspace's rows: reads from a selector, writes through services.

    Subclasses set ``selector`` (``workspace=`` -> queryset) and the three services. Sales users may only
    change objects whose ``sales_can_edit(user)`` says so; ``account_for_create`` lets a subclass name the
    account a new row hangs on, so that check applies to creation too.
    """

    selector: Callable[..., QuerySet]
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., None]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return self.get_serializer_class().Meta.model.objects.none()
        return type(self).selector(workspace=self.request.workspace)

    def check_can_create(self, request: Request, data: dict) -> None:
        account = data.get("account")
        if account is not None and not rules.can_edit_object(request, account):
            raise PermissionDenied("You can only add to accounts you own or are on the team of.")

    def actor(self) -> Any:
        user = self.request.user
        return user if user.is_authenticated else None

    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        self.check_can_create(self.request, serializer.validated_data)
        serializer.instance = type(self).create_service(
            workspace=self.request.workspace, by=self.actor(), **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        if "account" in serializer.validated_data:
            self.check_can_create(self.request, serializer.validated_data)
        serializer.instance = type(self).update_service(
            serializer.instance, by=self.actor(), **serializer.validated_data
        )

    def perform_destroy(self, instance: Model) -> None:
        type(self).delete_service(instance, by=self.actor())
