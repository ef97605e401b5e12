from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_inbox, name="inbox"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("settings/", views.notification_settings, name="settings"),
    path("hr/", views.notification_hr_settings, name="hr_settings"),
    path("calendar/", views.calendar_feed_change, name="calendar_change"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("hr/failed/<int:pk>/retry/", views.chat_delivery_retry, name="chat_retry"),
    path("hr/robots/", views.chat_webhook_add, name="robot_add"),
    path("hr/robots/<int:pk>/", views.chat_webhook_switch, name="robot_switch"),
]
