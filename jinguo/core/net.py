"""The client's address: one rule for the audit trail, the sign-in throttle and django-axes.

REMOTE_ADDR is the peer that opened the connection, the only address nobody can forge. Headers that name another
address (X-Forwarded-For, X-Real-IP) are written by whoever sends the request, so they count only when the peer is
one of our own reverse proxies (JINGUO_TRUSTED_PROXIES). Then the client is the right-most hop of X-Forwarded-For
that is not one of our proxies: hops to its left were written by the client itself and prove nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    """The configured proxies as networks (a bare address is a /32 or /128)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The address of the client: REMOTE_ADDR, or behind a trusted proxy the address that proxy saw."""
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = trusted_proxies()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: nothing to its left can be trusted either
        if not _trusted(address, networks):
            return str(address)
    real = _address(meta.get("HTTP_X_REAL_IP"))
    return str(real) if real is not None else str(peer)
