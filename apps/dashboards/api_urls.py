from django.urls import path

from . import api

urlpatterns = [
    path("company/", api.CompanyDashboardApi.as_view(), name="api-dashboards-company"),
    path("departments/", api.DepartmentSummaryListApi.as_view(), name="api-dashboards-departments"),
    path("departments/<int:pk>/", api.DepartmentDashboardApi.as_view(), name="api-dashboards-department"),
    path("teams/<int:pk>/", api.TeamDashboardApi.as_view(), name="api-dashboards-team"),
    path("me/", api.MyTrendApi.as_view(), name="api-dashboards-me"),
    path("cycles/<int:pk>/rollup/", api.CycleRollupApi.as_view(), name="api-dashboards-rollup"),
]
