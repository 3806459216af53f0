"""Blobs in an S3-compatible bucket (AWS, MinIO, R2, ...), with a local spool for when the bucket is unreachable.

`S3BlobStore` keeps the keys of `storage.blobs` (`sha256.suffix`, so identical bytes are one object) under an
optional prefix, and runs every boto3 call on a thread pool of its own: a slow or dead S3 holds those threads,
never the event loop or the default executor that the database and the renderer also use.

`FallbackBlobStore` puts it in front of a local spool: a save that S3 refuses or cannot be reached for is written to
the spool under the same key, so the person still gets the picture and a later job can read it; `sync` (run by
`routix storage sync`, and every `STORAGE_SYNC_SECONDS` by a running bot or worker) uploads what the spool kept and
removes each file only once S3 has it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage.blobs import KEY_PATTERN, LocalBlobStore, check_key, content_key, content_type

log = logging.getLogger(__name__)
T = TypeVar("T")

MISSING = {"404", "NoSuchKey", "NotFound"}
REFRESH_AFTER_S = 3600.0  # an object saved again after this long is copied onto itself: its age starts again
# What an unreachable or refusing S3 raises: connection, timeout and credential errors, and error answers.
S3_FAILURES = (BotoCoreError, ClientError, OSError)


@dataclass(frozen=True)
class S3Config:
    bucket: str
    prefix: str = ""  # e.g. "routix/": keys become routix/<sha256>.<suffix>
    region: str = ""  # empty: boto3's default (AWS_REGION, the config file, us-east-1)
    endpoint_url: str = ""  # MinIO, R2, ...; empty: AWS
    path_style: bool = False  # the bucket in the path (most MinIO setups) instead of in the host name
    access_key_id: str = ""  # both empty: boto3's default credential chain (environment, profile, instance role)
    secret_access_key: str = field(default="", repr=False)
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    max_attempts: int = 2  # in all, the first included
    concurrency: int = 16  # calls at once: the thread pool and the HTTP connection pool


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code", "")) in MISSING


class S3BlobStore:
    """The BlobStore port on S3 with the real boto3 client."""

    def __init__(self, config: S3Config, client: Any = None, *, refresh_after_s: float = REFRESH_AFTER_S) -> None:
        self.config = config
        self.refresh_after_s = refresh_after_s
        self.bucket = config.bucket
        prefix = config.prefix.strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        self._pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="routix-s3")
        self.link_ttl_s = 7 * 86400.0  # presigned links: S3 allows at most a week
        self.client = client or self._client(config)

    @staticmethod
    def _client(config: S3Config) -> Any:
        botocore_config = Config(
            connect_timeout=config.connect_timeout_s, read_timeout=config.read_timeout_s,
            retries={"total_max_attempts": config.max_attempts, "mode": "standard"},
            max_pool_connections=config.concurrency,  # never fewer connections than threads using them
            # virtual: the bucket in the host name, also on a custom endpoint (botocore's "auto" would use the path
            # there); botocore itself falls back to the path for an IP endpoint or a bucket name with dots
            s3={"addressing_style": "path" if config.path_style else "virtual"},
        )
        credentials = {}
        if config.access_key_id:
            credentials = {"aws_access_key_id": config.access_key_id,
                           "aws_secret_access_key": config.secret_access_key}
        session = boto3.session.Session()  # one of its own: boto3's default session is not thread-safe to create
        return session.client("s3", region_name=config.region or None, endpoint_url=config.endpoint_url or None,
                              config=botocore_config, **credentials)

    def object_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def url(self, key: str, filename: str) -> str:
        """A presigned GET link (signed locally: no call to S3), valid for `link_ttl_s`."""
        return self.client.generate_presigned_url(
            "get_object", ExpiresIn=int(self.link_ttl_s),
            Params={"Bucket": self.bucket, "Key": self.object_key(key),
                    "ResponseContentDisposition": f'inline; filename="{filename}"'})

    async def _run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(call, *args, **kwargs))

    async def put(self, data: bytes, suffix: str) -> str:
        key = content_key(data, suffix)
        await self._run(self._put, key, data, suffix)
        return key

    def _put(self, key: str, data: bytes, suffix: str) -> bool:
        """Upload unless the object is there; True when this call uploaded it."""
        # HEAD first: the key is the bytes' hash, so an object under it already holds these bytes. Skipping the PUT
        # saves re-sending a reused photo, keeps a versioned bucket from growing a version per save, and tells
        # `sync` what it really uploaded. Two saves racing past the HEAD both PUT the same bytes: still one object.
        saved = self._saved_at(key)
        if saved is not None:
            if time.time() - saved > self.refresh_after_s:  # young again, as a local save makes it: retention's grace
                self.client.copy_object(Bucket=self.bucket, Key=self.object_key(key),  # protects it anew
                                        CopySource={"Bucket": self.bucket, "Key": self.object_key(key)},
                                        MetadataDirective="REPLACE", ContentType=content_type(data, suffix))
            return False
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data,
                               ContentType=content_type(data, suffix))
        return True

    async def upload(self, key: str, data: bytes) -> bool:
        """Upload `data` under `key` (which must be its content key); True when it was not there before."""
        suffix = key.rsplit(".", 1)[1]
        if content_key(data, suffix) != check_key(key):
            raise ValueError(f"{key}: the bytes do not match the key")
        return await self._run(self._put, key, data, suffix)

    async def get(self, key: str) -> bytes:
        return await self._run(self._get, self.object_key(key))

    def _get(self, object_key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=object_key)
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(f"no blob {object_key} in bucket {self.bucket}") from None
            raise
        with answer["Body"] as body:
            return body.read()

    async def exists(self, key: str) -> bool:
        check_key(key)
        return await self._run(self._head, key)

    def _head(self, key: str) -> bool:
        return self._saved_at(key) is not None

    def _saved_at(self, key: str) -> float | None:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return float(answer["LastModified"].timestamp())

    @staticmethod
    def key_of(data: bytes, suffix: str) -> str:
        return content_key(data, suffix)

    async def saved_at(self, key: str) -> float | None:
        check_key(key)
        return await self._run(self._saved_at, key)

    async def delete(self, key: str) -> None:
        await self._run(self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key))  # missing: no error

    async def listing(self) -> list[tuple[str, float]]:
        """Every blob under the prefix with its last-modified time (epoch seconds), for retention; other objects in
        the bucket (not a key this store makes, or deeper under the prefix) are never listed."""
        return await self._run(self._listing)

    def _listing(self) -> list[tuple[str, float]]:
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if KEY_PATTERN.match(name):
                    found.append((name, item["LastModified"].timestamp()))
        return found

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()


class Spool(LocalBlobStore):
    """The local files kept while S3 was unreachable (the layout of LocalBlobStore)."""

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*")):
            if KEY_PATTERN.match(path.name) and path.parent.name == path.name[:2]:  # not a temporary file
                yield path.name

    def remove(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def pending(self) -> bool:
        return next(self.keys(), None) is not None


@dataclass
class Synced:
    uploaded: int = 0  # sent to S3 now
    present: int = 0  # S3 had it already (an earlier sync, or another process): only removed from the spool
    left: int = 0  # still in the spool
    problems: list[str] = field(default_factory=list)


class FallbackBlobStore:
    """S3 first; the spool when S3 fails, so a save never fails for S3's sake and nothing is lost or stored twice.

    After a failed save, saves go straight to the spool for `probe_after_s` (a dead endpoint costs one request its
    timeouts, not every request), and the outage is logged once, with a line again when S3 answers.
    """

    def __init__(self, remote: S3BlobStore, spool: Spool, *, probe_after_s: float = 15.0,
                 sync_every_s: float = 0.0) -> None:
        self.remote, self.spool = remote, spool
        self.probe_after_s, self.sync_every_s = probe_after_s, sync_every_s
        self._down_until = 0.0  # monotonic: saves skip S3 until then
        self._outage = False
        self._syncing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def _failed(self, action: str, key: str, error: BaseException) -> None:
        self._down_until = time.monotonic() + self.probe_after_s
        if not self._outage:
            self._outage = True
            log.warning("S3 bucket %s unreachable (%s of %s: %s: %s); keeping pictures in %s until "
                        "`routix storage sync` (or the next automatic sync) uploads them", self.remote.bucket,
                        action, key, type(error).__name__, error, self.spool.root)

    def _answered(self) -> None:
        self._down_until = 0.0
        if self._outage:
            self._outage = False
            log.info("S3 bucket %s reachable again", self.remote.bucket)

    @property
    def outage(self) -> bool:
        return self._outage

    async def _asked(self, action: str, key: str, call: Awaitable[T]) -> T:
        """One call to S3: a failure starts (or continues) an outage, an answer ends it; a missing key is neither."""
        try:
            answer = await call
        except FileNotFoundError:
            raise
        except S3_FAILURES as error:
            self._failed(action, key, error)
            raise
        self._answered()
        return answer

    async def put(self, data: bytes, suffix: str) -> str:
        key = content_key(data, suffix)
        if time.monotonic() >= self._down_until:
            try:
                await self.remote.put(data, suffix)
            except S3_FAILURES as error:
                self._failed("save", key, error)
            else:
                self._answered()
                return key
        return await self.spool.put(data, suffix)

    async def get(self, key: str) -> bytes:
        # The spool first: a local look costs nothing, and its bytes are the object's (the key is their hash).
        try:
            return await self.spool.get(key)
        except FileNotFoundError:  # the usual case; or a sync moved it to S3 meanwhile
            pass
        return await self._asked("read", key, self.remote.get(key))

    async def exists(self, key: str) -> bool:
        if await self.spool.exists(key):
            return True
        return await self._asked("look-up", key, self.remote.exists(key))

    async def delete(self, key: str) -> None:
        """From the spool (so no sync brings it back) and from S3; an unreachable S3 is an error here: the caller
        must know the picture is still there."""
        await self.spool.delete(key)
        if time.monotonic() < self._down_until:  # known down: failing now beats a full timeout for every file
            raise ConnectionError(f"S3 bucket {self.remote.bucket} is unreachable; {key} stays there for now")
        await self._asked("delete", key, self.remote.delete(key))

    @staticmethod
    def key_of(data: bytes, suffix: str) -> str:
        return content_key(data, suffix)

    async def saved_at(self, key: str) -> float | None:
        """The newer of the spool's copy and the object (unreachable S3: an error, so nothing is taken as old)."""
        local = await self.spool.saved_at(key)
        remote = await self._asked("look-up", key, self.remote.saved_at(key))
        return max((t for t in (local, remote) if t is not None), default=None)

    async def listing(self) -> list[tuple[str, float]]:
        """The bucket's blobs and the spool's, each once with its newest time (retention never takes a fresh copy)."""
        remote = await self._asked("listing", self.remote.prefix or "/", self.remote.listing())
        newest: dict[str, float] = {}
        for key, modified in [*remote, *await self.spool.listing()]:
            newest[key] = max(modified, newest.get(key, modified))
        return sorted(newest.items())

    async def sync(self) -> Synced:
        """Upload every spooled blob; each leaves the spool only once S3 confirmed it (or already had it). Stops at
        the first failure (S3 is down again: the rest would only wait for their timeouts)."""
        result = Synced()
        async with self._syncing:  # one sync at a time in this process
            keys = list(self.spool.keys())
            for index, key in enumerate(keys):
                try:
                    data = await self.spool.get(key)
                except FileNotFoundError:  # another process synced it meanwhile
                    continue
                if content_key(data, key.rsplit(".", 1)[1]) != key:
                    result.left += 1
                    result.problems.append(f"{key}: the file does not match its key (damaged); left in the spool")
                    continue
                try:
                    uploaded = await self.remote.upload(key, data)
                except S3_FAILURES as error:
                    self._failed("sync", key, error)
                    result.left += len(keys) - index
                    result.problems.append(f"S3 bucket {self.remote.bucket}: {type(error).__name__}: {error}")
                    break
                self._answered()
                self.spool.remove(key)
                result.uploaded += uploaded
                result.present += not uploaded
        return result

    def start(self) -> None:
        """Sync in the background every `sync_every_s` (0: never) while the spool has anything."""
        if self.sync_every_s > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._sync_now_and_then(), name="routix-s3-sync")

    async def _sync_now_and_then(self) -> None:
        while True:
            if self.spool.pending() and time.monotonic() >= self._down_until:
                try:
                    synced = await self.sync()
                except Exception:  # never let the loop die; the spool stays for the next round
                    log.exception("syncing the blob spool failed")
                else:
                    if synced.uploaded or synced.present:
                        log.info("blob spool synced: %s uploaded, %s already in S3, %s left", synced.uploaded,
                                 synced.present, synced.left)
            await asyncio.sleep(self.sync_every_s)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.remote.aclose()


def spool_path(data_dir: Path) -> Path:
    return data_dir / "blobs-pending"
