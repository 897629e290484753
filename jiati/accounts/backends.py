"""Sign-in with a username and password, and the signed-in user read back with their region in one query."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

UserModel = get_user_model()

# Sessions signed in before this backend existed name Django's own; it stays listed after this one
# (settings.AUTHENTICATION_BACKENDS) so that they stay signed in, but never checks a password itself.
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class UserBackend(ModelBackend):
    """Django's `ModelBackend`, except:

    - a session's user is read with their region (`select_related`): scoping reads the region on every
      request (`accounts.scoping.area_q`), which was a second query — as the API's token already does;
    - credentials it refuses are refused for good (PermissionDenied ends Django's loop over the backends): the
      compatibility entry after it would otherwise hash the same wrong password a second time.
    """

    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related("region").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user
