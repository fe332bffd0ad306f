"""Where a fetch may connect: address checks, and connections pinned to checked addresses.

:class:`~articleaudio.extract.fetch.Fetcher` resolves a host once, checks every
address with :func:`refuse_private`, then connects to those very addresses through
:func:`pinned_connection`, so a name that resolves differently a moment later (DNS
rebinding) cannot reach an address that was never checked.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl

from ..errors import PrivateAddressError


def resolve_host(host: str, port: int) -> list[str]:
    """The IP addresses ``host`` resolves to, in the order to try them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refuse_private(url: str, address: str, *, allowed: tuple[str, ...] = ()) -> None:
    """Raise :class:`PrivateAddressError` unless ``address`` is public or in ``allowed``.

    ``allowed`` holds networks (``10.1.2.0/24``) the settings let through.

    >>> refuse_private("http://example.org/", "93.184.215.14")
    >>> refuse_private("http://intranet/", "10.0.0.1")
    Traceback (most recent call last):
    ...
    articleaudio.errors.PrivateAddressError: ...
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    if ip.is_global and not ip.is_multicast:
        return
    if any(ip in ipaddress.ip_network(net, strict=False) for net in allowed):
        return
    raise PrivateAddressError(
        f"{url} resolves to {address}, a loopback, link-local or private address; "
        "articleaudio fetches public addresses only unless private ones are allowed",
        source=url,
        address=address,
    )


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an already checked address, with the URL's host as ``Host``."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect_first(self._addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to an already checked address; the certificate must name the host."""

    def __init__(
        self, host: str, port: int, *, addresses: list[str], timeout: float, ca_file: str | None
    ) -> None:
        self._tls = ssl.create_default_context(cafile=ca_file)
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._addresses = addresses

    def connect(self) -> None:
        sock = _connect_first(self._addresses, self.port, self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def _connect_first(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A socket to the first of ``addresses`` that accepts (``localhost`` may be ::1 first)."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


def pinned_connection(
    host: str,
    port: int,
    *,
    addresses: list[str],
    tls: bool,
    timeout: float,
    ca_file: str | None = None,
) -> http.client.HTTPConnection:
    """An HTTP(S) connection for ``host`` that connects only to the checked ``addresses``."""
    if tls:
        return _PinnedHTTPS(host, port, addresses=addresses, timeout=timeout, ca_file=ca_file)
    return _PinnedHTTP(host, port, addresses=addresses, timeout=timeout)
