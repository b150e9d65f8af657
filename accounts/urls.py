from django.urls import path

from . import views
from .imports import urls as imports_urls
from .prospecting import urls as prospecting_urls

app_name = "accounts"
urlpatterns = [
    path("", views.account_list_view, name="list"),
    path("contacts/", views.contact_list_view, name="contacts"),
    path("new/", views.account_create_view, name="create"),
    path("<int:pk>/", views.account_detail_view, name="detail"),
    path("<int:pk>/edit/", views.account_edit_view, name="edit"),
    path("<int:pk>/delete/", views.account_delete_view, name="delete"),
    path("<int:pk>/contacts/new/", views.contact_form_view, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_form_view, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete_view, name="contact_delete"),
    path("<int:pk>/team/new/", views.team_member_add_view, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/remove/", views.team_member_remove_view, name="team_remove"),
    path("<int:pk>/opportunities/new/", views.opportunity_form_view, name="opportunity_create"),
    path("<int:pk>/opportunities/<int:opportunity_pk>/edit/", views.opportunity_form_view, name="opportunity_edit"),
    path(
        "<int:pk>/opportunities/<int:opportunity_pk>/contacts/add/",
        views.opportunity_contact_add_view,
        name="opportunity_contact_add",
    ),
    path(
        "<int:pk>/opportunities/<int:opportunity_pk>/contacts/<int:role_pk>/remove/",
        views.opportunity_contact_remove_view,
        name="opportunity_contact_remove",
    ),
    *prospecting_urls.urlpatterns,
    path("views/<int:pk>/", views.saved_view_open_view, name="saved_view"),
    path("views/save/", views.saved_view_save_view, name="saved_view_save"),
    path("columns/<str:list_name>/", views.column_choice_view, name="column_choice"),
    path("views/<int:pk>/delete/", views.saved_view_delete_view, name="saved_view_delete"),
    *imports_urls.urlpatterns,
]
