from django.urls import path
from rest_framework.routers import DefaultRouter

from jiati.administration.api import views

router = DefaultRouter()
router.register("accounts", views.AccountViewSet, basename="account")
urlpatterns = [
    path("divisions/load/", views.DivisionLoadView.as_view(), name="division-load"),
    path("accounts/import/", views.StaffImportView.as_view(), name="account-import"),
    path("units/import/", views.UnitsImportView.as_view(), name="units-import"),
    path("assignments/import/", views.AssignmentsImportView.as_view(), name="assignments-import"),
    *router.urls,
]
