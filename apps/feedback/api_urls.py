from django.urls import path

from . import api

urlpatterns = [
    path("requests/", api.FeedbackRequestListApi.as_view(), name="api-feedback-requests"),
    path("requests/<int:pk>/", api.FeedbackRequestDetailApi.as_view(), name="api-feedback-request"),
    path("asked/", api.FeedbackAskedListApi.as_view(), name="api-feedback-asked"),
    path("asked/<int:pk>/answer/", api.FeedbackAnswerApi.as_view(), name="api-feedback-answer"),
]
