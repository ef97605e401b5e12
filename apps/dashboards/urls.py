from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("company/", views.company, name="company"),
    path("departments/<int:pk>/", views.department, name="department"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("me/", views.my_trend, name="me"),
    path("cycles/<int:pk>/rollup/", views.rollup_now, name="rollup"),
]
