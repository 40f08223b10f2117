"""Command-line tools from npm that tests run for real (Spectral, openapi-typescript):
.ci/run installs them into .ci/node/, which git ignores."""

import os
from pathlib import Path

import pytest

NODE_PREFIX = Path(__file__).resolve().parents[1] / ".ci" / "node"


def binary(name: str) -> Path | None:
    path = NODE_PREFIX / "node_modules" / ".bin" / name
    return path if path.exists() else None


def needs(name: str, package: str) -> pytest.MarkDecorator:
    """Skip without `name`, except in CI, where a missing tool fails (.ci/run installs it)."""
    return pytest.mark.skipif(
        binary(name) is None and os.environ.get("CI") != "true",
        reason=f"{package} is not installed (npm install --prefix .ci/node {package}; "
        ".ci/run does it)",
    )
