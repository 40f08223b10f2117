"""Where the library's files live, behind one small interface: local disk (the default,
served by cms at /media/...) or an S3-compatible bucket, which several API machines can
share (API.md "Media")."""

import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from cms.config import Settings
from cms.problems import ServiceUnavailable

log = logging.getLogger(__name__)

NAME_CHARACTERS = frozenset("0123456789abcdef-.") | frozenset("abcdefghijklmnopqrstuvwxyz")


IMMUTABLE = "public, max-age=31536000, immutable"  # a name is made from its content


class Storage(Protocol):
    """Names are the library's own (`safe_name`); a put of a name already stored is a no-op
    in effect, since the same name always holds the same bytes."""

    def put(self, name: str, data: bytes, *, mime_type: str) -> None: ...

    def delete(self, name: str) -> None: ...

    def url(self, name: str, *, api_base: str) -> str: ...


def safe_name(name: str) -> bool:
    """A name the library made itself (`<hash>-<width>.<ext>`): no path, no surprise."""
    return bool(name) and set(name) <= NAME_CHARACTERS and not name.startswith(".")


class LocalStorage:
    """Files in one folder. Each is written to a temporary file and renamed into place, so
    a reader never sees half a file and a failed write leaves none."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def put(self, name: str, data: bytes, *, mime_type: str) -> None:
        assert safe_name(name), name
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / name
        if target.exists():  # content-addressed: the same name holds the same bytes
            return
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def delete(self, name: str) -> None:
        if safe_name(name):
            (self.folder / name).unlink(missing_ok=True)

    def path(self, name: str) -> Path | None:
        """The file with this name, if it is one of ours and exists."""
        if not safe_name(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def url(self, name: str, *, api_base: str) -> str:
        return f"{api_base}/media/{name}"


class S3Storage:
    """Files in an S3-compatible bucket (AWS, MinIO, R2, ...), readable at `public_url`
    (the bucket's address or a CDN in front of it). Credentials come the usual way for
    boto3: the environment, a profile, or the machine's role."""

    def __init__(
        self, *, bucket: str, public_url: str, endpoint: str | None, region: str | None
    ) -> None:
        import boto3  # only when configured: loading it costs ~100 ms at start
        from botocore.config import Config

        self.bucket = bucket
        self.public_url = public_url.rstrip("/")
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard", "max_attempts": 3},
            # Path-style: what MinIO and most self-hosted servers answer to.
            s3={"addressing_style": "path"} if endpoint else {},
        )
        self.client: Any = boto3.client(
            "s3", endpoint_url=endpoint, region_name=region, config=config
        )

    def put(self, name: str, data: bytes, *, mime_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        assert safe_name(name), name
        try:  # one PUT is atomic: the object is whole or absent
            self.client.put_object(
                Bucket=self.bucket, Key=name, Body=data, ContentType=mime_type,
                CacheControl=IMMUTABLE,
            )  # fmt: skip
        except (BotoCoreError, ClientError) as error:
            log.error("media: storing %s in bucket %s failed: %s", name, self.bucket, error)
            raise ServiceUnavailable(
                "The media storage did not take the file; nothing was saved. Try again later",
                headers={"Retry-After": "30"},
            ) from None

    def delete(self, name: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if not safe_name(name):
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except (BotoCoreError, ClientError) as error:  # an orphan file harms nobody
            log.warning("media: deleting %s from bucket %s failed: %s", name, self.bucket, error)

    def url(self, name: str, *, api_base: str) -> str:
        return f"{self.public_url}/{name}"


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name: a bucket when CMS_MEDIA_S3_BUCKET is set."""
    if settings.media_s3_bucket:
        return S3Storage(
            bucket=settings.media_s3_bucket,
            public_url=settings.media_public_url or "",
            endpoint=settings.media_s3_endpoint,
            region=settings.media_s3_region,
        )
    return LocalStorage(settings.media_dir)
