from django.urls import path

from . import views

app_name = "content"
urlpatterns = [
    path("", views.content_list_view, name="list"),
    path("new/", views.content_form_view, name="create"),
    path("<int:pk>/edit/", views.content_form_view, name="edit"),
]
