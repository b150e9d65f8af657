"""Every field a workspace API accepts reaches its service: a writable serializer field that the create or update
service does not take is a 500 (``TypeError: unexpected keyword argument``) for any client that sends it."""

from __future__ import annotations

import inspect

from django.urls import get_resolver

from abe.api.base import WorkspaceModelViewSet


def _routed_viewsets(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _routed_viewsets(pattern.url_patterns)
        else:
            cls = getattr(pattern.callback, "cls", None)
            if cls is not None and issubclass(cls, WorkspaceModelViewSet):
                yield cls


def test_the_create_and_update_services_take_every_writable_field():
    viewsets = set(_routed_viewsets(get_resolver().url_patterns))
    not_taken = []
    for viewset in sorted(viewsets, key=lambda cls: cls.__name__):
        writable = {field.source for field in viewset.serializer_class().fields.values() if not field.read_only}
        for kind in ("create_service", "update_service"):
            service = getattr(viewset, kind, None)
            if service is None:  # the viewset writes by its own actions
                continue
            parameters = inspect.signature(service).parameters
            if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters.values()):
                continue
            not_taken += [(viewset.__name__, kind, name) for name in sorted(writable - set(parameters))]

    assert len(viewsets) >= 15
    assert not_taken == []
