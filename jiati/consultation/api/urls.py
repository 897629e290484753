from rest_framework.routers import DefaultRouter

from jiati.consultation.api import views

router = DefaultRouter()
router.register("windows", views.WindowViewSet, basename="consultation-window")
router.register("slots", views.SlotViewSet, basename="consultation-slot")
router.register("bookings", views.BookingViewSet, basename="consultation-booking")
router.register("consultations", views.ConsultationViewSet, basename="consultation-record")
router.register("meetings", views.MeetingViewSet, basename="consultation-meeting")
router.register("resolutions", views.ActionViewSet, basename="consultation-resolution")
router.register("petitions", views.PetitionViewSet, basename="consultation-petition")
router.register("articles", views.ArticleViewSet, basename="consultation-article")
urlpatterns = router.urls
