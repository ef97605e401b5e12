from django.urls import path

from . import api

urlpatterns = [
    path("competency-models/", api.CompetencyModelListApi.as_view(), name="api-results-models"),
    path("competency-models/<int:pk>/", api.CompetencyModelDetailApi.as_view(), name="api-results-model"),
    path("competency-models/<int:pk>/competencies/", api.CompetencyCreateApi.as_view(),
         name="api-results-competencies"),
    path("competencies/<int:pk>/", api.CompetencyUpdateApi.as_view(), name="api-results-competency"),
    path("categories/", api.CategoryListApi.as_view(), name="api-results-categories"),
    path("categories/<int:pk>/", api.CategoryUpdateApi.as_view(), name="api-results-category"),
    path("reviews/", api.ReviewListApi.as_view(), name="api-results-reviews"),
    path("reviews/<int:pk>/", api.ReviewDetailApi.as_view(), name="api-results-review"),
    path("reviews/<int:pk>/grid/", api.GridApi.as_view(), name="api-results-grid"),
    path("reviews/<int:pk>/placements/", api.PlacementListApi.as_view(), name="api-results-placements"),
    path("placements/<int:pk>/", api.PlacementDetailApi.as_view(), name="api-results-placement"),
    path("placements/<int:pk>/override/", api.OverrideApi.as_view(), name="api-results-override"),
    path("placements/<int:pk>/ratings/", api.RatingsApi.as_view(), name="api-results-ratings"),
    path("placements/<int:pk>/ratings/adjust/", api.RatingsAdjustApi.as_view(), name="api-results-ratings-adjust"),
    path("actions/", api.ActionListApi.as_view(), name="api-results-actions"),
    path("actions/<int:pk>/", api.ActionDetailApi.as_view(), name="api-results-action"),
    path("actions/<int:pk>/move/", api.ActionMoveApi.as_view(), name="api-results-action-move"),
]
