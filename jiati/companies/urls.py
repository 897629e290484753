from django.urls import path

from jiati.companies import views

app_name = "companies"
urlpatterns = [
    path("", views.CompanyListView.as_view(), name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/licences/", views.licence_add, name="licence-add"),
    path("<int:pk>/licences/<int:licence_pk>/<str:decision>/", views.licence_decide, name="licence-decide"),
    path("<int:pk>/contacts/", views.contact_add, name="contact-add"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", views.contact_remove, name="contact-remove"),
    # The red/black list: public pages, staff actions.
    path("lists/", views.lists, name="lists"),
    path("lists/draft/", views.ranking_draft, name="ranking-draft"),
    path("lists/<int:pk>/", views.ranking_detail, name="ranking"),
    path("lists/<int:pk>/<str:action>/", views.ranking_action, name="ranking-action"),
    path("schemes/", views.schemes, name="schemes"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal-decide"),
]
