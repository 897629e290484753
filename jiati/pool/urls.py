from django.urls import path

from jiati.pool import views

app_name = "pool"
urlpatterns = [
    path("", views.PoolListView.as_view(), name="list"),
    path("stairwells/<int:pk>/", views.stairwell_detail, name="stairwell"),
    path("stairwells/<int:pk>/assess/", views.assess, name="assess"),
    path("stairwells/<int:pk>/survey/", views.survey_open, name="survey-open"),
    path("stairwells/<int:pk>/mobility/", views.mobility_add, name="mobility-add"),
    path("stairwells/<int:pk>/project/", views.project_open, name="project-open"),
    path("mobility/<int:pk>/end/", views.mobility_end, name="mobility-end"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("surveys/", views.SurveyListView.as_view(), name="surveys"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("coverage/", views.coverage, name="coverage"),
    path("targets/", views.targets, name="targets"),
    path("settings/", views.settings_view, name="settings"),
    path("clusters/", views.clusters, name="clusters"),
    path("clusters/new/<int:estate_pk>/", views.cluster_new, name="cluster-new"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    # The resident portal (phone-first): the owner's own survey answer.
    path("m/surveys/<int:pk>/", views.portal_survey, name="portal-survey"),
]
