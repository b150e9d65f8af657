"""Home page fragments (loaded by the home page with htmx): "My day" and "Programme pulse"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from abe.http import MemberRequest
from abe.views import workspace_required

from . import selectors


@workspace_required
def my_day_view(request: MemberRequest) -> HttpResponse:
    return render(request, "home/my_day.html", selectors.my_day(workspace=request.workspace, user=request.user))


@workspace_required
def pulse_view(request: MemberRequest) -> HttpResponse:
    return render(request, "home/pulse.html", selectors.programme_pulse(workspace=request.workspace))
