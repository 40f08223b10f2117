"""A real nginx on 127.0.0.1 running the repository's deploy/nginx.conf, and the
self-signed certificate README.md tells one to make for trying it locally."""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.deploy import debian

ROOT = Path(__file__).resolve().parents[2]
SERVER_CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    return debian.binary("nginx")


needs_nginx = debian.needs("nginx", "nginx")


def self_signed_certificate(folder: Path, host: str = "localhost") -> Path:
    """Make fullchain.pem and privkey.pem in `folder` with README.md's openssl command."""
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
        "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}",
        "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem"),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return folder / "fullchain.pem"


@dataclass(frozen=True)
class Ports:
    https: int
    http: int


def local_server_config(*, upstream: str, ports: Ports, certs: Path) -> str:
    """deploy/nginx.conf with only what differs outside compose replaced: where the API
    is, the ports (on 127.0.0.1), and the certificates' folder."""
    config = SERVER_CONFIG.read_text()
    for compose_value, local_value in [
        ("server api:8000;", f"server {upstream};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports.https} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{ports.http};"),
        ("/etc/nginx/certs/", f"{certs}/"),
    ]:
        # A silent miss would test some other configuration than the one compose runs.
        assert compose_value in config, f"deploy/nginx.conf no longer has {compose_value!r}"
        config = config.replace(compose_value, local_value)
    return config


# What the nginx image's own nginx.conf provides around conf.d/, with every file it writes
# in the test's folder. One process, in the foreground: nothing to switch users or daemonise.
_MAIN_CONFIG = """\
daemon off;
master_process off;
pid {run}/nginx.pid;
error_log {run}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/default.conf;
}}
"""


@contextmanager
def running_nginx(run: Path, *, upstream: str, ports: Ports, certs: Path) -> Iterator[None]:
    """Run nginx with deploy/nginx.conf in front of `upstream` until the block ends."""
    binary = nginx_binary()
    assert binary, "nginx is not installed (apt-get install -y nginx)"
    run.mkdir(parents=True, exist_ok=True)
    (run / "default.conf").write_text(
        local_server_config(upstream=upstream, ports=ports, certs=certs)
    )
    (run / "nginx.conf").write_text(_MAIN_CONFIG.format(run=run))
    command = [binary, "-p", str(run), "-e", str(run / "error.log"), "-c", str(run / "nginx.conf")]
    nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(nginx, ports.https, run / "error.log")
        yield
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


def _wait_until_listening(nginx: subprocess.Popen[bytes], port: int, log: Path) -> None:
    for _ in range(100):
        if nginx.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not start:\n{log.read_text() if log.exists() else ''}")
