"""Prospecting pages; included by ``accounts/urls.py``, so their names stay in the ``accounts`` namespace."""

from django.urls import path

from . import views as prospecting_views

urlpatterns = [
    path("tiers/", prospecting_views.tier_board_view, name="tier_board"),
    path("tiers/bulk/", prospecting_views.tier_bulk_view, name="tier_bulk"),
    path("tiers/proposals/", prospecting_views.proposal_list_view, name="tier_proposals"),
    path("tiers/rescore/", prospecting_views.rescore_view, name="rescore"),
    path("<int:pk>/panels/fit/", prospecting_views.fit_panel_view, name="panel_fit"),
    path("<int:pk>/panels/win/", prospecting_views.win_panel_view, name="panel_win"),
    path("<int:pk>/panels/tier/", prospecting_views.tier_panel_view, name="panel_tier"),
    path("icp/", prospecting_views.icp_settings_view, name="icp_settings"),
    path("icp/preview/", prospecting_views.prospecting_preview_view, name="prospecting_preview"),
    path("icp/<int:pk>/activate/", prospecting_views.icp_activate_view, name="icp_activate"),
    path("model/", prospecting_views.model_page_view, name="model"),
    path("model/train/", prospecting_views.model_train_view, name="model_train"),
    path("model/<int:pk>/activate/", prospecting_views.model_activate_view, name="model_activate"),
]
