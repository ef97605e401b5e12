from django.urls import path

from . import api

urlpatterns = [
    path("records/", api.RecordListCreateApi.as_view(), name="api-coaching-records"),
    path("records/<int:pk>/", api.RecordDetailApi.as_view(), name="api-coaching-record"),
    path("records/<int:pk>/responses/", api.RecordResponseApi.as_view(), name="api-coaching-record-responses"),
    path("records/<int:pk>/addenda/", api.RecordAddendumApi.as_view(), name="api-coaching-record-addenda"),
    path("records/<int:pk>/attachments/", api.RecordAttachmentsApi.as_view(), name="api-coaching-record-attachments"),
    path("records/<int:pk>/acknowledge/", api.RecordAcknowledgeApi.as_view(), name="api-coaching-record-acknowledge"),
    path("records/<int:pk>/signature/", api.RecordSignatureApi.as_view(), name="api-coaching-record-signature"),
    path("records/<int:pk>/follow-up-done/", api.RecordFollowUpDoneApi.as_view(),
         name="api-coaching-record-follow-up-done"),
    path("progress-reports/", api.ProgressReportListCreateApi.as_view(), name="api-coaching-reports"),
    path("progress-reports/<int:pk>/answer/", api.ProgressReportAnswerApi.as_view(), name="api-coaching-report-answer"),
    path("files/<int:employee_pk>/", api.PerformanceFileApi.as_view(), name="api-coaching-file"),
    path("settings/", api.SettingsApi.as_view(), name="api-coaching-settings"),
]
