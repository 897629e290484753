from rest_framework.routers import DefaultRouter

from jiati.subsidies.api import views

router = DefaultRouter()
router.register("policies", views.PolicyViewSet, basename="subsidy-policy")
router.register("budgets", views.BudgetViewSet, basename="subsidy-budget")
router.register("applications", views.ApplicationViewSet, basename="subsidy-application")
router.register("reviews", views.ReviewViewSet, basename="subsidy-review")
router.register("payments", views.PaymentViewSet, basename="subsidy-payment")
router.register("batches", views.BatchViewSet, basename="subsidy-batch")
router.register("tracker", views.TrackerViewSet, basename="subsidy-tracker")
urlpatterns = router.urls
