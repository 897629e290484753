"""The API's authentication (DRF's DEFAULT_AUTHENTICATION_CLASSES). A module of its own: DRF imports it while
`rest_framework.views` loads, so it must not import the views itself."""

from __future__ import annotations

from rest_framework import authentication


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication reading the token, its user and the user's region in one query: scoping reads
    the region on every request (`accounts.scoping.area_q`), which was a second query."""

    def authenticate_credentials(self, key):
        token = self.get_model().objects.select_related("user", "user__region").filter(key=key).first()
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's own refusal, in DRF's words
        return (token.user, token)
