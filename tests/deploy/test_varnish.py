"""The real `cms serve` behind a real Varnish running deploy/varnish.vcl: readers get
answers from Varnish's store, fresh, revalidated with 304s, and a publish reaches them once
its key is purged; signed-in requests and writes always reach cms."""

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest

from bench.servers import free_port, running_server
from tests.deploy.varnish import needs_varnish, running_varnish
from tests.processes import shared_post

pytestmark = needs_varnish


@dataclass(frozen=True)
class Proxied:
    varnish: str  # base URL readers use
    api: str  # cms itself, behind it
    slug: str  # of a live post
    editor: dict[str, str]  # headers that sign in as an editor

    def client(self, *, from_address: str = "127.0.0.1") -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=from_address)
        return httpx.Client(transport=transport, base_url=self.varnish)


@pytest.fixture(scope="module")
def proxied(new_database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    shared = shared_post(new_database(), title="Cached at the edge")
    run = tmp_path_factory.mktemp("varnish")
    with (
        running_server(shared.url) as api,
        running_varnish(run, backend=urlsplit(api).netloc, port=free_port()) as varnish,
    ):
        yield Proxied(varnish, api, shared.slug, shared.editor)


def from_varnish_store(answer: httpx.Response) -> bool:
    # X-Varnish holds this request's id, and on a hit also that of the request that stored it.
    hit = answer.headers["x-varnish-cache"] == "HIT"
    assert hit == (len(answer.headers["x-varnish"].split()) == 2), answer.headers
    return hit


def max_age(answer: httpx.Response) -> int:
    directives = dict(
        part.strip().partition("=")[::2] for part in answer.headers["cache-control"].split(",")
    )
    return int(directives["max-age"])


def titles(answer: httpx.Response) -> list[str]:
    return [post["title"] for post in answer.json()["data"]]


def purge(client: httpx.Client, keys: str) -> httpx.Response:
    """What README.md says to send to Varnish to drop every answer showing `keys`."""
    return client.request("PURGE", "/", headers={"Surrogate-Key": keys})


def test_a_second_read_is_a_fresh_hit_from_varnish(proxied: Proxied) -> None:
    with proxied.client() as client:
        for path in [f"/api/v1/posts/{proxied.slug}", "/api/v1/posts?limit=3"]:
            first = client.get(path)
            second = client.get(path)

            assert (first.status_code, second.status_code) == (200, 200)
            assert from_varnish_store(second)
            assert (second.json(), second.headers["etag"]) == (first.json(), first.headers["etag"])
            # Varnish's own Age: how long it has held the answer, well within cms's max-age.
            assert int(second.headers["age"]) < max_age(second)


def test_cms_sends_no_age_of_its_own_for_proxies_to_add_to(proxied: Proxied) -> None:
    path = f"{proxied.api}/api/v1/posts?limit=3"
    httpx.get(path)
    from_its_cache = httpx.get(path)

    assert from_its_cache.headers["cms-cache"] == "hit"
    assert "age" not in from_its_cache.headers
    assert "x-cache" not in from_its_cache.headers  # the name CDNs and proxies use for theirs


def test_revalidating_with_the_etag_is_a_304_from_varnish(proxied: Proxied) -> None:
    with proxied.client() as client:
        first = client.get("/api/v1/posts?limit=4")
        revalidated = client.get(
            "/api/v1/posts?limit=4", headers={"If-None-Match": first.headers["etag"]}
        )

    assert revalidated.status_code == 304
    assert from_varnish_store(revalidated)
    assert revalidated.headers["etag"] == first.headers["etag"]
    assert revalidated.content == b""


def publish(client: httpx.Client, editor: dict[str, str], title: str) -> None:
    created = client.post(
        "/api/v1/admin/posts", json={"title": title, "body": "New."}, headers=editor
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["data"]["id"]
    published = client.post(f"/api/v1/admin/posts/{post_id}/publish", headers=editor)
    assert published.is_success, published.text


def test_a_publish_reaches_readers_once_the_posts_key_is_purged(proxied: Proxied) -> None:
    with proxied.client() as client:
        client.get("/api/v1/posts")
        publish(client, proxied.editor, "Just published")  # through Varnish, as an editor would

        cached = client.get("/api/v1/posts")
        signed_in = client.get("/api/v1/posts", headers=proxied.editor)
        # Keys that are not the list's, though they are parts of its `posts` or nearly so.
        unrelated = purge(client, "post-999999 post osts")
        still_cached = client.get("/api/v1/posts")
        purged = purge(client, "feeds posts")
        fresh = client.get("/api/v1/posts")

    assert from_varnish_store(cached) and "Just published" not in titles(cached)
    assert not from_varnish_store(signed_in) and "Just published" in titles(signed_in)
    assert (unrelated.status_code, purged.status_code, purged.text) == (200, 200, "Banned\n")
    assert from_varnish_store(still_cached) and "Just published" not in titles(still_cached)
    assert not from_varnish_store(fresh) and titles(fresh)[0] == "Just published"


def test_only_this_host_may_purge_and_only_by_keys(proxied: Proxied) -> None:
    with proxied.client() as client, proxied.client(from_address="127.0.0.2") as stranger:
        client.get("/api/v1/posts?limit=5")
        from_elsewhere = purge(stranger, "posts")
        not_a_key = purge(client, "posts|.*")
        no_key = client.request("PURGE", "/")
        after = client.get("/api/v1/posts?limit=5")

    assert (from_elsewhere.status_code, from_elsewhere.text) == (403, "Forbidden\n")
    assert (not_a_key.status_code, no_key.status_code) == (400, 400)
    assert not_a_key.text == "Surrogate-Key must name keys, separated by spaces\n"
    assert from_varnish_store(after)


@pytest.mark.parametrize(
    "path, signed_in",
    [
        ("/api/v1/posts?limit=7", True),
        ("/api/v1/admin/posts", True),
        ("/api/v1/admin/posts", False),
    ],
)
def test_signed_in_and_admin_requests_are_never_stored(
    proxied: Proxied, path: str, signed_in: bool
) -> None:
    headers = proxied.editor if signed_in else {}
    with proxied.client() as client:
        answers = [client.get(path, headers=headers) for _ in range(2)]

    assert not any(from_varnish_store(answer) for answer in answers)


def test_a_preview_link_always_shows_the_draft_as_it_is_now(proxied: Proxied) -> None:
    with proxied.client() as client:
        created = client.post(
            "/api/v1/admin/posts", json={"title": "Draft", "body": "New."}, headers=proxied.editor
        )
        post = f"/api/v1/admin/posts/{created.json()['data']['id']}"
        link = client.post(f"{post}/preview", headers=proxied.editor).json()["data"]
        path = urlsplit(link["links"]["self"]).path
        first = client.get(path)
        etag = client.get(post, headers=proxied.editor).headers["etag"]
        client.patch(
            post, json={"title": "Draft, retitled"}, headers={**proxied.editor, "If-Match": etag}
        )
        second = client.get(path)
        client.delete(f"{post}/preview", headers=proxied.editor)
        ended = client.get(path)

    assert not from_varnish_store(first) and not from_varnish_store(second)
    assert (first.json()["data"]["title"], second.json()["data"]["title"]) == (
        "Draft", "Draft, retitled",
    )  # fmt: skip
    assert ended.status_code == 404


def test_a_readers_cookies_do_not_keep_answers_out_of_the_store(proxied: Proxied) -> None:
    with proxied.client() as client:
        client.get("/api/v1/posts?limit=8", headers={"Cookie": "theme=dark"})
        second = client.get("/api/v1/posts?limit=8", headers={"Cookie": "theme=light"})

    assert from_varnish_store(second)


def test_views_through_varnish_are_counted_per_reader_by_their_own_address(
    proxied: Proxied,
) -> None:
    def view(from_address: str) -> int:
        with proxied.client(from_address=from_address) as client:
            answer = client.post(
                f"/api/v1/posts/{proxied.slug}/views", headers={"User-Agent": "The same phone"}
            )
        assert answer.status_code == 200, answer.text
        return int(answer.json()["data"]["view_count"])

    first = view("127.0.0.2")
    another_reader = view("127.0.0.3")
    # Varnish sends the reader's address in X-Forwarded-For, which cms believes from it.
    the_first_again = view("127.0.0.2")

    assert (another_reader, the_first_again) == (first + 1, first + 1)
