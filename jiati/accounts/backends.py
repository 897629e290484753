"""Sign-in with a username and password, and the signed-in user read back with their region in one query."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from jiati.core.prepared import PreparedQuery, pk_in_range

UserModel = get_user_model()

# Every signed-in request reads its user: the statement is compiled once per process (`core.prepared`), not
# built and compiled on each request (issue 18). The key is an integer parameter.
_USER_WITH_REGION = PreparedQuery(
    UserModel,
    lambda pk: UserModel._default_manager.select_related("region").filter(pk=pk)[:1],
    kinds=(int,),
    server_prepared=True,
)

# Sessions signed in before this backend existed name Django's own; it stays listed after this one
# (settings.AUTHENTICATION_BACKENDS) so that they stay signed in, but never checks a password itself.
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class UserBackend(ModelBackend):
    """Django's `ModelBackend`, except:

    - a session's user is read with their region (`select_related`): scoping reads the region on every
      request (`accounts.scoping.area_q`), which was a second query — as the API's token already does — in a
      statement compiled once per process;
    - credentials it refuses are refused for good (PermissionDenied ends Django's loop over the backends): the
      compatibility entry after it would otherwise hash the same wrong password a second time.
    """

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):  # not a key (Django's own backend: no such user)
            return None
        found = _USER_WITH_REGION.fetch(pk) if pk_in_range(UserModel, pk) else []
        return found[0] if found and self.user_can_authenticate(found[0]) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user
