from django.urls import path

from jiati.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/import/", views.account_import, name="account-import"),
    path("accounts/<int:pk>/second-factor-reset/", views.second_factor_reset, name="second-factor-reset"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path(
        "accounts/<int:pk>/<slug:action>/",
        views.account_action,
        name="account-action",
    ),
    path("divisions/", views.division_load, name="division-load"),
    path("units/", views.units_load, name="units-load"),
    path("answers/", views.answers, name="answers"),
    path("answers/import/", views.answers_import, name="answers-import"),
    path("second-factor/setup/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/verify/", views.second_factor_verify, name="second-factor-verify"),
    path("sign-ins/", views.sign_ins, name="sign-ins"),
    path("disclosures/", views.DisclosureListView.as_view(), name="disclosures"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set-password"),
]
