from django.urls import path

from . import views

app_name = "pay"
urlpatterns = [
    path("", views.home, name="home"),
    path("runs/", views.runs, name="runs"),
    path("runs/compute/", views.run_compute, name="run_compute"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/submit/", views.run_submit, name="run_submit"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("runs/<int:pk>/return/", views.run_return, name="run_return"),
    path("runs/<int:pk>/release/", views.run_release, name="run_release"),
    path("runs/<int:pk>/export.<str:fmt>", views.run_export, name="run_export"),
    path("mine/", views.mine, name="mine"),
    path("data/", views.data, name="data"),
    path("data/import/", views.data_import, name="data_import"),
    path("data/<int:employee_pk>/", views.data_edit, name="data_edit"),
    path("cycles/<int:cycle_pk>/", views.cycle_settings, name="cycle_settings"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/<str:action>/", views.proposal_decide, name="proposal_decide"),
    path("teams/", views.teams, name="teams"),
    path("teams/evaluate/", views.team_evaluate, name="team_evaluate"),
    path("teams/rules/new/", views.team_rule, name="team_rule_new"),
    path("teams/rules/<int:pk>/", views.team_rule, name="team_rule"),
    path("teams/<int:pk>/", views.team_result, name="team"),
]
