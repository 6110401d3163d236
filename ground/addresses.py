"""Which network addresses shoplint may connect to outside the site.

A link on a shop is untrusted, and the machine running shoplint sits inside a network: a
cloud metadata service on 169.254.169.254, the CI runner's own services on loopback, an
intranet. So requests off the site never go to link-local, multicast, unspecified or
reserved addresses, and go to loopback or private ones only where the site itself lives (a
test shop on 127.0.0.1, a staging shop on an intranet) or for hosts the configuration
names. The judgement is made on the resolved addresses, so a public name pointing inside
is caught too, and only an address that passed is connected to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = "loopback"
PRIVATE = "private"  # RFC 1918, unique-local IPv6, carrier-grade NAT, ...: not global
PUBLIC = "public"


class BlockedAddress(Exception):
    """A host resolved only to addresses shoplint may not connect to."""

    def __init__(self, host: str, address: str, kind: str):
        named = f"{address} ({kind})"
        super().__init__(named if host == address else f"{host}: {named}")
        self.host = host
        self.address = address
        self.kind = kind


def address_kind(address: str) -> str:
    """loopback, private, public, or one never connected to: link-local, multicast,
    unspecified, reserved. An IPv4 address written as IPv6 (::ffff:a.b.c.d) is judged
    as the IPv4 address it is."""
    ip = ipaddress.ip_address(address.partition("%")[0])  # without an IPv6 zone (%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return LOOPBACK
    for kind, flag in (
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return kind
    return PUBLIC if ip.is_global else PRIVATE


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses always; loopback and private addresses when the site is on one
    of that kind (`inside`) or for the host names in `hosts`; nothing else, ever."""

    inside: frozenset[str] = frozenset()  # LOOPBACK and/or PRIVATE
    hosts: frozenset[str] = frozenset()  # lower-case names allowed on loopback or private

    @classmethod
    def for_site(cls, start_url: str, listed: Iterable[str] = ()) -> AddressPolicy:
        """The policy of a run: where the site is (its start URL's host, resolved now)
        decides what is inside; the hosts `listed` (host or host:port) may be inside too."""
        site = _hostname(start_url)
        inside = {address_kind(address) for address in _resolve(site)} if site else set()
        names = {_hostname(f"//{host}") for host in listed} - {""}
        return cls(frozenset(inside & {LOOPBACK, PRIVATE}), frozenset(names))

    def refusal(self, host: str, address: str) -> str | None:
        """Why `host` may not be reached at `address` (its kind), or None if it may."""
        kind = address_kind(address)
        if kind == PUBLIC:
            return None
        if kind in (LOOPBACK, PRIVATE) and (
            kind in self.inside or host.lower().rstrip(".") in self.hosts
        ):
            return None
        return kind

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses `host` resolves to that may be connected to, in the resolver's
        order; BlockedAddress if there is none (socket.gaierror if it does not resolve)."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = [address for address in found if self.refusal(host, address) is None]
        if not allowed:
            refused = found[0]
            raise BlockedAddress(host, refused, self.refusal(host, refused) or "")
        return allowed


def _hostname(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def _resolve(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError):
        return []
