"""The OpenAPI contract: schemathesis exercises every operation of the app's own /openapi.json.

Requests go through ASGI (no server) to an app on a throw-away database of its own that holds
the demo blog. A response fails when it is a 5xx, or when its status code, content type, headers
or body are not what the document says; invalid requests (negative generation) must get a
documented 4xx.
"""

import copy
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session, select

from cms.app import create_app
from cms.auth import service as auth_service
from cms.auth.models import TokenKind
from cms.config import Settings
from cms.db import make_engine
from cms.demo.loader import load_demo
from cms.migrations import upgrade_database
from cms.posts import service as posts_service
from cms.posts.models import PostSlugRedirect
from cms.users import service as users_service
from cms.users.models import Role, User
from cms.users.schemas import UserCreate

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # the demo's scheduled post is still to come
# Uploads the fuzzing makes go to a folder of this run's own, removed with it.
MEDIA_DIR = tempfile.TemporaryDirectory(prefix="cms-contract-media-")
SETTINGS = Settings(
    database_url="sqlite://",
    site_url="https://blog.example.com",
    media_dir=MEDIA_DIR.name,
    # The fixtures below write beside the app with plain sessions, which would trip over
    # the webhook sender's writes on SQLite; tests/webhooks runs the sender.
    webhooks_worker=False,
)


# schemathesis needs the document at collection, to make one test per operation, before any
# fixture (and so any database) exists. The document is built from the routes alone, so it is
# fetched from an app whose in-memory database is never opened; the requests go to `demo_app`,
# and test_the_app_under_test_serves_this_document checks that it serves the same document.
# (`schemathesis.pytest.from_fixture` would avoid this, but with pytest 9.2 it fails with
# "AttributeError: 'Function' object has no attribute '_nodeid'".)
# The config is explicit so that a schemathesis.toml lying around cannot change what runs:
# positive and negative generation, every default check.
def load_schema(*refusals: str, only_here: dict[str, list[str]] | None = None) -> Any:
    """The app's document, with positive and negative generation and every default check.

    A well-formed request may still be refused for what its data says rather than its shape
    (`refusals`, e.g. 422: a parent comment that is not on the post; 403: comments closed);
    those statuses are documented and count as answers, not as rejected valid data.
    `only_here` adds refusals for one path only (a query whose parameters are each valid
    but not together, which a schema cannot say).
    """
    # 413: a body may fit its schema and still be over CMS_MAX_BODY_MB (1 MB of Unicode).
    expected = ["2xx", "3xx", "401", "403", "404", "409", "413", "429", *refusals]
    rejections = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428"]

    def accepting(statuses: list[str]) -> dict[str, Any]:
        return {
            "positive_data_acceptance": {"expected-statuses": statuses},
            "negative_data_rejection": {"expected-statuses": [*rejections, "429"]},
            # Replaced by response_schema_conformance_with_fields, which runs it for answers
            # that `fields` did not narrow.
            "response_schema_conformance": {"enabled": False},
        }

    operations = [
        {"include-path": path, "checks": accepting([*expected, *more])}
        for path, more in (only_here or {}).items()
    ]
    return schemathesis.openapi.from_asgi(
        "/openapi.json",
        create_app(SETTINGS, clock=lambda: NOW),
        config=schemathesis.Config.from_dict(
            {"generation": {"mode": "all"}, "checks": accepting(expected), "operations": operations}
        ),
    )


@schemathesis.check
def response_schema_conformance_with_fields(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """The body matches the document's schema; one that `fields` narrowed matches it narrowed.

    The document's schemas promise every field of an answer without `fields` (code generated
    from them types those fields as present); the `fields` parameter says that `data` (each
    item, in a collection) then holds exactly the fields named, each as its schema says.
    """
    sent = parse_qs(urlsplit(response.request.url or "").query).get("fields")
    if response.status_code != 200 or not sent:  # given twice, it is a 400
        return response_schema_conformance(ctx, response, case)
    operation = case.operation
    validator = jsonschema_rs.validator_for(
        narrowed_response_schema(
            operation.schema.raw_schema, operation.path, operation.method, sent[0].split(",")
        )
    )
    problems = [
        f"{error.instance_path}: {error.message}"
        for error in validator.iter_errors(response.json())
    ]
    assert not problems, f"Narrowed by fields={sent[0]}, the answer does not match: {problems}"
    return True


def narrowed_response_schema(
    document: dict[str, Any], path: str, method: str, fields: list[str]
) -> dict[str, Any]:
    """The operation's 200 JSON schema, its `data` item holding exactly `fields` (the rest
    of the document beside it, so that its references resolve)."""
    response = document["paths"][path][method.lower()]["responses"]["200"]
    envelope = response["content"]["application/json"]["schema"]
    components = copy.deepcopy(document["components"])
    schemas = components["schemas"]
    data = schemas[envelope["$ref"].rsplit("/", 1)[1]]["properties"]["data"]
    item = schemas[data.get("items", data)["$ref"].rsplit("/", 1)[1]]
    item["properties"] = {name: item["properties"][name] for name in fields}
    item["required"] = fields
    item["additionalProperties"] = False
    return {**envelope, "components": components}


schema = load_schema("422")

# From cms/demo/demo.json, plus a former slug that `demo_app` adds.
PUBLISHED_POSTS = [
    "dry-needling-why-its-so-awesome",
    "trigger-points-explained",
    "tension-headaches-and-your-neck",  # two authors
]
DRAFT_POST = "hydration-myths-for-active-people"
SCHEDULED_POST = "strength-training-after-60-its-never-too-late"
FORMER_SLUG = "dry-needling-explained"
AUTHORS = ["jo-goh", "priya-raman", "tom-whitaker"]
TAGS = ["pain-relief", "dry-needling", "running"]
POST_FIELDS = ["id,slug,title", "html,related,plaintext", "authors,primary_author,tags,links"]
POST_SORTS = ["-published_at", "title", "-view_count,id", "featured,-reading_time"]
COUNTED_SORTS = ["name", "-post_count,name", "slug", "-updated_at"]

# Per operation, parameter values that find something: random strings almost never do.
KNOWN_VALUES: dict[str, dict[str, list[str]]] = {
    "/api/v1/posts": {
        "tag": TAGS,
        "author": AUTHORS,
        "sort": POST_SORTS,
        "fields": POST_FIELDS,
        "q": ["needling", "pain"],
    },
    "/api/v1/posts/{slug}": {
        "slug": [*PUBLISHED_POSTS, DRAFT_POST, SCHEDULED_POST, FORMER_SLUG],
        "fields": POST_FIELDS,
    },
    "/api/v1/posts/{slug}/related": {"slug": [*PUBLISHED_POSTS, DRAFT_POST, SCHEDULED_POST]},
    "/api/v1/authors": {"sort": COUNTED_SORTS},
    "/api/v1/authors/{slug}": {"slug": AUTHORS},
    "/api/v1/tags": {"sort": COUNTED_SORTS},
    "/api/v1/tags/{slug}": {"slug": TAGS},
}


@schema.hook
def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case) -> Any:
    """Point some valid cases at content that exists, so that 200 and 301 answers are checked too.

    Only positive cases are steered (a known value is valid wherever it goes); negative ones stay
    as generated, so that what they break stays broken. A schema hook: other tests are untouched.
    """
    known = KNOWN_VALUES.get(case.operation.path)
    if not known or case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return st.just(case)
    in_path = set(case.operation.path_parameters.schema.get("properties", {}))

    def steer(chosen: dict[str, str]) -> schemathesis.Case:
        # Assigned, never edited in place: schemathesis then re-checks the case against the schema.
        path = {name: value for name, value in chosen.items() if name in in_path}
        query = {name: value for name, value in chosen.items() if name not in in_path}
        if path:
            case.path_parameters = {**case.path_parameters, **path}
        if query:
            case.query = {**case.query, **query}
        return case

    # Each known parameter is replaced or not, independently: generated values still get through.
    choices = {name: st.sampled_from(values) for name, values in known.items()}
    return st.fixed_dictionaries({}, optional=choices).map(steer)


@pytest.fixture(scope="module")
def demo_app(new_database) -> Iterator[FastAPI]:
    engine = make_engine(new_database())
    upgrade_database(engine)
    with Session(engine) as session:
        load_demo(session, now=NOW, settings=SETTINGS)
        post = posts_service.find_post_by_slug(session, slug=PUBLISHED_POSTS[0])
        assert post is not None and post.id is not None
        # The demo renames no post; a former slug makes the documented 301 reachable.
        session.add(PostSlugRedirect(slug=FORMER_SLUG, post_id=post.id))
        session.commit()
    yield create_app(SETTINGS, engine=engine, clock=lambda: NOW)
    engine.dispose()


def test_the_app_under_test_serves_this_document(demo_app: FastAPI) -> None:
    served = schemathesis.openapi.from_asgi("/openapi.json", demo_app)
    assert served.raw_schema == schema.raw_schema


# Hypothesis examples are bounded per operation (shared by the positive and the negative mode)
# so that the file stays fast on PostgreSQL too; schemathesis's own coverage phase (boundary
# values, missing and extra parameters, other methods) adds a few dozen fixed cases on top.
@schema.parametrize()
@settings(max_examples=30, deadline=None)
def test_every_operation_keeps_to_the_document(case: schemathesis.Case, demo_app: FastAPI) -> None:
    case.call_and_validate(app=demo_app)


def _request(
    path: str, expected: int, query: dict[str, str] | None = None, slug: str | None = None
) -> Any:
    path_parameters = {"slug": slug} if slug else {}
    name = path.replace("{slug}", slug or "")
    if query:
        name += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return pytest.param(path, path_parameters, query or {}, expected, id=f"{expected} {name}")


@pytest.mark.parametrize(
    ("path", "path_parameters", "query", "expected"),
    [
        _request("/api/v1/posts", 200),
        _request("/api/v1/posts", 200, {"tag": "pain-relief", "author": "jo-goh"}),
        _request("/api/v1/posts", 200, {"featured": "true", "q": "needling"}),
        _request("/api/v1/posts", 200, {"sort": "title,-id", "page": "2", "limit": "5"}),
        _request("/api/v1/posts", 200, {"fields": "html,related,plaintext"}),
        _request("/api/v1/posts/{slug}", 200, slug="dry-needling-why-its-so-awesome"),
        _request("/api/v1/posts/{slug}", 200, {"fields": "id,title"}, slug=PUBLISHED_POSTS[1]),
        _request("/api/v1/posts/{slug}", 301, slug=FORMER_SLUG),
        _request("/api/v1/posts/{slug}", 404, slug=DRAFT_POST),
        _request("/api/v1/posts/{slug}", 404, slug=SCHEDULED_POST),
        _request("/api/v1/posts/{slug}/related", 200, slug="dry-needling-why-its-so-awesome"),
        _request("/api/v1/posts/{slug}/related", 200, {"limit": "20"}, slug=PUBLISHED_POSTS[1]),
        _request("/api/v1/authors", 200, {"sort": "-post_count,name"}),
        _request("/api/v1/authors/{slug}", 200, slug="jo-goh"),
        _request("/api/v1/tags", 200, {"sort": "name", "limit": "100"}),
        _request("/api/v1/tags/{slug}", 200, slug="pain-relief"),
        _request("/api/v1/posts", 400, {"sort": "nonsense"}),
        _request("/api/v1/posts", 400, {"limit": "0"}),
    ],
)
def test_known_content_keeps_to_the_document(
    demo_app: FastAPI,
    path: str,
    path_parameters: dict[str, str],
    query: dict[str, str],
    expected: int,
) -> None:
    """Fixed requests that must find (or must not find) demo content, under the same checks."""
    case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
    response = case.call_and_validate(app=demo_app)
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/posts", {"sort": "nonsense"}),
        ("/api/v1/posts", {"sort": "title,"}),
        ("/api/v1/posts", {"fields": "nonsense"}),
        ("/api/v1/posts/{slug}", {"fields": "id, title"}),
        ("/api/v1/authors", {"sort": "password"}),
        ("/api/v1/tags", {"sort": ""}),
    ],
)
def test_the_document_says_which_sort_and_fields_values_are_valid(
    demo_app: FastAPI, path: str, query: dict[str, str]
) -> None:
    """What the app refuses with a 400 is what the document's patterns rule out."""
    operation = schema[path]["GET"]
    assert not jsonschema_rs.validator_for(operation.query.schema).is_valid(query)
    path_parameters = {"slug": PUBLISHED_POSTS[0]} if "{slug}" in path else {}
    response = operation.Case(path_parameters=path_parameters, query=query).call(app=demo_app)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == next(iter(query))


def test_an_answer_narrowed_by_fields_holds_exactly_the_fields_named() -> None:
    """What response_schema_conformance_with_fields holds a narrowed answer to."""
    narrowed = narrowed_response_schema(
        schema.raw_schema, "/api/v1/posts/{slug}", "GET", ["id", "title"]
    )
    valid = jsonschema_rs.validator_for(narrowed).is_valid
    assert valid({"data": {"id": 1, "title": "Trigger points"}})
    assert not valid({"data": {"id": 1}})
    assert not valid({"data": {"id": 1, "title": None}})
    assert not valid({"data": {"id": 1, "title": "Trigger points", "slug": "trigger-points"}})
    listed = narrowed_response_schema(schema.raw_schema, "/api/v1/posts", "GET", ["plaintext"])
    counts = {"page": 1, "limit": 10, "total": 1, "pages": 1, "next": None, "prev": None}
    page = {"meta": {"pagination": counts}, "links": {"self": "/", "next": None, "prev": None}}
    valid = jsonschema_rs.validator_for(listed).is_valid
    assert valid({**page, "data": [{"plaintext": "Dry needling..."}]})
    assert not valid({**page, "data": [{"id": 1}]})


def test_conditional_get_keeps_to_the_document(demo_app: FastAPI) -> None:
    operation = schema["/api/v1/posts/{slug}"]["GET"]
    slug = {"slug": PUBLISHED_POSTS[0]}
    first = operation.Case(path_parameters=slug).call_and_validate(app=demo_app)
    assert first.status_code == 200
    (etag,) = first.headers["etag"]
    again = operation.Case(path_parameters=slug, headers={"If-None-Match": etag})
    response = again.call_and_validate(app=demo_app)
    assert response.status_code == 304


# The Admin API, signed in as an owner, on a database of its own (the fuzzing writes to it).
# Besides the public refusals, a stale If-Match (412) or none (428) is an answer, too.
# A stats range may be each day valid and still too long or backwards (400); bytes that fit
# an upload's schema (any binary) are seldom an image (415).
admin_schema = load_schema(
    "412",
    "422",
    "428",
    only_here={"/api/v1/admin/posts/{post_id}/stats": ["400"], "/api/v1/admin/media": ["415"]},
).include(path_regex="^/api/v1/admin/")


@pytest.fixture(scope="module")
def owner_app(new_database) -> Iterator[tuple[FastAPI, Any]]:  # type: ignore[no-untyped-def]
    engine = make_engine(new_database())
    upgrade_database(engine)
    with Session(engine) as session:
        load_demo(session, now=NOW, settings=SETTINGS)
        session.commit()

    def fresh_token() -> dict[str, str]:
        # A new token (and, if the fuzzing removed them, a new owner) for every case: a
        # fuzzed DELETE may revoke a token or remove an owner once another exists.
        with Session(engine) as session:
            owner = session.exec(select(User).where(User.role == Role.OWNER)).first()
            owner = owner or users_service.create_user(
                session,
                data=UserCreate(
                    email=f"owner-{uuid.uuid4().hex[:8]}@example.com",
                    name="Owner",
                    role=Role.OWNER,
                    password="x" * 12,
                ),
                actor=None,
                now=NOW,
            )
            byline_free = session.exec(select(User).where(User.author_id == 1)).first() is None
            if owner.author_id is None and byline_free:
                owner.author_id = 1  # writes as the demo's first author: new posts get a byline
            issued = auth_service.issue_token(
                session, user=owner, name="fuzz", kind=TokenKind.API, now=NOW
            )
            session.commit()
            return {"Authorization": f"Bearer {issued.secret}"}

    yield create_app(SETTINGS, engine=engine, clock=lambda: NOW), fresh_token
    engine.dispose()


@admin_schema.parametrize()
@settings(max_examples=25, deadline=None)
def test_every_admin_operation_keeps_to_the_document_when_signed_in(
    case: schemathesis.Case, owner_app: tuple[FastAPI, Any]
) -> None:
    app, fresh_token = owner_app
    # Where schemathesis sends a (made-up) bearer token, send a real one instead; where it
    # leaves the header out on purpose (a negative case), so do we: that must be a 401.
    sends_token = "authorization" in {name.lower() for name in case.headers or {}}
    case.call_and_validate(app=app, headers=fresh_token() if sends_token else None)
