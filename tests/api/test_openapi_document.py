"""The OpenAPI document as code generators and linters read it: names, required fields, what
it says about the API as a whole, and what Spectral and openapi-typescript make of it.
(test_openapi_contract.py checks the API's answers against it.)"""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cms.app import create_app
from cms.config import Settings
from tests import npm_tools

ROOT = Path(__file__).resolve().parents[2]
CAMEL_CASE = re.compile(r"^[a-z]+([A-Z][a-z0-9]*)*$")
CONFIGURED = Settings(
    database_url="sqlite://",
    api_url="https://api.blog.test",
    site_url="https://blog.test",
    site_title="The Blog",
)


def served(settings: Settings) -> dict[str, Any]:
    """GET /openapi.json, as a client fetches it (the in-memory database is never opened)."""
    response = TestClient(create_app(settings)).get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return served(CONFIGURED)


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_unique_camel_case_id(document: dict[str, Any]) -> None:
    ids = {name: operation.get("operationId", "") for name, operation in operations(document)}
    assert not {name: value for name, value in ids.items() if not CAMEL_CASE.match(value)}
    assert not {value for value in ids.values() if list(ids.values()).count(value) > 1}


def test_operation_ids_are_the_handlers_names(document: dict[str, Any]) -> None:
    ids = {name: operation["operationId"] for name, operation in operations(document)}
    assert ids["GET /api/v1/posts"] == "listPosts"
    assert ids["GET /api/v1/posts/{slug}"] == "getPost"
    assert ids["POST /api/v1/posts/{slug}/views"] == "countView"
    assert ids["GET /rss.xml"] == "getRssFeed"
    assert ids["GET /api/v1/tags/{slug}"] == "getTag"
    assert ids["DELETE /api/v1/admin/authors/{author_id}"] == "deleteAuthor"


# Answers without `fields` carry every field of these, except the ones named here, which come
# only when `fields` asks for them (API.md, "A post").
FULL_SHAPES = {
    "PostOut": {"plaintext"},
    "PostListItem": {"html", "related", "plaintext"},
    "RelatedPostOut": set(),
    "AuthorOut": set(),
    "TagOut": set(),
    "CommentOut": set(),
    "AdminPostOut": set(),
    "AdminAuthorOut": set(),
    "AdminTagOut": set(),
    "AdminCommentOut": set(),
    "AdminUserOut": set(),
    "TokenOut": set(),
    "AuditEventOut": set(),
}


@pytest.mark.parametrize(("name", "left_out"), FULL_SHAPES.items())
def test_full_shapes_require_every_field_they_always_carry(
    document: dict[str, Any], name: str, left_out: set[str]
) -> None:
    shape = document["components"]["schemas"][name]
    assert set(shape["required"]) == set(shape["properties"]) - left_out
    assert len(shape["required"]) == len(set(shape["required"]))


def test_a_field_that_can_be_null_is_required_and_nullable(document: dict[str, Any]) -> None:
    post = document["components"]["schemas"]["PostOut"]
    assert {"feature_image", "primary_tag"} <= set(post["required"])
    assert {"type": "null"} in post["properties"]["feature_image"]["anyOf"]
    assert {"type": "null"} in post["properties"]["primary_tag"]["anyOf"]


@pytest.mark.parametrize("name", ["PostOut", "PostListItem"])
def test_a_post_always_has_a_primary_author(document: dict[str, Any], name: str) -> None:
    post = document["components"]["schemas"][name]
    assert "primary_author" in post["required"]
    assert post["properties"]["primary_author"]["$ref"] == "#/components/schemas/AuthorOut"
    assert "anyOf" not in post["properties"]["primary_author"]


def answer_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The `data` of the operation's 200 JSON answer, its envelope's reference followed."""
    response = document["paths"][path]["get"]["responses"]["200"]
    envelope = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    return document["components"]["schemas"][envelope]["properties"]["data"]


def test_a_collection_of_posts_is_of_list_items_and_one_post_is_a_post(
    document: dict[str, Any],
) -> None:
    listed = answer_schema(document, "/api/v1/posts")
    assert listed["items"]["$ref"] == "#/components/schemas/PostListItem"
    assert answer_schema(document, "/api/v1/posts/{slug}")["$ref"].endswith("/PostOut")


def test_the_fields_parameter_says_what_a_narrowed_answer_holds(
    document: dict[str, Any],
) -> None:
    taking_fields = [
        parameter
        for _, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "fields"
    ]
    assert len(taking_fields) >= 10
    for parameter in taking_fields:
        assert "holds exactly the fields named" in parameter["description"]
        assert "`required` list is for answers without `fields`" in parameter["description"]


def test_the_document_names_its_server_and_a_contact(document: dict[str, Any]) -> None:
    assert document["servers"] == [
        {"url": "https://api.blog.test", "description": "This API's public address."}
    ]
    assert document["info"]["contact"] == {"name": "The Blog", "url": "https://blog.test/"}


def test_without_an_api_url_the_server_is_the_one_that_answered() -> None:
    (server,) = served(Settings(database_url="sqlite://"))["servers"]
    assert server["url"] == "/"


def test_every_tag_is_defined_once_with_a_description_content_api_first(
    document: dict[str, Any],
) -> None:
    defined = [tag["name"] for tag in document["tags"]]
    used = {tag for _, operation in operations(document) for tag in operation["tags"]}
    assert set(defined) == used
    assert len(defined) == len(used)
    assert all(tag["description"] for tag in document["tags"])
    assert defined[0] == "Content: posts"
    assert defined.index("Content: tags") < defined.index("Admin: session")
    assert all(len(operation["tags"]) == 1 for _, operation in operations(document))


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        assert operation.get("summary") and operation.get("description"), name


def run(tool: str, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = npm_tools.binary(tool)
    assert binary is not None, f"{tool} is not in {npm_tools.NODE_PREFIX} (.ci/run installs it)"
    return subprocess.run(
        [str(binary), *arguments], cwd=cwd, capture_output=True, text=True, timeout=120
    )


SPECTRAL = "@stoplight/spectral-cli"


@npm_tools.needs("spectral", SPECTRAL)
@pytest.mark.parametrize(
    "settings", [CONFIGURED, Settings(database_url="sqlite://")], ids=["api-url", "no-api-url"]
)
def test_spectral_finds_no_problem_in_the_document(tmp_path: Path, settings: Settings) -> None:
    """No error, warning, information or hint from the ruleset in .spectral.yaml."""
    path, results = tmp_path / "openapi.json", tmp_path / "spectral.json"
    path.write_text(json.dumps(served(settings)))
    ruleset = ROOT / ".spectral.yaml"
    lint = ["lint", str(path), "--ruleset", str(ruleset), "--fail-severity", "hint"]
    done = run("spectral", *lint, "--format", "json", "--output", str(results), cwd=tmp_path)
    assert results.exists(), done.stdout + done.stderr
    assert json.loads(results.read_text()) == []
    assert done.returncode == 0, done.stdout + done.stderr


def declaration(typescript: str, name: str, indent: str) -> str:
    """The body of `name: {...}` at `indent` in openapi-typescript's output."""
    start = typescript.index(f"\n{indent}{name}: {{\n")
    end = typescript.index(f"\n{indent}}};\n", start)
    return typescript[start:end]


@npm_tools.needs("openapi-typescript", "openapi-typescript")
def test_generated_types_make_promised_fields_required(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    # openapi-typescript 7 has no --strict: by default it reads `required` and `null` as
    # written (no --properties-required-by-default), which is the strict reading.
    path, output = tmp_path / "openapi.json", tmp_path / "api.ts"
    path.write_text(json.dumps(document))
    done = run("openapi-typescript", str(path), "--output", str(output), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    typescript = output.read_text()
    post = declaration(typescript, "PostOut", " " * 8)
    assert "\n            title: string;" in post
    assert "\n            feature_image: string | null;" in post
    assert '\n            primary_author: components["schemas"]["AuthorOut"];' in post
    assert "\n            plaintext?: string;" in post  # only when `fields` asks for it
    listed = declaration(typescript, "PostListItem", " " * 8)
    assert "\n            title: string;" in listed
    assert "\n            html?: string;" in listed
    tag = declaration(typescript, "TagOut", " " * 8)
    assert "\n            description: string | null;" in tag
    assert "?:" not in tag
    operation_types = typescript[typescript.index("\nexport interface operations {") :]
    assert "\n    getPost: {" in operation_types  # named by its operationId
