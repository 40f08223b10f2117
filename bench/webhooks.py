"""Benchmark: webhook deliveries (issue 16's figures).

    python bench/webhooks.py [--deliveries 2000] [--scheduled 5] [--database-url postgresql+psycopg://...]

Starts one `cms serve` (one process) with a receiver on 127.0.0.1, then:
1. queues `--deliveries` deliveries of one event at once and prints how many per second the
   process sends, signed, to a receiver answering 204 at once;
2. schedules `--scheduled` posts for two seconds ahead through the Admin API and prints how
   late each one's `post.published` reached the receiver (median and worst).
Figures are for this machine and this run.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.seed import editor_token, seed, throwaway_database
from bench.servers import running_server
from cms.db import make_engine
from cms.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from cms.webhooks.signing import new_secret

arrivals: list[tuple[float, bytes]] = []


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections open, as a real receiver would

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        arrivals.append((time.time(), body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--deliveries", type=int, default=2000)
    args.add_argument("--scheduled", type=int, default=5)
    args.add_argument("--database-url", default=None)
    options = args.parse_args()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    env = {"CMS_WEBHOOKS_ALLOW_PRIVATE": "true"}
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(options.database_url, Path(folder)) as url,
    ):
        seed(url, 20)
        token = editor_token(url)
        engine = make_engine(url)
        with running_server(url, **env) as server:
            throughput(engine, hook, options.deliveries)
            lateness(engine, hook, server, token, options.scheduled)
        engine.dispose()
    receiver.shutdown()
    return 0


def throughput(engine: Engine, hook: str, count: int) -> None:
    with Session(engine) as session:
        webhook = Webhook(url=hook, events="ping", secret=new_secret())
        session.add(webhook)
        session.flush()
        event = WebhookEvent(type="ping", webhook_id=webhook.id, body='{"type": "ping"}')
        session.add(event)
        session.flush()
        now = datetime.now(UTC)
        session.add_all(
            WebhookDelivery(webhook_id=webhook.id or 0, event_id=event.id or 0, next_attempt_at=now)
            for _ in range(count)
        )
        started = time.perf_counter()
        session.commit()
    while len(arrivals) < count:
        time.sleep(0.01)
    took = time.perf_counter() - started
    print(f"{count} deliveries sent by one process in {took:.2f} s: {count / took:,.0f}/s")


def lateness(engine: Engine, hook: str, server: str, token: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with Session(engine) as session:
        session.add(Webhook(url=hook, events="post.published", secret=new_secret()))
        session.commit()
    arrivals.clear()
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    for number in range(1, count + 1):
        httpx.post(f"{server}/api/v1/admin/posts/{number}/unpublish", headers=headers)
        answer = httpx.post(
            f"{server}/api/v1/admin/posts/{number}/publish",
            json={"published_at": at.isoformat()},
            headers=headers,
        )
        answer.raise_for_status()
    deadline = time.time() + 30
    while len(arrivals) < count and time.time() < deadline:
        time.sleep(0.01)
    late = [received - at.timestamp() for received, body in arrivals if b"scheduled" in body]
    print(
        f"{len(late)} scheduled posts' post.published arrived {statistics.median(late):.2f} s "
        f"after their time (median), {max(late):.2f} s at worst"
    )


if __name__ == "__main__":
    sys.exit(main())
