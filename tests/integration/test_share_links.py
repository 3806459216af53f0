"""Share links: `/history` offers signed, expiring links; `routix serve` serves them and nothing else."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from PIL import Image

from bots.bootstrap import Routix
from bots.serve import share_app
from core.messages import ImageReply, TextReply
from storage.blobs import LocalBlobStore
from storage.links import SignedLinks
from tests.conftest import Conversation, started

SECRET = "a-test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
async def server(blobs: LocalBlobStore) -> AsyncIterator[tuple[TestServer, SignedLinks]]:
    links = SignedLinks(SECRET, "http://placeholder", ttl_s=60)
    served = TestServer(share_app(links, blobs), host="127.0.0.1")
    await served.start_server()
    links.base_url = str(served.make_url("")).rstrip("/")
    yield served, links
    await served.close()


async def fetch(url: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as session, session.get(url, allow_redirects=False) as response:
        return response.status, await response.read(), response.headers.get("Content-Type", "")


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


async def test_a_genuine_link_serves_the_picture(server: tuple[TestServer, SignedLinks],
                                                 blobs: LocalBlobStore) -> None:
    _, links = server
    key = await blobs.put(picture(), "jpg")
    status, body, kind = await fetch(links.url(key, "thumb.jpg"))
    assert (status, kind) == (200, "image/jpeg") and body == await blobs.get(key)


async def test_tampered_expired_and_outside_links_are_refused(server: tuple[TestServer, SignedLinks],
                                                              blobs: LocalBlobStore, tmp_path: Path) -> None:
    served, links = server
    key = await blobs.put(picture(), "jpg")
    other = await blobs.put(b"another picture", "jpg")
    url = links.url(key, "thumb.jpg")
    assert (await fetch(url.replace(key, other)))[0] == 403, "a signature is for one key"
    assert (await fetch(url[:-4] + "0000"))[0] == 403, "a changed signature"
    later = url.replace("e=", "e=9")  # a later expiry
    assert (await fetch(later))[0] == 403
    expired = links.url(key, "thumb.jpg", now=time.time() - 3600)
    assert (await fetch(expired))[0] == 410
    (tmp_path / "secret.txt").write_text("not for you")
    base = str(served.make_url("")).rstrip("/")
    for path in ("/f/..%2F..%2Fsecret.txt", "/f/../../secret.txt", "/f/%2e%2e%2fsecret.txt", "/secret.txt"):
        status, body, _ = await fetch(base + path + "?e=9999999999&s=x")
        assert status in (403, 404) and b"not for you" not in body, path


async def test_the_served_type_is_the_stored_file_s_whatever_the_link_names(
        server: tuple[TestServer, SignedLinks], blobs: LocalBlobStore) -> None:
    """The name in a link is not signed: "n=x.html" served a picture (or a polyglot photo) as a web page."""
    _, links = server
    key = await blobs.put(picture(), "jpg")
    renamed = links.url(key, "thumb.jpg").replace("thumb.jpg", "x.html")
    async with aiohttp.ClientSession() as session, session.get(renamed) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["Content-Disposition"] == 'inline; filename="x.jpg"'


async def test_a_picture_no_longer_stored_is_404(server: tuple[TestServer, SignedLinks],
                                                 blobs: LocalBlobStore) -> None:
    _, links = server
    key = await blobs.put(picture(), "jpg")
    await blobs.delete(key)
    assert (await fetch(links.url(key, "thumb.jpg")))[0] == 404


async def test_captions_and_history_offer_a_link_to_each_picture(tmp_path: Path) -> None:
    from bots.settings import AppSettings, StorageSettings
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data")
    settings.app = AppSettings(routix_data_dir=tmp_path / "data", secret_key=SECRET)
    settings.storage = StorageSettings(share_base_url="https://files.example")
    app: Routix = await started(settings)
    try:
        person = Conversation(app)
        image = next(e for e in await person.send('Vlog "PARIS"') if isinstance(e, ImageReply))
        assert "\n🔗 https://files.example/f/" in image.caption, "the result's caption offers it too"
        history = (await person.send("/history"))[-1]
        assert isinstance(history, TextReply)
        line = next(line for line in history.text.splitlines() if "PARIS" in line)
        assert "https://files.example/f/" in line and "&s=" in line
    finally:
        await app.aclose()
