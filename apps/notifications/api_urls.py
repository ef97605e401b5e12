from django.urls import path

from . import api

urlpatterns = [
    path("settings/", api.NotificationSettingsApi.as_view(), name="api-notification-settings"),
    path("defaults/", api.NotificationDefaultsApi.as_view(), name="api-notification-defaults"),
]
