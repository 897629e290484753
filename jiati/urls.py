"""URL map: one include per app; the API lives under /api/ with its schema and docs."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("jiati.core.urls")),
    # Load balancer and monitoring probes (docs/deployment.md).
    path("", include("jiati.ops.urls")),
    # The API before the pages: a call is resolved without trying every page's patterns first (no page lives
    # under /api/, so the order changes nothing else).
    path("api/", include("jiati.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("i18n/catalog/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("jiati.accounts.urls")),
    path("org/", include("jiati.organisation.urls")),
    path("housing/", include("jiati.housing.urls")),
    path("audit/", include("jiati.web.audit_urls")),
    path("companies/", include("jiati.companies.urls")),
    path("elevators/", include("jiati.elevators.urls")),
    path("projects/", include("jiati.projects.urls")),
    path("consent/", include("jiati.consent.urls")),
    path("consultation/", include("jiati.consultation.urls")),
    path("subsidies/", include("jiati.subsidies.urls")),
    path("pool/", include("jiati.pool.urls")),
    path("supervision/", include("jiati.supervision.urls")),
    path("stats/", include("jiati.stats.urls")),
    path("inbox/", include("jiati.notifications.urls")),
    path("administration/", include("jiati.administration.urls")),
    # The resident portal (phone-first, reached by QR code) and public pages.
    path("m/", include("jiati.portal.urls")),
]
