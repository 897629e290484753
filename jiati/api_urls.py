"""The REST API: one prefix per app. Every endpoint is scoped to the caller's area (docs/architecture.md)."""

from django.urls import include, path

urlpatterns = [
    path("organisation/", include("jiati.organisation.api.urls")),
    path("housing/", include("jiati.housing.api.urls")),
]
