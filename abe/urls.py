from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import health, views


class FaviconView(RedirectView):
    """Browsers ask for ``/favicon.ico`` on a page that names no icon (the browsable API's pages, a JSON answer):
    the portal's icon, not a 404 in the console. Resolved per request (the static files' manifest may be built
    after the URLs are imported)."""

    permanent = False

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.svg")


settings_patterns = (
    [
        path("", views.settings_index, name="index"),
        path("api-keys/new/", views.api_key_new, name="api_key_new"),
        path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
        path("members/", views.member_set, name="member_set"),
        path("language/", views.workspace_locale_view, name="locale"),
        path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
        path("members/invite/", views.member_invite, name="member_invite"),
        path("invitations/<int:pk>/withdraw/", views.invitation_withdraw_view, name="invitation_withdraw"),
    ],
    "settings",
)

api_v1 = [
    path("", include("abe.api.urls")),
    path("", include("personas.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("work.api.urls")),
    path("", include("content.api.urls")),
    path("", include("engagement.api.urls")),
    path("", include("activation.api.urls")),
    path("", include("keyaccounts.api.urls")),
    path("", include("analytics.api.urls")),
]

urlpatterns = [
    path("", views.home_view, name="home"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workspace/switch/", views.workspace_switch, name="workspace_switch"),
    path("jobs/", views.job_list_view, name="job_list"),
    path("jobs/<int:pk>/", views.job_progress_view, name="job_progress"),
    path("jobs/<int:pk>/restart/", views.job_restart_view, name="job_restart"),
    path("workspace/new/", views.workspace_create_view, name="workspace_create"),
    path("preferences/", views.preferences_view, name="preferences"),
    # The words of static/js in the page's language (gettext in JavaScript; the small djangojs catalogue).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("settings/", include(settings_patterns)),
    path("accounts/", include("accounts.urls")),
    path("personas/", include("personas.urls")),
    path("content/", include("content.urls")),
    path("engagement/", include("engagement.urls")),
    path("analytics/", include("analytics.urls")),
    path("alerts/", include("activation.urls")),
    path("tasks/", include("work.urls")),
    path("home/", include("home.urls")),
    path("key-accounts/", include("keyaccounts.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler404 = "abe.views.page_not_found"
handler500 = "abe.views.server_error"
