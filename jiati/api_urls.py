"""The REST API: one prefix per app. Every endpoint is scoped to the caller's area (docs/architecture.md)."""

from django.urls import include, path

urlpatterns = [
    path("organisation/", include("jiati.organisation.api.urls")),
    path("housing/", include("jiati.housing.api.urls")),
    path("projects/", include("jiati.projects.api.urls")),
    path("consent/", include("jiati.consent.api.urls")),
    path("consultation/", include("jiati.consultation.api.urls")),
    path("subsidies/", include("jiati.subsidies.api.urls")),
    path("administration/", include("jiati.administration.api.urls")),
    path("companies/", include("jiati.companies.api.urls")),
    path("elevators/", include("jiati.elevators.api.urls")),
    path("pool/", include("jiati.pool.api.urls")),
    path("supervision/", include("jiati.supervision.api.urls")),
    path("stats/", include("jiati.stats.api.urls")),
]
