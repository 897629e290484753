from django.urls import path

from jiati.companies import views

app_name = "companies"
urlpatterns = [path("", views.CompanyListView.as_view(), name="list")]
