from django.urls import path

from . import api

urlpatterns = [
    path("", api.ContractListApi.as_view(), name="api-contracts"),
    path("<int:pk>/", api.ContractDetailApi.as_view(), name="api-contract"),
    path("<int:pk>/propose/", api.ContractProposeApi.as_view(), name="api-contract-propose"),
    path("<int:pk>/withdraw/", api.ContractWithdrawApi.as_view(), name="api-contract-withdraw"),
    path("<int:pk>/return/", api.ContractReturnApi.as_view(), name="api-contract-return"),
    path("<int:pk>/sign/", api.ContractSignApi.as_view(), name="api-contract-sign"),
    path("<int:pk>/agree/", api.ContractSignApi.as_view(), name="api-contract-agree"),
    path("<int:pk>/amend/", api.ContractAmendApi.as_view(), name="api-contract-amend"),
    path("<int:pk>/changes/", api.ContractChangeProposeApi.as_view(), name="api-contract-changes"),
    path("<int:pk>/lint/", api.ContractLintApi.as_view(), name="api-contract-lint"),
    path("<int:pk>/versions/", api.ContractVersionsApi.as_view(), name="api-contract-versions"),
    path("<int:pk>/pdf/", api.ContractPdfApi.as_view(), name="api-contract-pdf"),
    path("changes/<int:pk>/accept/", api.ContractChangeAcceptApi.as_view(), name="api-contract-change-accept"),
    path("changes/<int:pk>/reject/", api.ContractChangeRejectApi.as_view(), name="api-contract-change-reject"),
    path("indicators/", api.IndicatorListApi.as_view(), name="api-indicators"),
    path("indicators/<int:pk>/", api.IndicatorDetailApi.as_view(), name="api-indicator"),
    path("templates/", api.TemplateListApi.as_view(), name="api-contract-templates"),
    path("templates/<int:pk>/", api.TemplateDetailApi.as_view(), name="api-contract-template"),
    path("templates/<int:pk>/generate/", api.TemplateGenerateApi.as_view(), name="api-contract-template-generate"),
]
