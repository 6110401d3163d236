"""An httpx transport that connects only where the run's AddressPolicy allows
(ground/addresses.py). Every new connection, on every redirect hop and every retry,
resolves its host here, drops the addresses it may not reach and connects to one that
passed, so a name that resolves elsewhere a second time (DNS rebinding) gains nothing.
Proxies from the environment are not used: through a proxy, the address could not be
vetted."""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from ground.addresses import AddressPolicy


class _GuardedBackend(httpcore.AnyIOBackend):
    def __init__(self, policy: AddressPolicy):
        super().__init__()
        self.policy = policy

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first allowed address that answers; BlockedAddress (not an
        httpx error: it is no network failure) when the host has none."""
        try:
            addresses = await self.policy.addresses(host, port)
        except OSError as exc:  # the name does not resolve: httpx reports a ConnectError
            raise httpcore.ConnectError(str(exc)) from exc
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await super().connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None  # `addresses` is never empty
        raise error


def guarded_transport(policy: AddressPolicy, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=limits)
    # httpx takes no network backend: its connection pool is made again with ours
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(policy),
    )
    return transport
