"""Load generation for the benchmarks: wrk when it is installed, else a Python async client.

Both report the same figures (requests, seconds, p50 and p99 latency, errors) so that a
table can mix them; wrk is the faster client, so prefer it (Debian: apt install wrk).
"""

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass

import httpx


@dataclass
class Result:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# A POST from a new visitor each time: a counter, this run's name, and a random number.
VIEWS_SCRIPT = """
local paths, prefix, counter = {}, "", 0
init = function(args)
  prefix = args[1]
  for i = 2, #args do paths[#paths + 1] = args[i] end
end
request = function()
  counter = counter + 1
  local body = '{"visitor_id": "' .. prefix .. '-' .. counter .. '-' .. math.random(1e9) .. '"}'
  return wrk.format("POST", paths[counter % #paths + 1],
                    {["Content-Type"] = "application/json"}, body)
end
"""

# GETs that cycle through several paths (a different post or search each time).
GETS_SCRIPT = """
local paths, counter = {}, 0
init = function(args)
  for i = 1, #args do paths[#paths + 1] = args[i] end
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1])
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def load(
    base: str,
    paths: list[str],
    *,
    post_views: bool = False,
    connections: int = 32,
    seconds: int = 5,
    python_client: bool = False,
    headers: dict[str, str] | None = None,
) -> Result:
    """Drive `base` with requests to `paths` (in turn) for `seconds` (wrk sends `headers`
    with each; the Python client sends none)."""
    if have_wrk() and not python_client:
        return wrk(base, paths, post_views=post_views, connections=connections, seconds=seconds,
                   headers=headers)  # fmt: skip
    return asyncio.run(
        python_load(base, paths, post_views=post_views, connections=connections, seconds=seconds)
    )


def wrk(
    base: str,
    paths: list[str],
    *,
    post_views: bool,
    connections: int,
    seconds: int,
    name: str = "w",
    headers: dict[str, str] | None = None,
) -> Result:
    script_text = VIEWS_SCRIPT if post_views else GETS_SCRIPT
    arguments = [name, *paths] if post_views else paths
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(script_text)
        script.flush()
        output = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name,
             *(f"-H{name}: {value}" for name, value in (headers or {}).items()),
             base, "--", *arguments],
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
    return parse_wrk(output)


def parse_wrk(output: str) -> Result:
    def number(pattern: str) -> str:
        found = re.search(pattern, output)
        return found.group(1) if found else "0"

    def millis(percent: str) -> float:
        found = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", output)
        if found is None:
            return 0.0
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    errors = int(number(r"Non-2xx or 3xx responses: (\d+)")) + socket_errors(output)
    return Result(
        tool="wrk",
        requests=int(number(r"(\d+) requests in")),
        seconds=float(number(r"requests in ([\d.]+)s")),
        p50_ms=millis("50"),
        p99_ms=millis("99"),
        errors=errors,
    )


def socket_errors(output: str) -> int:
    """wrk's count of connections that failed or timed out, in its output."""
    return sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))


def warm(base: str, paths: list[str], *, encoding: str = "identity") -> None:
    """GET each of `paths` once, as wrk asks (no compression, unless `encoding`), so that
    these are the answers wrk then gets from the server's cache."""
    with httpx.Client(base_url=base, timeout=60, headers={"Accept-Encoding": encoding}) as client:
        for path in paths:
            client.get(path)


async def python_load(
    base: str,
    paths: list[str],
    *,
    post_views: bool,
    connections: int,
    seconds: int | None = None,
    requests: int | None = None,
) -> Result:
    """Requests to `paths` in turn, `connections` at a time, for `seconds` or `requests`."""
    deadline = time.perf_counter() + (seconds or 0)
    sent, errors = 0, 0
    latencies: list[float] = []

    def more() -> bool:
        return sent < requests if requests is not None else time.perf_counter() < deadline

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent, errors
        while more():
            sent += 1
            url = f"{base}{paths[sent % len(paths)]}"
            started = time.perf_counter()
            if post_views:
                response = await client.post(url, json={"visitor_id": uuid.uuid4().hex})
            else:
                response = await client.get(url)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code >= 400

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        "python client", len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors
    )
