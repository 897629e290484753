"""The client's address, as the trusted reverse proxy reports it (never trusted by default).

Behind the proxy docs/deployment.md prescribes, every request comes from the proxy's address: a lockout keyed on it
locks an account for everyone, and the audit trail names the proxy. `JIATI_TRUSTED_PROXIES` lists the proxies'
addresses; only a request whose connecting address is one of them has its `JIATI_PROXY_HEADER` read, right to left,
skipping the trusted hops, so a client cannot forge its address by sending the header itself.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client that sent `request` (used by the sign-in lockout and the audit trail)."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    trusted = set(settings.JIATI_TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    forwarded = request.META.get(settings.JIATI_PROXY_HEADER, "")
    for hop in reversed(forwarded.split(",")):
        address = _valid(hop)
        if address is None:
            break  # a malformed hop: what lies left of it cannot be believed
        if address not in trusted:
            return address
    return remote
