from django.urls import path

from . import views
from .views import committee as committee_views
from .views import outreach as outreach_views
from .views import plays as play_views

app_name = "content"
urlpatterns = [
    path("", views.content_list_view, name="list"),
    path("new/", views.content_form_view, name="create"),
    path("<int:pk>/edit/", views.content_form_view, name="edit"),
    path("performance/", views.content_performance_view, name="performance"),
    path("settings/", outreach_views.settings_view, name="settings"),
    # Buying committees
    path("committees/", committee_views.heatmap_view, name="heatmap"),
    path("committees/gaps/", committee_views.gaps_view, name="gaps"),
    path("committees/won-lost/", committee_views.won_lost_view, name="won_lost"),
    path("committees/templates/", committee_views.committee_templates_view, name="committee_templates"),
    path(
        "committees/templates/<str:tier>/", committee_views.committee_template_edit_view, name="committee_template_edit"
    ),
    path("accounts/<int:pk>/committee/", committee_views.committee_panel_view, name="panel_committee"),
    path("accounts/<int:pk>/committee/<int:contact_pk>/", committee_views.contact_map_view, name="contact_map"),
    path("accounts/<int:pk>/next-best/", committee_views.next_best_panel_view, name="panel_next_best"),
    path("accounts/<int:pk>/result/", outreach_views.customer_result_view, name="customer_result"),
    path("contacts/<int:pk>/next-best/", committee_views.contact_next_best_view, name="contact_next_best"),
    # Outreach
    path("outreach/", outreach_views.template_list_view, name="templates"),
    path("outreach/new/", outreach_views.template_form_view, name="template_create"),
    path("outreach/<int:pk>/edit/", outreach_views.template_form_view, name="template_edit"),
    path("outreach/<int:pk>/delete/", outreach_views.template_delete_view, name="template_delete"),
    path("outreach/compose/", outreach_views.compose_view, name="compose"),
    path("outreach/log-sent/", outreach_views.log_sent_view, name="log_sent"),
    # Plays
    path("plays/", play_views.play_list_view, name="plays"),
    path("plays/new/", play_views.play_form_view, name="play_create"),
    path("plays/<int:pk>/", play_views.play_detail_view, name="play_detail"),
    path("plays/<int:pk>/edit/", play_views.play_form_view, name="play_edit"),
    path("plays/<int:pk>/delete/", play_views.play_delete_view, name="play_delete"),
    path("plays/<int:pk>/enrol/", play_views.play_enrol_view, name="play_enrol"),
    path("plays/<int:pk>/enrolments/<int:enrolment_pk>/exit/", play_views.play_exit_view, name="play_exit"),
]
