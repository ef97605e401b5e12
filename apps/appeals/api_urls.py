from django.urls import path

from . import api

urlpatterns = [
    path("", api.AppealListCreateApi.as_view(), name="api-appeals"),
    path("<int:pk>/", api.AppealDetailApi.as_view(), name="api-appeal"),
    path("<int:pk>/withdraw/", api.AppealWithdrawApi.as_view(), name="api-appeal-withdraw"),
    path("<int:pk>/evidence/", api.AppealEvidenceApi.as_view(), name="api-appeal-evidence"),
    path("<int:pk>/triage/", api.AppealTriageApi.as_view(), name="api-appeal-triage"),
    path("<int:pk>/requests/", api.AppealRequestApi.as_view(), name="api-appeal-requests"),
    path("<int:pk>/hearing/", api.AppealHearingApi.as_view(), name="api-appeal-hearing"),
    path("<int:pk>/decide/", api.AppealDecideApi.as_view(), name="api-appeal-decide"),
    path("requests/<int:pk>/answer/", api.AppealAnswerApi.as_view(), name="api-appeal-answer"),
    path("concerns/", api.ConcernListCreateApi.as_view(), name="api-appeal-concerns"),
    path("concerns/<int:pk>/", api.ConcernDetailApi.as_view(), name="api-appeal-concern"),
    path("concerns/<int:pk>/dismiss/", api.ConcernDismissApi.as_view(), name="api-appeal-concern-dismiss"),
    path("concerns/<int:pk>/review/", api.ConcernReviewApi.as_view(), name="api-appeal-concern-review"),
    path("stats/", api.AppealStatsApi.as_view(), name="api-appeals-stats"),
    path("cycles/<int:pk>/policy/", api.CyclePolicyApi.as_view(), name="api-appeals-cycle-policy"),
]
