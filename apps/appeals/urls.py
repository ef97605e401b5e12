from django.urls import path

from . import views

app_name = "appeals"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("hr/", views.queue, name="queue"),
    path("hr/stats/", views.stats, name="stats"),
    path("hr/cycles/<int:cycle_pk>/policy/", views.cycle_policy, name="cycle_policy"),
    path("new/<int:appraisal_pk>/", views.new, name="new"),
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/new/", views.concern_new, name="concern_new"),
    path("concerns/<int:pk>/", views.concern, name="concern"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/evidence/<int:apk>/", views.attachment, name="attachment"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/requests/", views.request_info, name="request_info"),
    path("<int:pk>/requests/<int:rpk>/answer/", views.answer, name="answer"),
    path("<int:pk>/hearing/", views.hearing, name="hearing"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/letter.pdf", views.letter, name="letter"),
]
