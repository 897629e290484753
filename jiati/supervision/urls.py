from django.urls import path

from jiati.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("sites/<int:project_pk>/check/", views.check_new, name="check-new"),
    path("checks/<int:pk>/", views.check_detail, name="check-detail"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("rectifications/", views.rectification_list, name="rectification-list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path("my-tasks/", views.my_tasks, name="my-tasks"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/review.pdf", views.review_pdf, name="review-pdf"),
    path("decisions/<int:pk>/done/", views.decision_done, name="decision-done"),
    path("dispatches/", views.dispatch_list, name="dispatch-list"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch-detail"),
    path("dispatches/<int:pk>/dispatch.pdf", views.dispatch_pdf, name="dispatch-pdf"),
    path("dispatches/<int:pk>/dispatch.xlsx", views.dispatch_xlsx, name="dispatch-xlsx"),
    path("instructions/<int:pk>/done/", views.instruction_done, name="instruction-done"),
]
