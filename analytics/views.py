from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from abe.views import workspace_required

from .selectors import programme_overview


@workspace_required
def overview_view(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/overview.html", {"o": programme_overview(workspace=request.workspace)})
