from django.urls import path

from . import import_views, prospecting_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list_view, name="list"),
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
    # Prospecting
    path("tiers/", prospecting_views.tier_board_view, name="tier_board"),
    path("tiers/bulk/", prospecting_views.tier_bulk_view, name="tier_bulk"),
    path("tiers/proposals/", prospecting_views.proposal_list_view, name="tier_proposals"),
    path("tiers/rescore/", prospecting_views.rescore_view, name="rescore"),
    path("<int:pk>/panels/fit/", prospecting_views.fit_panel_view, name="panel_fit"),
    path("<int:pk>/panels/win/", prospecting_views.win_panel_view, name="panel_win"),
    path("<int:pk>/panels/tier/", prospecting_views.tier_panel_view, name="panel_tier"),
    path("icp/", prospecting_views.icp_settings_view, name="icp_settings"),
    path("views/<int:pk>/", views.saved_view_open_view, name="saved_view"),
    path("views/save/", views.saved_view_save_view, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete_view, name="saved_view_delete"),
    path("icp/<int:pk>/activate/", prospecting_views.icp_activate_view, name="icp_activate"),
    path("model/", prospecting_views.model_page_view, name="model"),
    path("model/train/", prospecting_views.model_train_view, name="model_train"),
    path("model/<int:pk>/activate/", prospecting_views.model_activate_view, name="model_activate"),
    path("import/", import_views.import_list_view, name="import"),
    path("import/<int:pk>/", import_views.import_detail_view, name="import_detail"),
    path("import/<int:pk>/progress/", import_views.import_progress_view, name="import_progress"),
]
