"""Consent pages: staff pages under /consent/, and the public ones (online vote, receipt check, notice)."""

from django.urls import path

from jiati.consent import pdfs, resident_views, views

app_name = "consent"
urlpatterns = [
    path("", views.home, name="home"),
    path("votes/", views.VoteListView.as_view(), name="vote-list"),
    path("votes/<int:pk>/", views.vote_detail, name="vote-detail"),
    path("votes/<int:pk>/result/", views.vote_result, name="vote-result"),
    path("votes/<int:pk>/roll/", views.RollListView.as_view(), name="vote-roll"),
    path("votes/<int:pk>/ballots/<int:voter_pk>/", views.ballot_record, name="ballot-record"),
    path("votes/<int:pk>/ballots/stack/", views.ballot_stack, name="ballot-stack"),
    path("votes/<int:pk>/entries/<int:entry_pk>/<str:kind>/", views.entry_file, name="entry-file"),
    path("votes/<int:pk>/close/", views.vote_close, name="vote-close"),
    path("votes/<int:pk>/cancel/", views.vote_cancel, name="vote-cancel"),
    path("votes/<int:pk>/ballot-forms.pdf", pdfs.vote_forms_pdf, name="vote-forms-pdf"),
    path("votes/<int:pk>/result.pdf", pdfs.vote_result_pdf, name="vote-result-pdf"),
    path("votes/<int:pk>/agreement.pdf", pdfs.vote_agreement_pdf, name="vote-agreement-pdf"),
    path("projects/<int:project_pk>/votes/new/", views.vote_open, name="vote-open"),
    path("projects/<int:project_pk>/notices/new/", views.notice_post, name="notice-post"),
    path("projects/<int:project_pk>/objections/new/", views.objection_new, name="objection-new"),
    path("projects/<int:project_pk>/costs/new/", views.cost_new, name="cost-new"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice-withdraw"),
    path("notices/<int:pk>/notice.pdf", pdfs.notice_pdf, name="notice-pdf"),
    path("objections/", views.ObjectionListView.as_view(), name="objection-list"),
    path("objections/<int:pk>/", views.objection_detail, name="objection-detail"),
    path("objections/<int:pk>/<str:action>/", views.objection_action, name="objection-action"),
    path("costs/<int:pk>/", views.cost_detail, name="cost-detail"),
    path("costs/<int:pk>/cost-sharing.pdf", pdfs.cost_pdf, name="cost-pdf"),
    path("costs/<int:pk>/recalculate/", views.cost_recalculate, name="cost-recalculate"),
    path("tally/", views.tally_page, name="tally"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/new/", views.rule_set_new, name="rule-set-new"),
    # Public: reached by QR code, no staff sign-in (each view is marked login_not_required).
    # The online vote, by its random token (issue 19); the old counted address only forwards signed-in staff.
    path("v/<int:pk>/", resident_views.legacy_vote, name="legacy-vote"),
    path("v/<str:token>/", resident_views.online_vote, name="online-vote"),
    path("v/<str:token>/code/", resident_views.online_code, name="online-code"),
    path("v/<str:token>/ballot/", resident_views.online_ballot, name="online-ballot"),
    path("v/<str:token>/done/", resident_views.online_done, name="online-done"),
    path("check/", resident_views.receipt_check, name="receipt-check"),
    path("n/<int:pk>/", resident_views.public_notice, name="public-notice"),
    path("n/<int:pk>/object/", resident_views.public_objection, name="public-objection"),
    # For owners signed in to the portal: the lead owner's tally, the cost-sharing table.
    path("lead/<int:pk>/", resident_views.lead_vote, name="lead-vote"),
    path("c/<int:pk>/", resident_views.public_costs, name="public-costs"),
    path("o/<int:pk>/", resident_views.my_objection, name="my-objection"),
]
