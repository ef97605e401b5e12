from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_inbox, name="inbox"),
    path("read-all/", views.notification_read_all, name="read_all"),
]
