from django.urls import path
from rest_framework.routers import DefaultRouter

from jiati.consent.api import views

router = DefaultRouter()
router.register("rule-sets", views.RuleSetViewSet, basename="consent-ruleset")
router.register("votes", views.VoteViewSet, basename="consent-vote")
router.register("notices", views.NoticeViewSet, basename="consent-notice")
router.register("objections", views.ObjectionViewSet, basename="consent-objection")
router.register("cost-schemes", views.CostSchemeViewSet, basename="consent-costscheme")
urlpatterns = [path("tally/", views.TallyView.as_view(), name="consent-tally"), *router.urls]
