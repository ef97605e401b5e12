from django.urls import path

from . import api

urlpatterns = [
    path("strategies/", api.StrategyListApi.as_view(), name="api-plans-strategies"),
    path("strategies/<int:pk>/", api.StrategyDetailApi.as_view(), name="api-plans-strategy"),
    path("strategies/<int:pk>/archive/", api.StrategyArchiveApi.as_view(), name="api-plans-strategy-archive"),
    path("strategies/<int:pk>/themes/", api.ThemeCreateApi.as_view(), name="api-plans-themes"),
    path("themes/<int:pk>/", api.ThemeDetailApi.as_view(), name="api-plans-theme"),
    path("themes/<int:pk>/archive/", api.ThemeArchiveApi.as_view(), name="api-plans-theme-archive"),
    path("annual-plans/", api.AnnualPlanListApi.as_view(), name="api-plans-annual-plans"),
    path("annual-plans/<int:pk>/", api.AnnualPlanDetailApi.as_view(), name="api-plans-annual-plan"),
    path("annual-plans/<int:pk>/archive/", api.AnnualPlanArchiveApi.as_view(), name="api-plans-annual-plan-archive"),
    path("goals/", api.GoalListApi.as_view(), name="api-plans-goals"),
    path("goals/tree/", api.GoalTreeApi.as_view(), name="api-plans-goal-tree"),
    path("goals/<int:pk>/", api.GoalDetailApi.as_view(), name="api-plans-goal"),
    path("goals/<int:pk>/progress/", api.GoalProgressApi.as_view(), name="api-plans-goal-progress"),
    path("goals/<int:pk>/approve/", api.GoalApproveApi.as_view(), name="api-plans-goal-approve"),
    path("goals/<int:pk>/change-request/", api.GoalChangeRequestApi.as_view(), name="api-plans-goal-change-request"),
    path("monthly/", api.MonthlyPlanListApi.as_view(), name="api-plans-monthly"),
    path("monthly/bulk-confirm/", api.PlanBulkConfirmApi.as_view(), name="api-plans-monthly-bulk-confirm"),
    path("monthly/<int:pk>/", api.MonthlyPlanDetailApi.as_view(), name="api-plans-monthly-detail"),
    path("monthly/<int:pk>/items/", api.MonthlyPlanItemsApi.as_view(), name="api-plans-monthly-items"),
    path("monthly/<int:pk>/submit/", api.PlanSubmitApi.as_view(), name="api-plans-monthly-submit"),
    path("monthly/<int:pk>/return/", api.PlanReturnApi.as_view(), name="api-plans-monthly-return"),
    path("monthly/<int:pk>/confirm/", api.PlanConfirmApi.as_view(), name="api-plans-monthly-confirm"),
    path("monthly/<int:pk>/reopen/", api.PlanReopenApi.as_view(), name="api-plans-monthly-reopen"),
    path("monthly/<int:pk>/carry-forward/", api.PlanCarryForwardApi.as_view(), name="api-plans-monthly-carry"),
    path("items/<int:pk>/result/", api.PlanItemResultApi.as_view(), name="api-plans-item-result"),
    path("acknowledgements/", api.AcknowledgementApi.as_view(), name="api-plans-acknowledgements"),
    path("settings/", api.PlanSettingsApi.as_view(), name="api-plans-settings"),
]
