from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("new/<int:employee_pk>/", views.request_new_for, name="new_for"),
    path("requests/<int:pk>/", views.request_detail, name="detail"),
    path("asked/", views.answer_mine, name="answer_mine"),
    path("asked/<int:pk>/", views.answer, name="answer"),
    path("x/<str:token>/", views.external, name="external"),
]
