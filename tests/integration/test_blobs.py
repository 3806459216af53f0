import hashlib
from pathlib import Path

import pytest

from storage.blobs import InvalidKey, LocalBlobStore


async def test_keys_are_content_addressed_and_identical_bytes_stored_once(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    key = await blobs.put(b"jpeg bytes", "jpg")
    assert key == hashlib.sha256(b"jpeg bytes").hexdigest() + ".jpg"
    assert await blobs.put(b"jpeg bytes", "jpg") == key
    assert await blobs.get(key) == b"jpeg bytes"
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    assert not list(tmp_path.rglob(".tmp-*"))  # no temporary file is left behind


async def test_a_file_cut_off_by_a_power_cut_is_written_again(tmp_path: Path) -> None:
    """The same key is the same bytes, so an existing file was taken as stored; one left short by a crash stayed
    short for ever, and every job delivering it failed."""
    blobs = LocalBlobStore(tmp_path)
    data = b"\xff\xd8 a whole jpeg \xff\xd9"
    path = blobs.path_of(hashlib.sha256(data).hexdigest() + ".jpg")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    key = await blobs.put(data, "jpg")
    assert await blobs.get(key) == data


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "a" * 64 + ".jpg/../x", "..", "",
                                 "A" * 64 + ".jpg", "a" * 64 + ".jp g", "a" * 63 + ".jpg"])
async def test_no_key_escapes_the_store(tmp_path: Path, key: str) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs")
    with pytest.raises(InvalidKey):
        await blobs.get(key)
    with pytest.raises(InvalidKey):
        await blobs.exists(key)


async def test_suffixes_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InvalidKey):
        await LocalBlobStore(tmp_path).put(b"x", "../jpg")
