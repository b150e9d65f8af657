from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("", views.task_list_view, name="list"),
    path("<int:pk>/<str:action>/", views.task_action_view, name="action"),
    path("accounts/<int:pk>/panel/", views.account_panel_view, name="account_panel"),
    path("accounts/<int:pk>/new/", views.task_create_view, name="create"),
    path("home/my-tasks/", views.home_my_tasks_view, name="home_my_tasks"),
]
