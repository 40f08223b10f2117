"""A real Varnish on 127.0.0.1 running the repository's deploy/varnish.vcl in front of a
cms server, with everything it writes in the test's folder."""

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.deploy import debian

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish.vcl"


def varnish_binary() -> str | None:
    return debian.binary("varnishd")


needs_varnish = debian.needs("varnishd", "varnish")


def local_vcl(*, backend_host: str, backend_port: int) -> str:
    """deploy/varnish.vcl with only the backend's address replaced."""
    vcl = VCL.read_text()
    for shipped, local in [
        ('.host = "127.0.0.1";', f'.host = "{backend_host}";'),
        ('.port = "8000";', f'.port = "{backend_port}";'),
    ]:
        # A silent miss would test some other file than the one users are told to run.
        assert shipped in vcl, f"deploy/varnish.vcl no longer has {shipped!r}"
        vcl = vcl.replace(shipped, local)
    return vcl


@contextmanager
def running_varnish(run: Path, *, backend: str, port: int) -> Iterator[str]:
    """Run Varnish with deploy/varnish.vcl on 127.0.0.1:`port` in front of `backend`
    (host:port) until the block ends; yield its base URL."""
    binary = varnish_binary()
    assert binary, "Varnish is not installed (apt-get install -y varnish)"
    run.mkdir(parents=True, exist_ok=True)
    host, backend_port = backend.rsplit(":", 1)
    vcl = run / "varnish.vcl"
    vcl.write_text(local_vcl(backend_host=host, backend_port=int(backend_port)))
    log = run / "varnishd.log"
    # In the foreground, its working files under `run`; `-j none`: no switch to the varnish
    # users, who could not read the test's folder (and do not exist for a non-root user).
    command = [
        binary, "-F", "-j", "none", "-n", str(run / "instance"),
        "-a", f"127.0.0.1:{port}", "-T", "127.0.0.1:0",
        "-f", str(vcl), "-s", "malloc,32m",
    ]  # fmt: skip
    with log.open("wb") as output:
        varnish = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(varnish, base, log)
        yield base
    finally:
        varnish.terminate()
        varnish.wait(timeout=20)


def _wait_until_serving(varnish: subprocess.Popen[bytes], base: str, log: Path) -> None:
    # Varnish compiles the VCL with the C compiler first: seconds on a busy machine. Its
    # socket may accept before its worker serves, so wait for an answer through it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and varnish.poll() is None:
        try:
            if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"Varnish did not start:\n{log.read_text()}")
