"""Import pages; included by ``accounts/urls.py``, so their names stay in the ``accounts`` namespace."""

from django.urls import path

from . import views as import_views

urlpatterns = [
    path("import/", import_views.import_list_view, name="import"),
    path("import/<int:pk>/", import_views.import_detail_view, name="import_detail"),
    path("import/<int:pk>/progress/", import_views.import_progress_view, name="import_progress"),
    path("import/<int:pk>/problems.csv", import_views.import_problems_view, name="import_problems"),
]
