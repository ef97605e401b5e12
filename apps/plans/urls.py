from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("goals/", views.goal_tree, name="goal_tree"),
    path("goals/mine/", views.my_goals, name="my_goals"),
    path("goals/new/", views.goal_new, name="goal_new"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/progress/", views.goal_progress, name="goal_progress"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("strategy/", views.strategy, name="strategy"),
    path("strategy/new/", views.strategy_new, name="strategy_new"),
    path("strategy/<int:pk>/edit/", views.strategy_edit, name="strategy_edit"),
    path("strategy/<int:strategy_pk>/themes/new/", views.theme_new, name="theme_new"),
    path("themes/<int:pk>/edit/", views.theme_edit, name="theme_edit"),
    path("annual/new/", views.annual_plan_new, name="annual_plan_new"),
    path("annual/<int:pk>/edit/", views.annual_plan_edit, name="annual_plan_edit"),
    path("archive/<str:kind>/<int:pk>/", views.archive, name="archive"),
    path("goals/<int:pk>/approve/", views.goal_approve, name="goal_approve"),
    path("goals/<int:pk>/change-request/", views.goal_change_request, name="goal_change_request"),
    path("monthly/", views.my_plan, name="my_plan"),
    path("monthly/start/", views.plan_start, name="plan_start"),
    path("team/", views.team, name="team"),
    path("monthly/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("monthly/<int:pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("monthly/<int:pk>/<str:action>/", views.plan_action, name="plan_action"),
    path("items/<int:item_pk>/result/", views.item_complete, name="item_complete"),
    path("settings/", views.plan_settings, name="settings"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
]
