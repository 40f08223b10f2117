"""Page loads as a blog's readers make them: GET a post, then POST a view of it from a new
visitor, and again, each reader on a connection of its own.

wrk drives them when it is installed, with one connection per thread: a thread then has one
request in flight at a time, so its Lua script knows which request each answer is for. That
is what lets it time GETs apart from POSTs and count the answered views of each post, and
stop cleanly: a thread stops after a page load, once the time is up, never with a view in
flight, so that every view the server counted was answered (the check in bench/page_load.py
relies on it). The Python client, used without wrk, does the same, slower.
"""

import asyncio
import re
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.load import have_wrk, parse_wrk, socket_errors


@dataclass
class PageLoads:
    tool: str
    gets: int  # answered 200
    views: Counter[str] = field(default_factory=Counter)  # answered 200, per post's path
    failed: int = 0  # answers other than 200, and errors of the connection
    seconds: float = 0.0
    get_p50_ms: float = 0.0
    get_p99_ms: float = 0.0
    last_view_at: float = 0.0  # time.monotonic() when the last view was answered
    cut_short: bool = False  # wrk stopped a reader at its cap, maybe with a view in flight

    @property
    def answered_views(self) -> int:
        return sum(self.views.values())

    @property
    def rate(self) -> float:
        """Requests of any kind a second."""
        requests = self.gets + self.answered_views + self.failed
        return requests / self.seconds if self.seconds else 0.0

    @property
    def page_rate(self) -> float:
        """Page loads (a GET and its view, both answered) a second."""
        return self.answered_views / self.seconds if self.seconds else 0.0


# Arguments: mode ("mix": page loads, "reads": GETs only), a prefix for visitor ids unique
# to the run, the seconds to run, then the posts' paths.
SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now()  -- CLOCK_MONOTONIC: the clock of Python's time.monotonic()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) * 1e-9
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

local mode, prefix, deadline, paths = "", "", 0, {}
local page, posting, sent_at, visitors = 0, false, 0, 0
init = function(args)
  mode, prefix, deadline = args[1], args[2], now() + tonumber(args[3])
  for i = 4, #args do paths[#paths + 1] = args[i] end
  page = id  -- threads start on different posts
  gets, failed, views, get_ms, last_view = 0, 0, {}, {}, 0
end

local function path() return paths[page % #paths + 1] end

request = function()
  sent_at = now()
  if posting then
    visitors = visitors + 1
    local body = '{"visitor_id":"' .. prefix .. "-" .. id .. "-" .. visitors .. '"}'
    return wrk.format("POST", path() .. "/views", {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", path())
end

response = function(status, headers, body)
  if posting then
    if status == 200 then
      views[path()] = (views[path()] or 0) + 1
      last_view = now()
    else
      failed = failed + 1
    end
    posting, page = false, page + 1
  else
    get_ms[#get_ms + 1] = (now() - sent_at) * 1000
    if status == 200 then gets = gets + 1 else failed = failed + 1 end
    if mode == "mix" then posting = true else page = page + 1 end
  end
  if not posting and now() >= deadline then
    -- One string, so one write: threads stopping at once must not interleave their lines.
    io.write("stopped " .. id .. "\\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local all, gets, failed, last, views = {}, 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("get_ms")) do all[#all + 1] = ms end
    gets, failed = gets + thread:get("gets"), failed + thread:get("failed")
    last = math.max(last, thread:get("last_view"))
    for path, n in pairs(thread:get("views")) do views[path] = (views[path] or 0) + n end
  end
  table.sort(all)
  local function at(q) return #all > 0 and all[math.max(1, math.ceil(q * #all))] or 0 end
  io.write(string.format("result gets=%d failed=%d last_view=%.6f p50=%.3f p99=%.3f\\n",
                         gets, failed, last, at(0.5), at(0.99)))
  for path, n in pairs(views) do io.write("views ", n, " ", path, "\\n") end
end
"""

# wrk's own end, in case a thread never finishes its last page load: it then stops with
# requests in flight, and the count check may find views stored that were never answered.
GRACE_SECONDS = 30


def page_loads(
    base: str,
    paths: list[str],
    *,
    mix: bool,
    connections: int,
    seconds: int,
    python_client: bool = False,
) -> PageLoads:
    """Page loads (mix) or GETs alone of `paths`, from `connections` readers, for `seconds`."""
    if have_wrk() and not python_client:
        return wrk_page_loads(base, paths, mix=mix, connections=connections, seconds=seconds)
    return asyncio.run(
        python_page_loads(base, paths, mix=mix, connections=connections, seconds=seconds)
    )


def wrk_page_loads(
    base: str, paths: list[str], *, mix: bool, connections: int, seconds: int
) -> PageLoads:
    arguments = ["mix" if mix else "reads", uuid.uuid4().hex[:12], str(seconds), *paths]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(SCRIPT)
        script.flush()
        command = [
            "wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds + GRACE_SECONDS}s",
            "--timeout", f"{GRACE_SECONDS}s", "--latency", "-s", script.name, base,
            "--", *arguments,
        ]  # fmt: skip
        output, stopped = _until_every_thread_stops(command, connections)
    loads = parse_page_loads(output)
    loads.cut_short = stopped < connections
    return loads


def _until_every_thread_stops(command: list[str], threads: int) -> tuple[str, int]:
    """wrk's output, and how many threads stopped by themselves; wrk waits out its whole
    duration even when every thread has stopped, so it is interrupted (SIGINT: it then
    reports as usual) once the last one has."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as wrk:
        assert wrk.stdout is not None
        lines, stopped = [], 0
        for line in wrk.stdout:
            lines.append(line)
            stopped += len(re.findall(r"stopped \d+", line))
            if stopped == threads:
                wrk.send_signal(signal.SIGINT)
                break
        lines.append(wrk.stdout.read())
        if wrk.wait() != 0:
            raise RuntimeError(f"wrk failed:\n{''.join(lines)}")
    return "".join(lines), stopped


def parse_page_loads(output: str) -> PageLoads:
    found = re.search(
        r"result gets=(\d+) failed=(\d+) last_view=([\d.]+) p50=([\d.]+) p99=([\d.]+)", output
    )
    if found is None:
        raise RuntimeError(f"wrk's script reported nothing:\n{output}")
    gets, failed, last_view, p50, p99 = found.groups()
    views = Counter({path: int(n) for n, path in re.findall(r"^views (\d+) (\S+)$", output, re.M)})
    return PageLoads(
        tool="wrk",
        gets=int(gets),
        views=views,
        failed=int(failed) + socket_errors(output),
        seconds=parse_wrk(output).seconds,
        get_p50_ms=float(p50),
        get_p99_ms=float(p99),
        last_view_at=float(last_view),
    )


async def python_page_loads(
    base: str, paths: list[str], *, mix: bool, connections: int, seconds: int
) -> PageLoads:
    """The same page loads from asyncio tasks, each with a connection of its own; a task
    stops after a page load once the time is up."""
    result = PageLoads(tool="python client", gets=0)
    get_ms: list[float] = []

    async def reader(client: httpx.AsyncClient, page: int) -> None:
        while time.monotonic() < deadline:
            path, page = paths[page % len(paths)], page + 1
            started = time.perf_counter()
            answer = await client.get(path)
            get_ms.append((time.perf_counter() - started) * 1000)
            result.gets += answer.status_code == 200
            result.failed += answer.status_code != 200
            if mix:
                await view(client, path)

    async def view(client: httpx.AsyncClient, path: str) -> None:
        answer = await client.post(f"{path}/views", json={"visitor_id": uuid.uuid4().hex})
        if answer.status_code == 200:
            result.views[path] += 1
            result.last_view_at = time.monotonic()
        else:
            result.failed += 1

    # Made before the clock starts: making a client takes milliseconds (its TLS context).
    # No compression, as wrk asks: the answers that bench.load.warm put in the cache.
    options: dict[str, Any] = {
        "base_url": base, "limits": httpx.Limits(max_connections=1), "timeout": 60,
        "headers": {"Accept-Encoding": "identity"},
    }  # fmt: skip
    clients = [httpx.AsyncClient(**options) for _ in range(connections)]
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(reader(client, page) for page, client in enumerate(clients)))
    result.seconds = time.perf_counter() - started
    for client in clients:
        await client.aclose()
    cuts = statistics.quantiles(get_ms, n=100) if len(get_ms) > 1 else [0.0] * 99
    result.get_p50_ms, result.get_p99_ms = cuts[49], cuts[98]
    return result
