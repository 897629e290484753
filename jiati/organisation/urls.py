from django.urls import path

from jiati.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.region_home, name="region-list"),
    path("regions/<int:pk>/", views.region_detail, name="region-detail"),
    path("regions/<int:pk>/workstation/", views.workstation_edit, name="workstation-edit"),
    path("property-offices/", views.PropertyOfficeListView.as_view(), name="office-list"),
    path("property-offices/new/", views.office_create, name="office-create"),
    path("property-offices/<int:pk>/", views.office_detail, name="office-detail"),
    path("property-offices/<int:pk>/edit/", views.office_edit, name="office-edit"),
    path("windows/", views.ServiceWindowListView.as_view(), name="window-list"),
    path("groups/", views.ServiceGroupListView.as_view(), name="group-list"),
    path("groups/new/", views.group_create, name="group-create"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group-edit"),
]
