from django.urls import path

from jiati.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public, name="public"),
]
