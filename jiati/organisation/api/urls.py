from rest_framework.routers import DefaultRouter

from jiati.organisation.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet)
router.register("property-offices", views.PropertyOfficeViewSet)
router.register("windows", views.ServiceWindowViewSet)
router.register("groups", views.ServiceGroupViewSet)
urlpatterns = router.urls
