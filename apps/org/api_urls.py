from django.urls import path

from . import api, api_import

urlpatterns = [
    path("departments/", api.DepartmentListApi.as_view(), name="api-org-departments"),
    path("departments/tree/", api.DepartmentTreeApi.as_view(), name="api-org-department-tree"),
    path("job-levels/", api.JobLevelListApi.as_view(), name="api-org-job-levels"),
    path("positions/", api.PositionListApi.as_view(), name="api-org-positions"),
    path("employees/", api.EmployeeListApi.as_view(), name="api-org-employees"),
    path("employees/<int:pk>/", api.EmployeeDetailApi.as_view(), name="api-org-employee"),
    path("import/", api_import.OrgImportApi.as_view(), name="api-org-import"),
    path("export/", api_import.OrgExportApi.as_view(), name="api-org-export"),
]
