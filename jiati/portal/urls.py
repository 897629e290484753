from django.urls import path

from jiati.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("text-size/", views.text_size, name="text-size"),
    # Public: no sign-in, no personal data.
    path("check/", views.self_check, name="self-check"),
    path("estimate/", views.estimate, name="estimate"),
    path("find/", views.find, name="find"),
    path("s/<str:token>/", views.stairwell, name="stairwell"),
    path("s/<str:token>/poster.pdf", views.stairwell_poster, name="stairwell-poster"),
]
