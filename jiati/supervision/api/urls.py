from django.urls import path
from rest_framework.routers import DefaultRouter

from jiati.supervision.api import views

router = DefaultRouter()
router.register("checks", views.SiteCheckViewSet, basename="supervision-check")
router.register("rectifications", views.RectificationViewSet, basename="supervision-rectification")
router.register("weekly-reviews", views.WeeklyReviewViewSet, basename="supervision-review")
router.register("dispatches", views.MonthlyDispatchViewSet, basename="supervision-dispatch")
urlpatterns = [
    path("sites/today/", views.SitesTodayView.as_view(), name="supervision-sites-today"),
    path("my-tasks/", views.MyTasksView.as_view(), name="supervision-my-tasks"),
    *router.urls,
]
