from django.urls import path

from jiati.subsidies import resident_views, views

app_name = "subsidies"
urlpatterns = [
    path("", views.home, name="home"),
    path("tracker.xlsx", views.tracker_export, name="tracker-export"),
    path("draft-missing/", views.draft_missing, name="draft-missing"),
    path("remind/", views.remind, name="remind"),
    path("applications/", views.ApplicationListView.as_view(), name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/documents/", views.document_add, name="document-add"),
    path("applications/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/reevaluate/", views.reevaluate, name="reevaluate"),
    path("applications/<int:pk>/review/", views.review, name="review"),
    path("applications/<int:pk>/return/", views.return_file, name="return"),
    path("applications/<int:pk>/approve/", views.approve, name="approve"),
    path("applications/<int:pk>/not-eligible/", views.not_eligible, name="not-eligible"),
    path("applications/<int:pk>/pay/", views.pay, name="pay"),
    path("applications/<int:pk>/payments/<int:entry_pk>/reverse/", views.reverse_payment, name="reverse"),
    path("applications/<int:pk>/approval-sheet.pdf", views.approval_sheet, name="approval-sheet"),
    path("ledger/", views.LedgerListView.as_view(), name="ledger"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/payment-list.pdf", views.payment_list, name="payment-list"),
    path("budgets/", views.budgets, name="budgets"),
    path("policies/", views.PolicyListView.as_view(), name="policy-list"),
    path("policies/new/", views.policy_new, name="policy-new"),
    path("policies/<int:pk>/", views.policy_detail, name="policy-detail"),
    # The resident portal (phone-first): the lead owner's own file.
    path("m/files/<int:pk>/", resident_views.portal_file, name="portal-file"),
    path("m/files/<int:pk>/payee/", resident_views.portal_payee, name="portal-payee"),
    path("m/files/<int:pk>/documents/", resident_views.portal_document_add, name="portal-document-add"),
    path("m/files/<int:pk>/submit/", resident_views.portal_submit, name="portal-submit"),
]
