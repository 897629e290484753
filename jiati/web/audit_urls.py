"""The audit log page, under the namespace it always had ("audit:list")."""

from django.urls import path

from jiati.web import audit_log

app_name = "audit"
urlpatterns = [path("", audit_log.AuditListView.as_view(), name="list")]
