from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.home, name="home"),
    path("draft/", views.draft, name="draft"),
    path("draft/pdf/", views.draft_pdf, name="draft_pdf"),
    path("sections/<slug:key>/", views.section_edit, name="section_edit"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("acknowledgements/", views.acknowledgements, name="acknowledgements"),
    path("v<int:number>/pdf/", views.version_pdf, name="version_pdf"),
]
