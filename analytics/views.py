from django.http import HttpResponse
from django.shortcuts import render

from abe.http import MemberRequest
from abe.views import workspace_required

from .selectors import programme_overview


@workspace_required
def overview_view(request: MemberRequest) -> HttpResponse:
    return render(request, "analytics/overview.html", {"o": programme_overview(workspace=request.workspace)})
