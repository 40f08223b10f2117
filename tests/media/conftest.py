"""Every library test runs on both storages, unless its module names one (`storage_kind`)."""

from collections.abc import Iterator

import pytest

from cms.config import Settings
from tests.media.storages import CREDENTIALS, drop_bucket, new_bucket, running_moto


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with running_moto() as endpoint:
        yield endpoint


@pytest.fixture(params=["disk", "s3"])
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def settings(
    settings: Settings, storage_kind: str, request: pytest.FixtureRequest, monkeypatch
) -> Iterator[Settings]:
    if storage_kind == "disk":
        yield settings
        return
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    in_bucket = new_bucket(settings, request.getfixturevalue("s3_endpoint"))
    yield in_bucket
    drop_bucket(in_bucket)
