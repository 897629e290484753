from rest_framework.routers import DefaultRouter

from jiati.housing.api import views

router = DefaultRouter()
router.register("estates", views.EstateViewSet)
router.register("buildings", views.BuildingViewSet)
router.register("stairwells", views.StairwellViewSet)
router.register("dwellings", views.DwellingViewSet)
router.register("owners", views.OwnerViewSet)
urlpatterns = router.urls
