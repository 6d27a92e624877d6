"""Where webhooks may point: http(s) URLs whose host resolves to public addresses only (no SSRF).

A webhook URL chosen by an API caller must not make graphsvc reach into its own network: a host
that resolves to any private, loopback, link-local, shared, reserved, multicast or unspecified
address is refused, when the webhook is added and again before every delivery (DNS answers change).
A delivery connects to the address that was checked, not to a second lookup's answer, so a name
that resolves once public and then private (DNS rebinding) cannot slip through.
``GRAPHSVC_WEBHOOK_ALLOW_PRIVATE=true`` allows every address (tests, closed networks).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

from graphsvc.errors import InvalidInput

__all__ = ["MAX_URL_LENGTH", "Target", "check_url", "resolve_target"]

MAX_URL_LENGTH = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A webhook URL and the checked address a request to it connects to."""

    url: httpx.URL
    address: str

    def request_url(self) -> httpx.URL:
        """``url`` with its host replaced by the checked address (the Host header and TLS keep the name)."""
        return self.url.copy_with(host=self.address)


def check_url(url: str) -> httpx.URL:
    """``url`` parsed, if it is an absolute http or https URL with a host.

    Raises
    ------
    InvalidInput
        Naming the URL and what is wrong with it.
    """
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"webhook url is longer than {MAX_URL_LENGTH} characters")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InvalidInput(f"webhook url {url!r} is not a URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise InvalidInput(f"webhook url {url!r} must be http or https")
    if not parsed.host:
        raise InvalidInput(f"webhook url {url!r} has no host")
    return parsed


def _refused(address: IPAddress) -> str | None:
    """Why ``address`` may not be a webhook target; None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # Most specific first: 0.0.0.0 and 240.0.0.0/4 count as private too.
    for flag in ("loopback", "link_local", "unspecified", "multicast", "reserved", "private"):
        if getattr(address, f"is_{flag}"):
            return flag.replace("_", "-")
    return None if address.is_global else "non-public"


async def resolve_target(url: str, allow_private: bool = False) -> Target:
    """Check ``url`` (:func:`check_url`), resolve its host and check every address it resolves to.

    Raises
    ------
    InvalidInput
        The URL is malformed, its host does not resolve, or it resolves to an address that is not
        public (unless ``allow_private``); the message names the URL and the address.
    """
    parsed = check_url(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        # The loop's resolver runs in a worker thread: a slow DNS server never blocks the event loop.
        infos = await asyncio.get_running_loop().getaddrinfo(parsed.host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"webhook url {url!r}: host {parsed.host!r} does not resolve ({exc})") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not allow_private:
        for address in addresses:
            if (reason := _refused(address)) is not None:
                raise InvalidInput(
                    f"webhook url {url!r} resolves to {address}, which is {reason}; webhooks may only call public "
                    "addresses (GRAPHSVC_WEBHOOK_ALLOW_PRIVATE=true allows others)"
                )
    return Target(parsed, str(addresses[0]))
