from django.urls import path

from jiati.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("board/", views.board, name="board"),
    path("settings/", views.settings_page, name="settings"),
    path("open/<int:stairwell_pk>/", views.open_project, name="open"),
    path("clusters/new/<int:estate_pk>/", views.cluster_create, name="cluster-create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/status/<str:action>/", views.status_change, name="status"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/checklist/<str:part>/", views.checklist, name="checklist"),
    path("<int:pk>/checklist/<str:part>/form/", views.checklist_form, name="checklist-form"),
    path("<int:pk>/blockers/<int:blocker_pk>/resolve/", views.blocker_resolve, name="blocker-resolve"),
    path("<int:pk>/documents/", views.document_add, name="document-add"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("<int:pk>/chat-qr/", views.chat_qr, name="chat-qr"),
]
