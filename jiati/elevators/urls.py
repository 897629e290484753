from django.urls import path

from jiati.elevators import views

app_name = "elevators"
urlpatterns = [
    path("", views.ElevatorListView.as_view(), name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/inspection/", views.inspection, name="inspection"),
    path("<int:pk>/costs/", views.running_cost, name="costs"),
    path("<int:pk>/costs/<int:cost_pk>/notice.pdf", views.cost_notice, name="cost-notice"),
    path("<int:pk>/shares/<int:share_pk>/pay/", views.payment, name="payment"),
    path("<int:pk>/poster.pdf", views.poster, name="poster"),
    path("faults/", views.FaultListView.as_view(), name="faults"),
    path("faults/<int:pk>/", views.fault_detail, name="fault-detail"),
    path("faults/<int:pk>/<str:step>/", views.fault_step, name="fault-step"),
    # Public: the QR code in the car, and the reporter's follow-up link (random tokens, never ids).
    path("q/<str:token>/", views.public, name="public"),
    path("f/<str:token>/", views.follow, name="follow"),
    # For owners signed in to the portal: a running-cost share of their own dwelling.
    path("r/<int:pk>/", views.my_running_cost, name="my-running-cost"),
]
