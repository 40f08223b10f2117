"""Ghost's official Content API client (@tryghost/content-api from npm, unmodified, under
node) against a real `cms serve`: what a Ghost front end does, pointed at cms."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session

from bench.servers import running_server
from cms.db import make_engine
from cms.ghost import keys
from cms.migrations import upgrade_database
from tests.factories import PAST, make_author, make_post
from tests.npm_tools import NODE_PREFIX

CLIENT = NODE_PREFIX / "node_modules" / "@tryghost" / "content-api"
SUITE = Path(__file__).with_name("official_client.mjs")
# Skipped where it is not installed, except in CI, where a missing client fails.
needs_client = pytest.mark.skipif(
    not CLIENT.exists() and os.environ.get("CI") != "true",
    reason="@tryghost/content-api is not installed (.ci/run installs it into .ci/node)",
)


def _blog(url: str) -> tuple[str, str]:
    """Four posts by two authors in two tags, a live key and a revoked one."""
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        ada = make_author(session, name="Ada Lovelace", slug="ada")
        bo = make_author(session, name="Bo Diddley", slug="bo")
        make_post(session, title="First light", tags=["garden", "kitchen"], authors=[ada],
                  featured=True)  # fmt: skip
        make_post(session, title="Second sowing", tags=["garden"], authors=[bo, ada])
        make_post(session, title="Third frost", tags=["kitchen"], authors=[bo])
        make_post(session, title="Fourth harvest", tags=["kitchen", "garden"], authors=[ada])
        key = keys.create_key(session, name="Front end", actor=None, now=PAST).key
        old = keys.create_key(session, name="Old site", actor=None, now=PAST)
        keys.revoke_key(session, key_id=old.record.id or 0, actor=None, now=PAST)
        session.commit()
    engine.dispose()
    return key, old.key


@needs_client
def test_ghosts_official_client_reads_cms(new_database) -> None:
    url = new_database()
    key, revoked = _blog(url)
    node = shutil.which("node")
    assert node is not None, "node is not installed"
    with running_server(url, CMS_WEBHOOKS_WORKER="false") as base:
        done = subprocess.run(
            [node, str(SUITE), base, key, revoked, str(NODE_PREFIX)],
            cwd=NODE_PREFIX, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = {line["check"]: line for line in map(json.loads, done.stdout.splitlines())}
    failed = {name: line["detail"] for name, line in results.items() if not line["ok"]}
    assert failed == {}
    got = {name: line["detail"] for name, line in results.items()}
    assert got["browse all with authors and tags"] == [
        "fourth-harvest", "third-frost", "second-sowing", "first-light",
    ]  # fmt: skip
    assert got["read by slug and by id"] == ["First light", True]
    assert got["formats and fields"] == ["id", "title"]
    assert got["filter tag:garden"] == ["first-light", "fourth-harvest", "second-sowing"]
    assert got["filter tag:-garden"] == ["third-frost"]
    assert got["filter tags:[garden,kitchen]"] == [
        "first-light", "fourth-harvest", "second-sowing", "third-frost",
    ]  # fmt: skip
    assert got["filter primary_tag:kitchen"] == ["fourth-harvest", "third-frost"]
    assert got["filter author:ada"] == ["first-light", "fourth-harvest", "second-sowing"]
    assert got["filter primary_author:ada"] == ["first-light", "fourth-harvest"]
    assert got["filter featured:true"] == ["first-light"]
    assert got["filter featured:true+tag:garden"] == ["first-light"]
    assert got["filter tag:kitchen,featured:true"] == [
        "first-light", "fourth-harvest", "third-frost",
    ]  # fmt: skip
    assert got["filter (tag:kitchen,tag:garden)+featured:false"] == [
        "fourth-harvest", "second-sowing", "third-frost",
    ]  # fmt: skip
    assert len(got["filter published_at:>'2020-01-01'"]) == 4
    assert len(got["filter published_at:<=now-1d"]) == 4
    assert got["filter title:~'light'"] == ["first-light"]
    assert got["filter slug:[first-light,third-frost]"] == ["first-light", "third-frost"]
    assert len(got["filter visibility:public"]) == 4
    assert got["order and paging"] == [
        "Third frost",
        "Second sowing",
        "Fourth harvest",
        "First light",
    ]
    assert got["authors with counts"] == [[["ada", 3], ["bo", 2]], 3]
    assert got["tags"] == [[["garden", 3], ["kitchen", 3]], "garden"]
    assert got["settings"] == ["cms", "http://localhost:3000/", True]
    assert got["pages"] == [0, 0]
    assert got["not found"] == "Resource not found error, cannot read post."
    assert got["bad filter"] == "Request not understood error, cannot list posts."
    assert got["bad limit"] == "Validation error, cannot list posts."
    assert got["revoked key"] == "Unknown Content API Key"
    assert got["version 6 client"] == 1
