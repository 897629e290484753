from rest_framework.routers import DefaultRouter

from jiati.companies.api import views

router = DefaultRouter()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("licences", views.LicenceViewSet, basename="licence")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("scores", views.ScoreViewSet, basename="score")
router.register("lists", views.RankingListViewSet, basename="ranking-list")
router.register("appeals", views.AppealViewSet, basename="appeal")
urlpatterns = router.urls
