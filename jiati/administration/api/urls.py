from django.urls import path
from rest_framework.routers import DefaultRouter

from jiati.administration.api import views

router = DefaultRouter()
router.register("accounts", views.AccountViewSet, basename="account")
urlpatterns = [
    path("divisions/load/", views.DivisionLoadView.as_view(), name="division-load"),
    path("accounts/import/", views.StaffImportView.as_view(), name="account-import"),
    *router.urls,
]
