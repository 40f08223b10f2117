"""Real HTTP receivers on 127.0.0.1 for the webhook tests: each records what it was sent and
answers as told, one way per request in turn (the last way for every request after)."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Receiver:
    url: str
    ways: list[str]  # "200", "500", "410", "503:120" (Retry-After), "hang", "drip", "302", "huge"
    received: list[Received] = field(default_factory=list)

    def way(self) -> str:
        return self.ways[min(len(self.received) - 1, len(self.ways) - 1)]

    def types(self) -> list[str]:
        return [item.payload["type"] for item in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(dict(self.headers.items()), body))
            way = receiver.way()
            if way == "hang":
                time.sleep(5)
                return
            if way == "302":
                self.send_response(302)
                self.send_header("Location", receiver.url + "/elsewhere")
                self.end_headers()
                return
            if way in {"drip", "huge"}:
                self.send_response(200)
                self.send_header("Content-Length", str(5 * 2**30))
                self.end_headers()
                self._send_slowly(way)
                return
            code, _, retry_after = way.partition(":")
            self.send_response(int(code))
            if retry_after:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def _send_slowly(self, way: str) -> None:
            chunk = b"x" if way == "drip" else b"y" * 65536
            try:
                for _ in range(100_000):
                    self.wfile.write(chunk)
                    if way == "drip":
                        time.sleep(0.05)
            except OSError:
                pass  # the sender hung up, as it should

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@contextmanager
def receiving(*ways: str) -> Iterator[Receiver]:
    """A receiver answering in `ways` (default: 200 to everything), stopped afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver("", [])))
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook", list(ways or ["200"]))
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
