"""Where the library's files live, behind one small interface: local disk today (served by
cms at /media/...), an S3-compatible bucket next (API.md "Media")."""

import os
import tempfile
from pathlib import Path
from typing import Protocol

NAME_CHARACTERS = frozenset("0123456789abcdef-.") | frozenset("abcdefghijklmnopqrstuvwxyz")


class Storage(Protocol):
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
