"""The real client's IP address, in one place (axes' lockout key and the access log).

`X-Forwarded-For` is believed only when the direct peer (`REMOTE_ADDR`) is one of
`settings.TRUSTED_PROXIES` (CIDRs, default: none). Then the header is read right to left and
the first address that is not itself a trusted proxy is the client: everything to the left of
it was written by the client and can be forged.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_trusted_proxies(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """`("10.0.0.0/8", "::1")` → networks; a bad entry raises ValueError (a configuration error)."""
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _parse_ip(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`, or None when the peer is unknown."""
    peer = _parse_ip(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = parse_trusted_proxies(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not _is_trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    client = peer
    for entry in reversed(forwarded.split(",")):
        hop = _parse_ip(entry)
        if hop is None:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)
