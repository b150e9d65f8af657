from django.urls import path

from . import views

app_name = "keyaccounts"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("accounts/<int:account_pk>/plan/new/", views.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/", views.plan_view, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit_view, name="plan_edit"),
    path("plans/<int:pk>/print/", views.plan_print_view, name="plan_print"),
    path("plans/<int:pk>/<str:kind>/<int:item_pk>/", views.plan_item_view, name="plan_item"),
    path("pareto/", views.pareto_view, name="pareto"),
    path("accounts/<int:account_pk>/propose/", views.propose_view, name="propose"),
    path("qualification/", views.qualification_view, name="qualification"),
    path("opportunities/<int:pk>/", views.opportunity_view, name="opportunity"),
    path("post-sale/", views.postsale_view, name="postsale"),
    path("settings/", views.settings_view, name="settings"),
    path("feeds/<int:pk>/", views.feed_action_view, name="feed_action"),
    path("products/", views.products_view, name="products"),
    path("products/<int:pk>/", views.product_edit_view, name="product_edit"),
    path("accounts/<int:pk>/panels/plan/", views.panel_plan_view, name="panel_plan"),
    path("accounts/<int:pk>/panels/post-sale/", views.panel_postsale_view, name="panel_postsale"),
    path("accounts/<int:pk>/panels/news/", views.panel_news_view, name="panel_news"),
    path("home/reviews/", views.home_reviews_view, name="home_reviews"),
]
