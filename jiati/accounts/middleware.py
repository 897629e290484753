"""Who is looking: the kinds of personal data this request's user sees in full, for the forms' masks."""

from __future__ import annotations

from jiati.accounts.permissions import PERSONAL_DATA_ROLES, sees_personal_data
from jiati.core.personal_data import seen_in_full


class PersonalDataViewerMiddleware:
    """Forms mask personal data like pages and the API (`core.forms`); they learn the viewer's rights here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        kinds = [k for k in PERSONAL_DATA_ROLES if user is not None and sees_personal_data(user, k)]
        with seen_in_full(kinds):
            return self.get_response(request)
