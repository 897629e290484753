from rest_framework.routers import DefaultRouter

from jiati.elevators.api import views

router = DefaultRouter()
router.register("elevators", views.ElevatorViewSet, basename="elevator")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("faults", views.FaultViewSet, basename="fault")
router.register("running-costs", views.RunningCostViewSet, basename="running-cost")
urlpatterns = router.urls
