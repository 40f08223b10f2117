"""The two storages the library's tests run on: a folder, and a bucket on a real
S3-compatible server (moto's server mode, in a process of its own on 127.0.0.1)."""

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
from fastapi.testclient import TestClient

from cms.config import Settings

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "cms-tests",
    "AWS_SECRET_ACCESS_KEY": "cms-tests-secret",
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask a metadata service for a role
}


@contextmanager
def running_moto() -> Iterator[str]:
    """A moto S3 server on a free port; its endpoint. Stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = Path(sys.executable).with_name("moto_server")
    server = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def client_of(settings: Settings) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.media_s3_endpoint,
        region_name=settings.media_s3_region,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def new_bucket(settings: Settings, endpoint: str) -> Settings:
    """`settings` storing in a new, empty bucket on `endpoint`."""
    bucket = f"cms-{uuid.uuid4().hex[:16]}"
    update = {
        "media_s3_bucket": bucket,
        "media_s3_endpoint": endpoint,
        "media_s3_region": "us-east-1",
        "media_public_url": f"{endpoint}/{bucket}",
    }
    changed = settings.model_copy(update=update)
    client_of(changed).create_bucket(Bucket=bucket)
    client_of(changed).put_bucket_policy(Bucket=bucket, Policy=public_reads(bucket))
    return changed


def public_reads(bucket: str) -> str:
    """The policy the README gives: anyone may read the files, only cms may write them."""
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def drop_bucket(settings: Settings) -> None:
    client = client_of(settings)
    for name in stored_files(settings):
        client.delete_object(Bucket=settings.media_s3_bucket, Key=name)
    client.delete_bucket(Bucket=settings.media_s3_bucket)  # its policy goes with it


def stored_files(settings: Settings) -> list[str]:
    """The names of the files the library holds, wherever they are."""
    if settings.media_s3_bucket:
        found = client_of(settings).list_objects_v2(Bucket=settings.media_s3_bucket)
        return sorted(item["Key"] for item in found.get("Contents", []))
    folder = Path(settings.media_dir)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def fetch(client: TestClient, url: str) -> httpx.Response:
    """A file as a reader's browser fetches it: from cms, or from the bucket's server."""
    if url.startswith(str(client.base_url)):
        return client.get(url)
    return httpx.get(url)
