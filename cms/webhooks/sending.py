"""One attempt at one delivery: a signed POST to a public address, over within the timeout
whatever the receiver does (hangs, drips its answer, sends gigabytes), redirects not
followed, and at most the answer's first KB read."""

import asyncio
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from cms.webhooks import addresses
from cms.webhooks.signing import sign

KEPT_BYTES = 1024  # of each answer, for the delivery log
USER_AGENT = "cms-webhooks/1.0"


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    webhook_id: int
    url: str
    secret: str
    message_id: str
    body: str


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    response: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, as the receiver asked

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def client(timeout: float) -> httpx.AsyncClient:
    # No proxies from the environment: a proxy would connect to what we checked by name.
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        trust_env=False,
        limits=httpx.Limits(max_connections=256, max_keepalive_connections=32),
    )


async def attempt(
    http: httpx.AsyncClient, outgoing: Outgoing, *, timeout: float, allow_private: bool
) -> Outcome:
    began = time.monotonic()
    status: int | None = None
    try:
        async with asyncio.timeout(timeout):
            target = addresses.parse(outgoing.url)
            found = await asyncio.to_thread(addresses.resolve, target, allow_private=allow_private)
            async with _post(http, outgoing, target, found[0]) as response:
                status = response.status_code
                first = await _first_bytes(response)
        return Outcome(
            status,
            _since(began),
            response=first.decode("utf-8", "replace"),
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
    except TimeoutError:
        return Outcome(status, _since(began), error=f"No answer within {timeout:g} s")
    except addresses.Refused as refused:
        return Outcome(None, _since(began), error=str(refused))
    except httpx.HTTPError as failed:
        return Outcome(status, _since(began), error=f"{type(failed).__name__}: {failed}"[:500])


def _post(
    http: httpx.AsyncClient,
    outgoing: Outgoing,
    target: addresses.Target,
    address: addresses.Address,
) -> AbstractAsyncContextManager[httpx.Response]:
    """The POST, sent to the address checked (never to a second lookup of the name)."""
    stamp = int(time.time())  # the attempt's, in real time: receivers check it against theirs
    signature = sign(
        outgoing.secret, message_id=outgoing.message_id, timestamp=stamp, body=outgoing.body
    )
    shown = f"[{address}]" if address.version == 6 else str(address)
    port = f":{target.parts.port}" if target.parts.port else ""
    url = target.parts._replace(netloc=shown + port).geturl()
    headers = {
        "Host": target.parts.netloc,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": outgoing.message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
    }
    extensions = {"sni_hostname": target.host} if target.parts.scheme == "https" else {}
    return http.stream(
        "POST", url, content=outgoing.body.encode(), headers=headers, extensions=extensions
    )


async def _first_bytes(response: httpx.Response) -> bytes:
    kept = b""
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) >= KEPT_BYTES:
            break  # the rest is never read: leaving closes the connection
    return kept[:KEPT_BYTES]


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from a number or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _since(began: float) -> int:
    return round((time.monotonic() - began) * 1000)
