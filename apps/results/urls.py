from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.grid, name="grid"),
    path("reviews/<int:pk>/export.xlsx", views.grid_export, name="export"),
    path("reviews/<int:pk>/grid.pdf", views.grid_pdf, name="pdf"),
    path("reviews/<int:pk>/settings/", views.review_settings, name="settings"),
    path("people/<int:pk>/", views.placement_detail, name="placement"),
    path("people/<int:pk>/rate/", views.placement_rate, name="rate"),
    path("people/<int:pk>/override/", views.placement_override, name="override"),
    path("people/<int:pk>/actions/", views.action_add, name="action_add"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_step, name="action_step"),
    path("my-actions/", views.my_actions, name="my_actions"),
]
