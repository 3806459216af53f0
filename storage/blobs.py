"""Blob stores: content-addressed keys (sha256 of the bytes), atomic writes, no path escapes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

KEY_PATTERN = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,5}$")
SUFFIX_PATTERN = re.compile(r"^[a-z0-9]{1,5}$")
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"))


class InvalidKey(ValueError):
    """A key that is not one this store could have produced."""


def content_key(data: bytes, suffix: str) -> str:
    if not SUFFIX_PATTERN.match(suffix):
        raise InvalidKey(f"suffix {suffix!r} is not 1-5 lowercase letters or digits")
    return f"{hashlib.sha256(data).hexdigest()}.{suffix}"


def content_type(data: bytes, suffix: str) -> str:
    """From the suffix; an uploaded photo (`img`) is sniffed from its first bytes."""
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in MAGIC if data.startswith(magic)), "application/octet-stream")


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):  # rejects "../", absolute paths, separators and anything odd
        raise InvalidKey(f"not a blob key: {key[:80]!r}")
    return key


class LocalBlobStore:
    """Files under `root/ab/abcdef….jpg`; identical bytes are stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_of(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    async def put(self, data: bytes, suffix: str) -> str:
        key = content_key(data, suffix)
        await asyncio.to_thread(self._write, self.path_of(key), data)
        return key

    def _write(self, path: Path, data: bytes) -> None:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size == len(data):  # the same key is the same bytes: only a cut-off file differs
                os.utime(path)  # stored again: young again, so retention's grace period protects it anew
                return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file in the same folder, then rename: readers never see half a file. On disk
        # before the rename: after a power cut the database may name it, and a renamed empty file would stay.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path_of(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return self.path_of(key).exists()

    @staticmethod
    def key_of(data: bytes, suffix: str) -> str:
        return content_key(data, suffix)

    async def saved_at(self, key: str) -> float | None:
        """When it was last saved (a save of bytes already stored makes it young again): None if it is not."""
        try:
            return self.path_of(key).stat().st_mtime
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def listing(self) -> list[tuple[str, float]]:
        """Every stored key with its age's reference point (modified, epoch seconds), for retention."""
        return await asyncio.to_thread(self._listing)

    def _listing(self) -> list[tuple[str, float]]:
        if not self.root.exists():
            return []
        return [(path.name, path.stat().st_mtime) for path in self.root.glob("??/*") if KEY_PATTERN.match(path.name)]
