from django.urls import path

from . import api

urlpatterns = [
    path("preview", api.ScoringPreviewApi.as_view(), name="api-scoring-preview"),
    path("preview/", api.ScoringPreviewSlashApi.as_view()),
]
