from django.urls import path

from . import api

urlpatterns = [
    path("", api.InterviewListCreateApi.as_view(), name="api-interviews"),
    path("<int:pk>/", api.InterviewDetailApi.as_view(), name="api-interview"),
    path("<int:pk>/schedule/", api.InterviewScheduleApi.as_view(), name="api-interview-schedule"),
    path("<int:pk>/invitation.ics", api.InterviewIcsApi.as_view(), name="api-interview-ics"),
    path("<int:pk>/manager-prep/", api.ManagerPrepApi.as_view(), name="api-interview-manager-prep"),
    path("<int:pk>/employee-prep/", api.EmployeePrepApi.as_view(), name="api-interview-employee-prep"),
    path("<int:pk>/employee-prep/share/", api.EmployeePrepShareApi.as_view(), name="api-interview-employee-prep-share"),
    path("<int:pk>/record/", api.RecordApi.as_view(), name="api-interview-record"),
    path("<int:pk>/record/submit/", api.RecordSubmitApi.as_view(), name="api-interview-submit"),
    path("<int:pk>/record/sign/", api.RecordSignApi.as_view(), name="api-interview-sign"),
    path("<int:pk>/record/addenda/", api.AddendumApi.as_view(), name="api-interview-addenda"),
    path("<int:pk>/reassign/", api.ReassignApi.as_view(), name="api-interview-reassign"),
    path("actions/", api.ActionListApi.as_view(), name="api-interview-actions"),
    path("actions/<int:pk>/progress/", api.ActionProgressApi.as_view(), name="api-interview-action-progress"),
    path("actions/<int:pk>/confirm/", api.ActionConfirmApi.as_view(), name="api-interview-action-confirm"),
    path("revisions/<int:pk>/decide/", api.RevisionDecideApi.as_view(), name="api-interview-revision-decide"),
    path("completion/", api.CompletionApi.as_view(), name="api-interviews-completion"),
    path("cycles/<int:pk>/policy/", api.CyclePolicyApi.as_view(), name="api-interviews-cycle-policy"),
    path("stats/", api.StatsApi.as_view(), name="api-interviews-stats"),
    path("new-hires/", api.NewHireListApi.as_view(), name="api-interviews-new-hires"),
    path("goal-talks/", api.GoalTalkCreateApi.as_view(), name="api-interviews-goal-talks"),
    path("goal-talks/<int:pk>/acknowledge/", api.GoalTalkAcknowledgeApi.as_view(),
         name="api-interviews-goal-talk-acknowledge"),
]
