"""The compose deployment, run without Docker: the real `cms serve` with the settings
docker-compose.yml gives it, behind a real nginx running deploy/nginx.conf, asked over TLS
and HTTP/2 as a mobile client would."""

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import Session

from bench.servers import free_port, running_server
from cms.db import make_engine
from cms.migrations import upgrade_database
from tests.deploy.nginx import Ports, needs_nginx, running_nginx, self_signed_certificate
from tests.factories import make_post

pytestmark = needs_nginx


@dataclass(frozen=True)
class Deployment:
    public_url: str  # what clients use: https, the certificate's name, nginx's port
    http_port: int
    certificate: Path
    slug: str  # of a live post

    def client(self, *, from_address: str = "127.0.0.2") -> httpx.Client:
        """An HTTP/2 client that trusts only the deployment's certificate, connecting from
        `from_address` (any 127.x address), so that readers can be told apart."""
        context = ssl.create_default_context(cafile=self.certificate)
        transport = httpx.HTTPTransport(http2=True, verify=context, local_address=from_address)
        return httpx.Client(transport=transport, base_url=self.public_url)


@pytest.fixture(scope="module")
def deployment(new_database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    database_url = new_database()
    engine = make_engine(database_url)
    upgrade_database(engine)
    with Session(engine) as session:
        slug = make_post(session, title="Over TLS").slug
        session.commit()
    engine.dispose()

    folder = tmp_path_factory.mktemp("deploy")
    certificate = self_signed_certificate(folder / "certs")
    ports = Ports(https=free_port(), http=free_port())
    public_url = f"https://localhost:{ports.https}"
    # As docker-compose.yml sets them (tests/deploy/test_packaging.py holds it to that), with
    # nginx's address here, 127.0.0.1, as the one proxy allowed to forward.
    settings = {
        "CMS_API_URL": public_url,
        "CMS_SECRET_KEY": "the same in every process and across restarts",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "CMS_SITE_URL": "https://www.example.test",
    }
    with (
        running_server(database_url, **settings) as api,
        running_nginx(
            folder / "nginx", upstream=urlsplit(api).netloc, ports=ports, certs=certificate.parent
        ),
    ):
        yield Deployment(public_url, ports.http, certificate, slug)


def test_the_api_answers_over_tls_and_http2_with_links_to_its_public_address(
    deployment: Deployment,
) -> None:
    with deployment.client() as client:
        posts = client.get("/api/v1/posts")
        health = client.get("/health")

    assert (posts.status_code, posts.http_version) == (200, "HTTP/2")
    assert (health.status_code, health.http_version) == (200, "HTTP/2")
    body = posts.json()
    assert body["links"]["self"] == f"{deployment.public_url}/api/v1/posts?page=1&limit=10"
    [post] = body["data"]
    assert post["links"]["self"] == f"{deployment.public_url}/api/v1/posts/{deployment.slug}"
    assert all(link.startswith("https://") for link in post["links"].values())


def test_readers_are_told_apart_by_their_own_address_not_the_proxys(
    deployment: Deployment,
) -> None:
    def view(from_address: str, **headers: str) -> int:
        with deployment.client(from_address=from_address) as client:
            answer = client.post(
                f"/api/v1/posts/{deployment.slug}/views",
                headers={"User-Agent": "The same phone", **headers},
            )
        assert answer.status_code == 200, answer.text
        return int(answer.json()["data"]["view_count"])

    first = view("127.0.0.2")
    another_reader = view("127.0.0.3")
    # nginx appends the real address; the API reads the rightmost one it does not trust.
    same_reader_forging = view("127.0.0.2", **{"X-Forwarded-For": "198.51.100.7"})

    assert (first, another_reader, same_reader_forging) == (1, 2, 2)


def test_plain_http_is_sent_to_https(deployment: Deployment) -> None:
    answer = httpx.get(f"http://localhost:{deployment.http_port}/api/v1/posts")

    assert answer.status_code == 301
    assert answer.headers["location"] == "https://localhost/api/v1/posts"
