"""Dependencies point one way: posts use authors and tags, which never import posts (what
they share with posts is in cms/linked/); the HTTP layers in front of the routes know no
domain at all. Read from the sources' own import statements."""

import ast
from pathlib import Path

import pytest

CMS = Path(__file__).resolve().parents[2] / "cms"
DOMAINS = (
    "posts", "authors", "tags", "comments", "pageviews", "users", "auth", "audit", "feeds",
    "linked", "demo",
)  # fmt: skip


def imported(package: str) -> set[str]:
    """Every cms module that a module of `package` imports."""
    found = set()
    for path in (CMS / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("cms.")}


@pytest.mark.parametrize("package", ["tags", "authors"])
def test_authors_and_tags_never_import_posts(package: str) -> None:
    assert not {name for name in imported(package) if name.startswith("cms.posts")}


def test_the_http_layers_know_no_domain() -> None:
    reached = {name.split(".")[1] for name in imported("http")}

    assert not reached & set(DOMAINS)
    # Of the caches' own package, only the names of cache keys (a leaf module).
    assert {name for name in imported("http") if name.startswith("cms.cache")} <= {
        "cms.cache",
        "cms.cache.keys",
        "cms.cache.keys.EVERYTHING",
    }
