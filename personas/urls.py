from django.urls import path

from . import views

app_name = "personas"
urlpatterns = [
    path("", views.persona_list_view, name="list"),
    path("new/", views.persona_form_view, name="create"),
    path("<int:pk>/edit/", views.persona_form_view, name="edit"),
    path("<int:pk>/delete/", views.persona_delete_view, name="delete"),
]
