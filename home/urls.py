from django.urls import path

from . import views

app_name = "home"
urlpatterns = [
    path("my-day/", views.my_day_view, name="my_day"),
    path("pulse/", views.pulse_view, name="pulse"),
]
