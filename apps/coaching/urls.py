from django.urls import path

from . import views

app_name = "coaching"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/", views.record_create, name="create"),
    path("report/", views.report_create, name="report"),
    path("team/", views.team, name="team"),
    path("settings/", views.settings_view, name="settings"),
    path("file/", views.my_file, name="my_file"),
    path("file/<int:employee_pk>/", views.performance_file, name="file"),
    path("file/<int:employee_pk>/pdf/", views.performance_file_pdf, name="file_pdf"),
    path("records/<int:pk>/", views.record_detail, name="detail"),
    path("records/<int:pk>/correct/", views.record_correct, name="correct"),
    path("records/<int:pk>/addendum/", views.record_addendum, name="addendum"),
    path("records/<int:pk>/respond/", views.record_respond, name="respond"),
    path("records/<int:pk>/answer/", views.record_answer, name="answer"),
    path("records/<int:pk>/sign/", views.record_sign, name="sign"),
    path("records/<int:pk>/acknowledge/", views.record_acknowledge, name="acknowledge"),
    path("records/<int:pk>/follow-up-done/", views.record_follow_up_done, name="follow_up_done"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
