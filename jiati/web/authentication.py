"""The API's authentication (DRF's DEFAULT_AUTHENTICATION_CLASSES). A module of its own: DRF imports it while
`rest_framework.views` loads, so it must not import the views itself."""

from __future__ import annotations

from rest_framework import authentication
from rest_framework.authtoken.models import Token

from jiati.core.prepared import PreparedQuery

# The token, its user and the user's region in one statement, compiled once per process: building and compiling
# the queryset on every call cost more than the query itself (benchmarks/README.md, "HTTP load").
_TOKEN_WITH_USER = PreparedQuery(
    Token, lambda key: Token.objects.select_related("user", "user__region").filter(key=key)[:1], server_prepared=True
)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication reading the token, its user and the user's region in one query: scoping reads
    the region on every request (`accounts.scoping.area_q`), which was a second query."""

    def authenticate_credentials(self, key):
        found = _TOKEN_WITH_USER.fetch(key) if self.get_model() is Token else None
        token = found[0] if found else None
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's own refusal, in DRF's words
        return (token.user, token)
