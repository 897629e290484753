from django.urls import path
from rest_framework.routers import DefaultRouter

from jiati.pool.api import views

router = DefaultRouter()
router.register("stairwells", views.PoolStairwellViewSet, basename="pool-stairwell")
router.register("assessments", views.AssessmentViewSet, basename="pool-assessment")
router.register("surveys", views.SurveyViewSet, basename="pool-survey")
router.register("targets", views.TargetViewSet, basename="pool-target")
router.register("clusters", views.ClusterViewSet, basename="pool-cluster")
urlpatterns = [path("coverage/", views.CoverageView.as_view(), name="pool-coverage"), *router.urls]
