from django.urls import path

from . import api

urlpatterns = [
    path("", api.PolicyApi.as_view(), name="api-policy"),
    path("acknowledge/", api.PolicyAcknowledgeApi.as_view(), name="api-policy-acknowledge"),
]
