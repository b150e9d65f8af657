"""Outbound HTTP to addresses users give us (webhooks, news feeds): public https targets only.

A URL is checked when it is saved (:func:`url_check_public`) and again at each request
(:func:`outbound_request`), after DNS resolution: every address the name resolves to must be public, and the
connection goes to the address that was checked (a second lookup could answer differently: DNS rebinding).
Redirects are never followed; a 3xx is returned to the caller as it is. Loopback, private, link-local
(``169.254.169.254``, the cloud metadata service), multicast and reserved ranges are refused, and so are
names that do not resolve. ``ABE_ALLOW_PRIVATE_URLS=1`` lifts the address check (and allows ``http``) for
tests and local development; it is off by default.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class UnsafeUrlError(ValidationError):
    """The URL is not an https URL whose every address is public."""


class OutboundError(Exception):
    """The request could not be made or answered in time (a temporary failure: retry later)."""


def private_urls_allowed() -> bool:
    return os.environ.get("ABE_ALLOW_PRIVATE_URLS", "") == "1"


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


@dataclass(frozen=True)
class CheckedUrl:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: list[str] = field(default_factory=list)


def url_check_public(url: str, *, resolve: bool = True) -> CheckedUrl:
    """Parse ``url`` and check that it is https and that every address its host resolves to is public."""
    allow_private = private_urls_allowed()
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise UnsafeUrlError({"url": "This is not a valid URL."}) from None
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise UnsafeUrlError({"url": "Use an https:// URL."})
    if parts.username or parts.password:
        raise UnsafeUrlError({"url": "Credentials in the URL are not allowed; use a signed request instead."})
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrlError({"url": "The URL has no host."})
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    addresses: list[str] = []
    if resolve:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            raise UnsafeUrlError({"url": f"The host “{host}” could not be resolved."}) from None
        addresses = sorted({str(info[4][0]) for info in infos})
        if not addresses:
            raise UnsafeUrlError({"url": f"The host “{host}” could not be resolved."})
        if not allow_private:
            private = [a for a in addresses if not _address_is_public(a)]
            if private:
                raise UnsafeUrlError(
                    {"url": "This host resolves to a private, loopback or reserved address; use a public host."}
                )
    return CheckedUrl(url=url, scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


@dataclass
class OutboundResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool = False


def _connection(checked: CheckedUrl, address: str, timeout: float) -> http.client.HTTPConnection:
    if checked.scheme == "https":
        context = ssl.create_default_context()

        class PinnedHTTPSConnection(http.client.HTTPSConnection):
            def connect(self) -> None:
                sock = socket.create_connection((address, checked.port), timeout=timeout)
                self.sock = context.wrap_socket(sock, server_hostname=checked.host)

        return PinnedHTTPSConnection(checked.host, checked.port, timeout=timeout, context=context)

    class PinnedHTTPConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = socket.create_connection((address, checked.port), timeout=timeout)

    return PinnedHTTPConnection(checked.host, checked.port, timeout=timeout)


def outbound_request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OutboundResponse:
    """Make one request to a checked public address; no redirects; read at most ``max_bytes`` of the body.

    Raises :class:`UnsafeUrlError` when the URL is not (or no longer) public, :class:`OutboundError` when the
    connection fails or times out.
    """
    checked = url_check_public(url)
    conn = _connection(checked, checked.addresses[0], timeout)
    send_headers = {"User-Agent": "ABE-Portal/1.0", **(headers or {})}
    try:
        conn.request(method, checked.path, body=body, headers=send_headers)
        response = conn.getresponse()
        data = response.read(max_bytes + 1)
        truncated = len(data) > max_bytes
        return OutboundResponse(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=data[:max_bytes],
            truncated=truncated,
        )
    except (OSError, http.client.HTTPException) as exc:
        raise OutboundError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
