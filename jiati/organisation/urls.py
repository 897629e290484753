from django.urls import path

from jiati.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.region_home, name="region-list"),
    path("regions/<int:pk>/", views.region_detail, name="region-detail"),
    path("property-offices/", views.PropertyOfficeListView.as_view(), name="office-list"),
    path("property-offices/<int:pk>/", views.office_detail, name="office-detail"),
    path("windows/", views.ServiceWindowListView.as_view(), name="window-list"),
    path("groups/", views.ServiceGroupListView.as_view(), name="group-list"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
]
