from django.urls import path

from . import views

app_name = "appraisals"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_appraisal, name="my"),
    path("team/", views.team, name="team"),
    path("list/", views.appraisal_list, name="list"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/schedule/", views.schedule, name="schedule"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/open/", views.cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/verify/", views.cycle_verify, name="cycle_verify"),
    path("cycles/<int:pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path("calibration/", views.calibration_home, name="calibration_home"),
    path("cycles/<int:pk>/calibration/", views.calibration, name="calibration"),
    path("cycles/<int:pk>/calibration/quotas/", views.calibration_quotas, name="calibration_quotas"),
    path("cycles/<int:pk>/calibration/override/", views.calibration_override, name="calibration_override"),
    path("<int:pk>/calibrate-grade/", views.calibrate_grade, name="calibrate_grade"),
    path("cycles/<int:pk>/blockers/recheck/", views.cycle_blockers_recheck, name="blockers_recheck"),
    path("cycles/<int:pk>/blockers/remind/", views.blockers_remind_all, name="blockers_remind_all"),
    path("blockers/<int:pk>/remind/", views.blocker_remind, name="blocker_remind"),
    path("actuals/", views.actuals, name="actuals"),
    path("actuals/upload/", views.actuals_upload, name="actuals_upload"),
    path("actuals/template.csv", views.upload_template, name="upload_template"),
    path("actuals/uploads/<int:pk>/", views.upload_detail, name="upload"),
    path("actuals/uploads/<int:pk>/apply/", views.upload_apply, name="upload_apply"),
    path("lines/<int:pk>/actual/", views.line_actual, name="line_actual"),
    path("lines/<int:pk>/return/", views.line_return, name="line_return"),
    path("<int:pk>/", views.appraisal_detail, name="detail"),
    path("<int:pk>/form.pdf", views.appraisal_form_pdf, name="form_pdf"),
    path("<int:pk>/verify/", views.appraisal_verify, name="verify"),
    path("<int:pk>/self-assessment/", views.self_assess, name="self_assess"),
    path("<int:pk>/scoring/", views.manager_score, name="manager_score"),
    path("<int:pk>/publish/", views.appraisal_publish, name="publish"),
]
