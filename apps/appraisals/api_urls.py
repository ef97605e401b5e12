from django.urls import path

from . import api

urlpatterns = [
    path("cycles/", api.CycleListCreateApi.as_view(), name="api-appraisals-cycles"),
    path("cycles/<int:pk>/", api.CycleDetailApi.as_view(), name="api-appraisals-cycle"),
    path("cycles/<int:pk>/open/", api.CycleOpenApi.as_view(), name="api-appraisals-cycle-open"),
    path("cycles/<int:pk>/blockers/", api.CycleBlockersApi.as_view(), name="api-appraisals-cycle-blockers"),
    path("cycles/<int:pk>/blockers/recheck/", api.CycleBlockersRecheckApi.as_view(),
         name="api-appraisals-cycle-blockers-recheck"),
    path("cycles/<int:pk>/verify/", api.CycleVerifyApi.as_view(), name="api-appraisals-cycle-verify"),
    path("cycles/<int:pk>/publish/", api.CyclePublishApi.as_view(), name="api-appraisals-cycle-publish"),
    path("cycles/<int:pk>/actuals/upload/", api.ActualsUploadApi.as_view(), name="api-appraisals-actuals-upload"),
    path("actuals/uploads/<int:pk>/apply/", api.ActualsUploadApplyApi.as_view(),
         name="api-appraisals-actuals-upload-apply"),
    path("blockers/<int:pk>/remind/", api.BlockerRemindApi.as_view(), name="api-appraisals-blocker-remind"),
    path("schedules/", api.ScheduleListApi.as_view(), name="api-appraisals-schedules"),
    path("", api.AppraisalListApi.as_view(), name="api-appraisals"),
    path("<int:pk>/", api.AppraisalDetailApi.as_view(), name="api-appraisal"),
    path("<int:pk>/verify/", api.AppraisalVerifyApi.as_view(), name="api-appraisal-verify"),
    path("<int:pk>/self-assessment/", api.SelfAssessmentApi.as_view(), name="api-appraisal-self-assessment"),
    path("<int:pk>/manager-scoring/", api.ManagerScoringApi.as_view(), name="api-appraisal-manager-scoring"),
    path("<int:pk>/publish/", api.AppraisalPublishApi.as_view(), name="api-appraisal-publish"),
    path("lines/", api.ActualLineListApi.as_view(), name="api-appraisals-lines"),
    path("lines/<int:pk>/", api.ActualLineDetailApi.as_view(), name="api-appraisals-line"),
    path("lines/<int:pk>/actual/", api.LineActualApi.as_view(), name="api-appraisals-line-actual"),
    path("lines/<int:pk>/return/", api.LineReturnApi.as_view(), name="api-appraisals-line-return"),
    path("lines/<int:pk>/score/", api.LineScoreApi.as_view(), name="api-appraisals-line-score"),
]
