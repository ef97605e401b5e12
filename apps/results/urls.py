from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.action_list, name="actions"),
    path("my-actions/", views.my_actions, name="my_actions"),
]
