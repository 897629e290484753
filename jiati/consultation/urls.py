from django.urls import path

from jiati.consultation import resident_views
from jiati.consultation.views import home, meetings, petitions, publicity, records, windows

app_name = "consultation"
urlpatterns = [
    path("", home.home, name="home"),
    # Service windows, slots and bookings
    path("windows/", windows.WindowListView.as_view(), name="window-list"),
    path("windows/new/", windows.window_create, name="window-create"),
    path("windows/<int:pk>/", windows.window_detail, name="window-detail"),
    path("windows/<int:pk>/edit/", windows.window_edit, name="window-edit"),
    path("windows/<int:pk>/slots/", windows.slots_open, name="slots-open"),
    path("windows/<int:pk>/book/", windows.window_book, name="window-book"),
    path("slots/<int:pk>/cancel/", windows.slot_cancel, name="slot-cancel"),
    path("slots/<int:pk>/capacity/", windows.slot_capacity, name="slot-capacity"),
    path("bookings/", windows.BookingListView.as_view(), name="booking-list"),
    path("bookings/<int:pk>/cancel/", windows.booking_cancel, name="booking-cancel"),
    path("bookings/<int:pk>/<str:outcome>/", windows.booking_mark, name="booking-mark"),
    # Consultation records
    path("records/", records.ConsultationListView.as_view(), name="record-list"),
    path("records/new/", records.record_create, name="record-create"),
    path("records/stairwells/", records.stairwell_options, name="stairwell-options"),
    path("records/<int:pk>/", records.record_detail, name="record-detail"),
    path("records/<int:pk>/follow-up/", records.record_follow_up, name="record-follow-up"),
    # Meetings and their resolutions; coverage (一梯一会)
    path("meetings/", meetings.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/minutes.pdf", meetings.meeting_minutes_pdf, name="meeting-minutes-pdf"),
    path("meetings/<int:pk>/sign-in.pdf", meetings.meeting_sign_in_pdf, name="meeting-sign-in-pdf"),
    path("meetings/<int:pk>/sign-in-sheet/", meetings.meeting_sign_in_file, name="meeting-sign-in-file"),
    path("meetings/<int:pk>/projects/<int:project_pk>/remove/", meetings.meeting_unlink, name="meeting-unlink"),
    path("meetings/<int:pk>/<str:part>/", meetings.meeting_part, name="meeting-part"),
    path("resolutions/", meetings.ActionListView.as_view(), name="action-list"),
    path("resolutions/<int:pk>/done/", meetings.action_done, name="action-done"),
    path("coverage/", meetings.coverage, name="coverage"),
    path("coverage/gaps/", meetings.CoverageGapListView.as_view(), name="coverage-gaps"),
    # Petitions
    path("petitions/", petitions.PetitionListView.as_view(), name="petition-list"),
    path("petitions/new/", petitions.petition_create, name="petition-create"),
    path("petitions/settings/", petitions.petition_settings, name="petition-settings"),
    path("petitions/<int:pk>/", petitions.petition_detail, name="petition-detail"),
    path("petitions/<int:pk>/letter.pdf", petitions.petition_letter, name="petition-letter"),
    path("petitions/<int:pk>/notice.pdf", petitions.petition_notice_letter, name="petition-notice-letter"),
    path("petitions/<int:pk>/<str:action>/", petitions.petition_act, name="petition-act"),
    # Publicity (staff) and its public pages
    path("articles/", publicity.ArticleListView.as_view(), name="article-list"),
    path("articles/new/", publicity.article_create, name="article-create"),
    path("articles/<int:pk>/", publicity.article_detail, name="article-detail"),
    path("articles/<int:pk>/edit/", publicity.article_edit, name="article-edit"),
    path("articles/<int:pk>/poster.pdf", publicity.article_poster, name="article-poster"),
    path("articles/<int:pk>/<str:action>/", publicity.article_status, name="article-status"),
    path("public/", publicity.public_list, name="public-articles"),
    path("public/<int:pk>/", publicity.public_detail, name="public-article"),
    # The resident portal (phone-first)
    path("m/book/", resident_views.book, name="portal-book"),
    path("m/book/<int:slot_pk>/", resident_views.book_slot, name="portal-book-slot"),
    path("m/bookings/<int:pk>/", resident_views.booking, name="portal-booking"),
    path("m/bookings/<int:pk>/cancel/", resident_views.booking_cancel, name="portal-booking-cancel"),
    path("m/petitions/new/", resident_views.petition_new, name="portal-petition-new"),
    path("m/petitions/<int:pk>/", resident_views.petition, name="portal-petition"),
    path("m/petitions/<int:pk>/<str:action>/", resident_views.petition_answer, name="portal-petition-answer"),
]
