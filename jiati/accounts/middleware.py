"""Who is looking: the kinds of personal data this request's user sees in full, for the forms' masks."""

from __future__ import annotations

from jiati.accounts.models import Role
from jiati.accounts.permissions import PERSONAL_DATA_ROLES, sees_personal_data
from jiati.core.personal_data import seen_in_full


class PersonalDataViewerMiddleware:
    """Forms mask personal data like pages and the API (`core.forms`); they learn the viewer's rights here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        kinds = [k for k in PERSONAL_DATA_ROLES if user is not None and sees_personal_data(user, k)]
        # A visitor or a resident (the portal) fills in only their own data; staff and companies see others'.
        own_data_only = user is None or not user.is_authenticated or user.role == Role.RESIDENT
        with seen_in_full(kinds, own_data_only=own_data_only):
            return self.get_response(request)
