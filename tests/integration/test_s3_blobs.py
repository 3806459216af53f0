"""The S3 blob store against a real S3-compatible HTTP server on 127.0.0.1 (moto's server mode), with the real
boto3 client: round trips, one object per content, the addressing option, and an outage that loses nothing."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from bots import cli
from bots.bootstrap import blob_store
from bots.settings import StorageSettings
from core.messages import ImageReply
from storage.blobs import InvalidKey
from storage.s3_blobs import FallbackBlobStore, S3BlobStore, S3Config, Spool, spool_path
from tests.conftest import Conversation, make_settings, started

LOGGER = "storage.s3_blobs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int = 0) -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def stop(server: ThreadedMotoServer) -> None:
    server.stop()
    server._server.server_close()  # type: ignore[union-attr]  # stop() leaves the socket listening: close it too


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials, no profile files and no instance metadata: boto3 never looks beyond 127.0.0.1."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = serve()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    stop(server)


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(endpoint: str) -> str:
    name = f"routix-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed}


def storage(endpoint: str, bucket: str, **fields: object) -> StorageSettings:
    chosen = {"s3_path_style": True, "s3_connect_timeout_seconds": 1, "s3_read_timeout_seconds": 2,
              "sync_seconds": 0, **fields}
    return StorageSettings(backend="s3", s3_bucket=bucket, s3_endpoint_url=endpoint, s3_region="us-east-1",
                           **chosen)  # type: ignore[arg-type]


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_round_trip_keeps_keys_content_types_and_the_prefix(endpoint: str, bucket: str) -> None:
    blobs = S3BlobStore(S3Config(bucket=bucket, prefix="/thumbs/", endpoint_url=endpoint, path_style=True))
    jpeg = b"\xff\xd8\xff\xe0 a jpeg"
    saved = {
        await blobs.put(jpeg, "jpg"): ("image/jpeg", jpeg),
        await blobs.put(png(), "png"): ("image/png", png()),
        await blobs.put(png("blue"), "img"): ("image/png", png("blue")),  # an uploaded photo: sniffed
        await blobs.put(b"not a picture", "img"): ("application/octet-stream", b"not a picture"),
    }
    client = s3_client(endpoint)
    for key, (kind, data) in saved.items():
        assert key == f"{hashlib.sha256(data).hexdigest()}.{key.rsplit('.', 1)[1]}"
        assert await blobs.get(key) == data and await blobs.exists(key)
        assert client.head_object(Bucket=bucket, Key=f"thumbs/{key}")["ContentType"] == kind
    assert set(objects(endpoint, bucket)) == {f"thumbs/{key}" for key in saved}
    missing = "0" * 64 + ".jpg"
    assert not await blobs.exists(missing)
    with pytest.raises(FileNotFoundError):
        await blobs.get(missing)
    for bad in ("../../etc/passwd", "thumbs/" + missing):
        with pytest.raises(InvalidKey):
            await blobs.get(bad)
    await blobs.delete(next(iter(saved)))
    await blobs.delete(missing)  # not there: no error
    assert len(objects(endpoint, bucket)) == 3
    await blobs.aclose()


async def test_identical_bytes_are_one_object_and_uploaded_once(endpoint: str, bucket: str) -> None:
    s3_client(endpoint).put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    blobs = S3BlobStore(S3Config(bucket=bucket, endpoint_url=endpoint, path_style=True, concurrency=4))
    uploads: list[str] = []
    blobs.client.meta.events.register("before-call.s3.PutObject", lambda **_: uploads.append("put"))
    keys = {await blobs.put(b"same bytes", "jpg") for _ in range(3)}
    keys |= set(await asyncio.gather(*(blobs.put(b"same bytes", "jpg") for _ in range(8))))
    assert len(keys) == 1 and len(uploads) == 1  # the HEAD found it: no second upload
    versions = s3_client(endpoint).list_object_versions(Bucket=bucket).get("Versions", [])
    assert len(versions) == 1  # a versioned bucket did not grow a version per save
    await blobs.aclose()


def test_the_addressing_option_reaches_the_client(tmp_path: Path) -> None:
    port = free_port()
    for path_style, url in ((True, f"http://localhost:{port}/routix-media/k"),
                            (False, f"http://routix-media.localhost:{port}/k")):
        settings = make_settings(tmp_path)
        settings.storage = storage(f"http://localhost:{port}", "routix-media", s3_path_style=path_style,
                                   s3_concurrency=7, s3_max_attempts=3)
        blobs = blob_store(settings)
        assert isinstance(blobs, FallbackBlobStore)
        config = blobs.remote.client.meta.config
        assert config.s3["addressing_style"] == ("path" if path_style else "virtual")
        assert (config.max_pool_connections, config.connect_timeout, config.read_timeout) == (7, 1, 2)
        assert config.retries == {"total_max_attempts": 3, "mode": "standard"}
        assert blobs.remote._pool._max_workers == 7
        signed = blobs.remote.client.generate_presigned_url("get_object", Params={"Bucket": "routix-media",
                                                                                  "Key": "k"})
        assert signed.split("?")[0] == url  # where the client would send a request (no request is made)
        asyncio.run(blobs.aclose())


async def test_an_outage_loses_nothing_and_storage_sync_uploads_each_picture_once(
        endpoint: str, bucket: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    settings = make_settings(data_dir)
    settings.storage = storage(f"http://127.0.0.1:{free_port()}", bucket)  # nothing listens there: S3 is down
    blobs = blob_store(settings)
    assert isinstance(blobs, FallbackBlobStore)
    pictures = [png(colour) for colour in ("red", "green", "blue")]
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        keys = [await blobs.put(picture, "png") for picture in pictures]
        keys.append(await blobs.put(pictures[0], "png"))  # the same bytes again: still one file
        assert [await blobs.get(key) for key in keys] == [*pictures, pictures[0]]  # the person still gets them
        assert all([await blobs.exists(key) for key in keys])
    warnings = [record for record in caplog.records if record.name == LOGGER and record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()  # once per outage, not per save
    assert blobs.outage
    spool = Spool(spool_path(data_dir))
    assert sorted(spool.keys()) == sorted(set(keys))
    await blobs.aclose()

    # S3 is back: the operator runs `routix storage sync` with the same configuration
    for name, value in {"ROUTIX_DATA_DIR": str(data_dir), "STORAGE_BACKEND": "s3", "STORAGE_S3_BUCKET": bucket,
                        "STORAGE_S3_ENDPOINT_URL": endpoint, "STORAGE_S3_PATH_STYLE": "true",
                        "STORAGE_S3_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(cli.main, ["storage", "sync"]) == 0
    assert "uploaded 3, already in S3 0" in capsys.readouterr().out
    assert list(spool.keys()) == []
    assert objects(endpoint, bucket) == {key: picture for key, picture in zip(keys, pictures, strict=False)}
    assert await asyncio.to_thread(cli.main, ["storage", "sync"]) == 0
    assert "uploaded 0, already in S3 0" in capsys.readouterr().out  # a second run uploads nothing twice
    assert len(objects(endpoint, bucket)) == 3


async def test_sync_leaves_what_s3_does_not_confirm_and_a_damaged_file(endpoint: str, bucket: str,
                                                                       tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    kept = await spool.put(b"kept while S3 was down", "jpg")
    damaged = await spool.put(b"will be damaged", "jpg")
    spool.path_of(damaged).write_bytes(b"bit rot")
    down = FallbackBlobStore(S3BlobStore(S3Config(bucket=bucket, endpoint_url=f"http://127.0.0.1:{free_port()}",
                                                  path_style=True, connect_timeout_s=1)), spool)
    synced = await down.sync()
    assert (synced.uploaded, synced.left) == (0, 2) and set(spool.keys()) == {kept, damaged}
    await down.aclose()
    up = FallbackBlobStore(S3BlobStore(S3Config(bucket=bucket, endpoint_url=endpoint, path_style=True)), spool)
    await up.remote.put(b"kept while S3 was down", "jpg")  # another process got it there first
    synced = await up.sync()
    assert (synced.uploaded, synced.present, synced.left) == (0, 1, 1)
    assert set(spool.keys()) == {damaged} and "damaged" in synced.problems[0]
    assert set(objects(endpoint, bucket)) == {kept}  # the damaged bytes never reach the bucket under that key
    await up.delete(damaged)
    assert list(spool.keys()) == []
    await up.aclose()


async def test_a_running_store_syncs_by_itself_when_s3_comes_back(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    server = serve()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    bucket = f"routix-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    spool = Spool(tmp_path / "spool")
    blobs = FallbackBlobStore(S3BlobStore(S3Config(bucket=bucket, endpoint_url=endpoint, path_style=True,
                                                   connect_timeout_s=1, read_timeout_s=2)),
                              spool, probe_after_s=0.1, sync_every_s=0.1)
    blobs.start()
    try:
        assert await blobs.put(b"before", "jpg")
        stop(server)
        with caplog.at_level(logging.INFO, logger=LOGGER):
            key = await blobs.put(b"during the outage", "jpg")
            assert list(spool.keys()) == [key]
            server = serve(port)  # back, on the same address; the bucket is still there
            for _ in range(100):
                if not spool.pending():
                    break
                await asyncio.sleep(0.05)
        assert not spool.pending() and not blobs.outage
        assert objects(endpoint, bucket)[key] == b"during the outage"
        assert await blobs.get(key) == b"during the outage"  # now from S3
        assert any("reachable again" in record.getMessage() for record in caplog.records)
    finally:
        await blobs.aclose()
        stop(server)


async def test_the_service_stores_its_thumbnail_in_the_bucket(endpoint: str, bucket: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.storage = storage(endpoint, bucket, s3_prefix="routix")
    app = await started(settings)
    try:
        assert isinstance(app.blobs, FallbackBlobStore)
        chat = Conversation(app)
        await chat.send('Gaming thumbnail "I WON" in red')
        image = chat.last(ImageReply)
        assert isinstance(image, ImageReply)
        generation = await app.store.get_generation(uuid.UUID(image.generation_id))
        assert generation is not None and generation.result_key
    finally:
        await app.aclose()
    stored = objects(endpoint, bucket)
    assert stored[f"routix/{generation.result_key}"] == image.image
    assert Image.open(io.BytesIO(image.image)).format == "JPEG"
    assert s3_client(endpoint).head_object(Bucket=bucket, Key=f"routix/{generation.result_key}")[
        "ContentType"] == "image/jpeg"
    assert not Spool(spool_path(tmp_path / "data")).pending()


async def test_retention_sees_the_bucket_and_the_spool_and_nothing_else(endpoint: str, bucket: str,
                                                                        tmp_path: Path) -> None:
    s3_client(endpoint).put_object(Bucket=bucket, Key="media/not-ours.txt", Body=b"x")  # another app's object
    s3_client(endpoint).put_object(Bucket=bucket, Key="elsewhere.jpg", Body=b"x")
    remote = S3BlobStore(S3Config(bucket=bucket, prefix="media", endpoint_url=endpoint, path_style=True))
    spool = Spool(tmp_path / "spool")
    blobs = FallbackBlobStore(remote, spool)
    in_s3 = await blobs.put(b"uploaded", "jpg")
    spooled = await spool.put(b"kept while S3 was down", "png")
    both = await spool.put(b"uploaded", "jpg")  # a copy not yet removed from the spool
    listed = dict(await blobs.listing())
    assert set(listed) == {in_s3, spooled} and both == in_s3
    assert abs(listed[in_s3] - spool.path_of(in_s3).stat().st_mtime) < 5
    for key in listed:
        await blobs.delete(key)
    assert await blobs.listing() == [] and not spool.pending()
    assert set(objects(endpoint, bucket)) == {"media/not-ours.txt", "elsewhere.jpg"}
    await blobs.aclose()


async def test_history_on_s3_offers_presigned_links_that_fetch_the_picture(endpoint: str, bucket: str,
                                                                           tmp_path: Path) -> None:
    import urllib.request

    settings = make_settings(tmp_path / "data")
    settings.storage = storage(endpoint, bucket, share_ttl_hours=1)
    app = await started(settings)
    try:
        chat = Conversation(app)
        image = next(e for e in await chat.send('Vlog "PARIS"') if isinstance(e, ImageReply))
        history = (await chat.send("/history"))[-1]
    finally:
        await app.aclose()
    (link,) = [word for word in history.text.split() if word.startswith(endpoint)]  # type: ignore[union-attr]
    assert "Signature=" in link and "Expires=" in link, "presigned by the client, no server of ours"
    with urllib.request.urlopen(link, timeout=10) as response:
        assert response.read() == image.image


async def test_deleting_while_s3_is_known_to_be_down_fails_at_once(tmp_path: Path) -> None:
    """An S3 that takes requests and never answers: a save found it out (one wait for its timeouts); each delete
    after it (a /forget of a hundred files) waited again for the full timeouts, half an hour in all."""
    requests = 0

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        requests += 1
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    settings = make_settings(tmp_path / "data")
    settings.storage = storage(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", "routix-media",
                               s3_read_timeout_seconds=0.5, s3_max_attempts=1)
    blobs = blob_store(settings)
    assert isinstance(blobs, FallbackBlobStore)
    try:
        keys = [await blobs.put(png(colour), "png") for colour in ("red", "green", "blue")]  # kept in the spool
        assert blobs.outage
        asked = requests
        for key in keys:
            with pytest.raises(ConnectionError):
                await blobs.delete(key)
        assert requests == asked, "no delete waited on the silent S3"
        assert not [key for key in keys if await blobs.spool.exists(key)], "the spool's copies are gone"
    finally:
        server.close()
        await blobs.aclose()


async def test_saving_bytes_already_stored_makes_the_object_young_again(endpoint: str, bucket: str) -> None:
    """The save skipped the upload and left the object its old age: retention (by age, then unreferenced) took a
    photo saved again a moment ago, before its row existed, and the job failed on the missing file."""
    blobs = S3BlobStore(S3Config(bucket=bucket, endpoint_url=endpoint, path_style=True), refresh_after_s=0.0)
    key = await blobs.put(b"a forwarded photo", "img")
    first = await blobs.saved_at(key)
    await asyncio.sleep(1.1)  # S3 keeps whole seconds
    assert await blobs.put(b"a forwarded photo", "img") == key
    again = await blobs.saved_at(key)
    assert first is not None and again is not None and again > first
    assert await blobs.get(key) == b"a forwarded photo" and await blobs.saved_at("0" * 64 + ".jpg") is None
    await blobs.aclose()

