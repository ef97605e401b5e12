from django.urls import path

from . import api

urlpatterns = [
    path("profiles/", api.PayProfileListApi.as_view(), name="api-pay-profiles"),
    path("profiles/import/", api.PayImportApi.as_view(), name="api-pay-import"),
    path("profiles/<int:employee_id>/", api.PayProfileApi.as_view(), name="api-pay-profile"),
    path("cycles/<int:cycle_id>/", api.PayCycleSettingsApi.as_view(), name="api-pay-cycle"),
    path("cycles/<int:cycle_id>/coefficients/", api.PayCoefficientsApi.as_view(), name="api-pay-coefficients"),
    path("cycles/<int:cycle_id>/merit-matrix/", api.PayMeritMatrixApi.as_view(), name="api-pay-merit-matrix"),
    path("cycles/<int:cycle_id>/budgets/", api.PayBudgetApi.as_view(), name="api-pay-budgets"),
    path("runs/", api.PayRunListApi.as_view(), name="api-pay-runs"),
    path("runs/<int:pk>/", api.PayRunApi.as_view(), name="api-pay-run"),
    path("runs/<int:pk>/lines/", api.PayRunLinesApi.as_view(), name="api-pay-run-lines"),
    path("runs/<int:pk>/submit/", api.PayRunSubmitApi.as_view(), name="api-pay-run-submit"),
    path("runs/<int:pk>/approve/", api.PayRunApproveApi.as_view(), name="api-pay-run-approve"),
    path("runs/<int:pk>/return/", api.PayRunReturnApi.as_view(), name="api-pay-run-return"),
    path("runs/<int:pk>/release/", api.PayRunReleaseApi.as_view(), name="api-pay-run-release"),
    path("runs/<int:pk>/export.<str:fmt>", api.PayRunExportApi.as_view(), name="api-pay-run-export"),
    path("mine/", api.PayMineApi.as_view(), name="api-pay-mine"),
    path("proposals/", api.PayProposalListApi.as_view(), name="api-pay-proposals"),
    path("proposals/<int:pk>/", api.PayProposalApi.as_view(), name="api-pay-proposal"),
    path("proposals/<int:pk>/review/", api.PayProposalReviewApi.as_view(), name="api-pay-proposal-review"),
    path("proposals/<int:pk>/approve/", api.PayProposalApproveApi.as_view(), name="api-pay-proposal-approve"),
    path("proposals/<int:pk>/reject/", api.PayProposalRejectApi.as_view(), name="api-pay-proposal-reject"),
    path("team-rules/", api.PayTeamRuleListApi.as_view(), name="api-pay-team-rules"),
    path("team-rules/<int:pk>/", api.PayTeamRuleApi.as_view(), name="api-pay-team-rule"),
    path("team-results/", api.PayTeamResultListApi.as_view(), name="api-pay-team-results"),
]
