from django.urls import path

from jiati.stats.api import views

urlpatterns = [path("figures/", views.FiguresView.as_view(), name="stats-figures")]
