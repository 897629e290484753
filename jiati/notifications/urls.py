from django.urls import path

from jiati.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark-read"),
    path("undelivered/", views.undelivered, name="undelivered"),
    path("undelivered/<int:pk>/resend/", views.resend, name="resend"),
]
