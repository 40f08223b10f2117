"""Servers from Debian packages that tests/deploy runs for real (nginx, Varnish)."""

import os
import shutil

import pytest


def binary(name: str) -> str | None:
    # Debian puts servers in /usr/sbin, which is not on every user's PATH.
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")


def needs(name: str, package: str) -> pytest.MarkDecorator:
    """Skip without `name`, except in CI, where a missing server fails (.ci/run installs it)."""
    return pytest.mark.skipif(
        binary(name) is None and os.environ.get("CI") != "true",
        reason=f"{package} is not installed (apt-get install -y {package}; .ci/run does it)",
    )
