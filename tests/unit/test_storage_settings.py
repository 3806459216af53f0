"""STORAGE_*: validated by name, the secret access key never echoed and always redacted, local by default."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bots import cli
from bots.bootstrap import blob_store
from bots.logs import SecretRedactor, settings_secrets
from bots.settings import AppSettings, Settings, SettingsError, StorageSettings, load_settings
from storage.blobs import LocalBlobStore
from storage.s3_blobs import Spool, content_type

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in StorageSettings.model_fields:
        monkeypatch.delenv(f"STORAGE_{name.upper()}", raising=False)


def test_local_files_are_the_default(tmp_path: Path) -> None:
    settings = Settings(app=AppSettings(routix_data_dir=tmp_path))
    assert settings.storage.backend == "local"
    blobs = blob_store(settings)
    assert isinstance(blobs, LocalBlobStore) and blobs.root == (tmp_path / "blobs").resolve()


def test_s3_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    with pytest.raises(SettingsError, match="STORAGE_S3_BUCKET must be set"):
        load_settings()
    monkeypatch.setenv("STORAGE_S3_BUCKET", "Not_A_Bucket")
    with pytest.raises(SettingsError, match="STORAGE_S3_BUCKET: not a bucket name"):
        load_settings()
    monkeypatch.setenv("STORAGE_S3_BUCKET", "routix-media")
    assert load_settings().storage.s3_bucket == "routix-media"


@pytest.mark.parametrize(("name", "value"), [("STORAGE_BACKEND", "ftp"), ("STORAGE_S3_ENDPOINT_URL", "minio:9000"),
                                             ("STORAGE_S3_MAX_ATTEMPTS", "0"), ("STORAGE_S3_PATH_STYLE", "maybe")])
def test_a_wrong_value_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_the_secret_access_key_is_never_echoed_and_always_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_S3_SECRET_ACCESS_KEY", SECRET)  # without its key id: refused
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "STORAGE_S3_ACCESS_KEY_ID" in str(error.value) and SECRET not in str(error.value)
    monkeypatch.setenv("STORAGE_S3_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("STORAGE_S3_BUCKET", "-")  # a field error naming a secret-bearing neighbour echoes nothing
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "STORAGE_S3_BUCKET" in str(error.value) and SECRET not in str(error.value)
    monkeypatch.delenv("STORAGE_S3_BUCKET")
    secrets = settings_secrets(load_settings())
    assert SECRET in secrets
    record = logging.LogRecord("botocore", logging.DEBUG, __file__, 1, "signing with %s", (SECRET,), None)
    SecretRedactor(secrets).filter(record)
    assert SECRET not in record.getMessage()


def test_content_types_come_from_the_suffix_or_the_bytes() -> None:
    assert content_type(b"", "jpg") == "image/jpeg" and content_type(b"", "png") == "image/png"
    assert content_type(b"\xff\xd8\xff\xe0...", "img") == "image/jpeg"
    assert content_type(b"\x89PNG\r\n\x1a\n...", "img") == "image/png"
    assert content_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "img") == "image/webp"
    assert content_type(b"hello", "img") == "application/octet-stream"


async def test_the_spool_lists_only_finished_blobs(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    assert list(spool.keys()) == [] and not spool.pending()
    key = await spool.put(b"bytes", "jpg")
    (spool.path_of(key).parent / ".tmp-half-written").write_bytes(b"by")
    assert list(spool.keys()) == [key]
    spool.remove(key)
    assert not spool.pending()


def test_storage_sync_needs_s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ROUTIX_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit):
        cli.main(["storage"])  # a storage command is required
    assert cli.main(["storage", "sync"]) == 2
    assert "STORAGE_BACKEND=s3" in capsys.readouterr().err
