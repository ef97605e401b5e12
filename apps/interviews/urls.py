from django.urls import path

from . import views

app_name = "interviews"
urlpatterns = [
    path("", views.home, name="home"),
    path("to-hold/", views.to_hold, name="to_hold"),
    path("mine/", views.mine, name="mine"),
    path("hr/", views.hr_completion, name="hr"),
    path("hr/export.csv", views.hr_export, name="hr_export"),
    path("hr/cycles/<int:cycle_pk>/policy/", views.cycle_policy, name="cycle_policy"),
    path("stats/", views.stats_page, name="stats"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/progress/", views.action_progress, name="action_progress"),
    path("actions/<int:pk>/confirm/", views.action_confirm, name="action_confirm"),
    path("new-hires/", views.goal_talks, name="goal_talks"),
    path("new-hires/<int:employee_pk>/discuss/", views.goal_talk_record, name="goal_talk_record"),
    path("new-hires/talks/<int:pk>/acknowledge/", views.goal_talk_acknowledge, name="goal_talk_acknowledge"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/invitation.ics", views.invitation, name="ics"),
    path("<int:pk>/prep/manager/", views.manager_prep, name="manager_prep"),
    path("<int:pk>/prep/employee/", views.employee_prep, name="employee_prep"),
    path("<int:pk>/prep/employee/share/", views.employee_prep_share, name="employee_prep_share"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/record/submit/", views.record_submit, name="record_submit"),
    path("<int:pk>/record/sign/", views.record_sign, name="record_sign"),
    path("<int:pk>/record/addendum/", views.addendum, name="addendum"),
    path("<int:pk>/record/pdf/", views.record_pdf, name="pdf"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("revisions/<int:pk>/decide/", views.revision_decide, name="revision_decide"),
]
