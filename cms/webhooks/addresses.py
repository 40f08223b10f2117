"""Where a webhook may point: http(s) URLs of public hosts. A receiver on a loopback,
private or link-local address would let whoever creates webhooks make this server call
into its own network (SSRF), so those are refused when a webhook is saved and again at
every delivery, since what a name resolves to can change; CMS_WEBHOOKS_ALLOW_PRIVATE
lifts it for receivers that really are on the same network."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_URL = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """A URL this server will not call, and why, in words for the editor."""


@dataclass(frozen=True)
class Target:
    """A URL taken apart for a delivery: connect to `address`, say `host` (Host, SNI)."""

    parts: SplitResult
    host: str
    port: int


def parse(url: str) -> Target:
    """The URL's parts, once it is http(s) with a host and no credentials."""
    if len(url) > MAX_URL:
        raise Refused(f"A webhook URL has at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("Not a URL") from None
    if parts.scheme not in {"http", "https"}:
        raise Refused("A webhook URL starts with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise Refused("A webhook URL cannot carry a user name or password: use its secret")
    if not parts.hostname:
        raise Refused("A webhook URL needs a host")
    return Target(parts, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def resolve(target: Target, *, allow_private: bool) -> list[Address]:
    """The addresses the host resolves to, all of them public unless `allow_private`: one
    private address among public ones is refused too (it may be the one connected to)."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(f"The host {target.host} does not resolve") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise Refused(
                    f"The host {target.host} is at {address}, a loopback, private or link-local "
                    "address (CMS_WEBHOOKS_ALLOW_PRIVATE=true allows it)"
                )
    return addresses


def is_public(address: Address) -> bool:
    # is_global leaves out private, loopback, link-local, shared (100.64/10), reserved and
    # documentation ranges, and IPv6's mapped IPv4 forms of them.
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        return is_public(mapped)
    return address.is_global and not address.is_multicast
