from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.org_chart, name="chart"),
    path("directory/", views.directory, name="directory"),
    path("employees/<int:pk>/", views.employee_detail, name="employee"),
    path("job-levels/", views.job_levels, name="job_levels"),
]
