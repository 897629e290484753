from django.urls import path

from jiati.housing import import_views, views

app_name = "housing"
urlpatterns = [
    path("estates/", views.EstateListView.as_view(), name="estate-list"),
    path("estates/<int:pk>/", views.estate_detail, name="estate-detail"),
    path("buildings/<int:pk>/", views.building_detail, name="building-detail"),
    path("stairwells/", views.StairwellListView.as_view(), name="stairwell-list"),
    path("stairwells/<int:pk>/", views.stairwell_detail, name="stairwell-detail"),
    path("dwellings/", views.DwellingListView.as_view(), name="dwelling-list"),
    path("dwellings/<int:pk>/", views.dwelling_detail, name="dwelling-detail"),
    path("owners/", views.OwnerListView.as_view(), name="owner-list"),
    path("owners/<int:pk>/", views.owner_detail, name="owner-detail"),
    path("<str:kind>/<int:pk>/edit/", views.edit, name="edit"),
    path("import/", import_views.import_start, name="import"),
    path("import/template.<str:fmt>", import_views.import_template, name="import-template"),
    path("import/jobs/<int:pk>/", import_views.import_job, name="import-job"),
    path("import/jobs/<int:pk>/progress/", import_views.import_progress, name="import-progress"),
]
