from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts import views as account_views
from apps.accounts.api import TokenObtainApi
from apps.core.api import AuditEventListApi, DocumentJobDetailApi, DocumentJobDownloadApi, DocumentJobListApi

api_v1 = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("audit/", AuditEventListApi.as_view(), name="api-audit"),
    path("documents/", DocumentJobListApi.as_view(), name="api-documents"),
    path("documents/<int:pk>/", DocumentJobDetailApi.as_view(), name="api-document"),
    path("documents/<int:pk>/download/", DocumentJobDownloadApi.as_view(), name="api-document-download"),
    path("org/", include("apps.org.api_urls")),
    path("plans/", include("apps.plans.api_urls")),
    path("contracts/", include("apps.contracts.api_urls")),
    path("scoring/", include("apps.contracts.scoring_api_urls")),
    path("coaching/", include("apps.coaching.api_urls")),
    path("appraisals/", include("apps.appraisals.api_urls")),
    path("interviews/", include("apps.interviews.api_urls")),
    path("appeals/", include("apps.appeals.api_urls")),
    path("pay/", include("apps.pay.api_urls")),
    path("results/", include("apps.results.api_urls")),
    path("feedback/", include("apps.feedback.api_urls")),
    path("dashboards/", include("apps.dashboards.api_urls")),
    path("notifications/", include("apps.notifications.api_urls")),
    path("policy/", include("apps.policy.api_urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("org/", include("apps.org.urls")),
    path("plans/", include("apps.plans.urls")),
    path("contracts/", include("apps.contracts.urls")),
    path("coaching/", include("apps.coaching.urls")),
    path("feedback/", include("apps.feedback.urls")),
    path("appraisals/", include("apps.appraisals.urls")),
    path("interviews/", include("apps.interviews.urls")),
    path("appeals/", include("apps.appeals.urls")),
    path("pay/", include("apps.pay.urls")),
    path("results/", include("apps.results.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("policy/", include("apps.policy.urls")),
    path("core/", include("apps.core.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the schema and its Swagger page are for signed-in users only (SPECTACULAR_SETTINGS SERVE_PERMISSIONS)
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
