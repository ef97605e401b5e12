from django.urls import path

from . import views, views_import

app_name = "org"
urlpatterns = [
    path("", views.org_chart, name="chart"),
    path("directory/", views.directory, name="directory"),
    path("employees/<int:pk>/", views.employee_detail, name="employee"),
    path("job-levels/", views.job_levels, name="job_levels"),
    path("import/", views_import.import_upload, name="import"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path("import/template/", views_import.import_template, name="import_template"),
    path("export/", views_import.export, name="export"),
]
