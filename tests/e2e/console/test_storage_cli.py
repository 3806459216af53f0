"""`routix storage gc` and `routix serve` as an operator runs them: subprocesses on a real data directory."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from PIL import Image

from tests.e2e.console.test_terminal import _free_port, run

SECRET = "an-operator-secret-key-for-this-test-0123456789"


def test_gc_deletes_only_old_unreferenced_pictures(tmp_path: Path) -> None:
    assert run(["chat", "--user", "alice"], tmp_path, 'Vlog "PARIS"\n').returncode == 0
    blobs = tmp_path / "blobs"
    kept = sorted(blobs.glob("??/*"))
    orphan = blobs / "ab" / ("ab" + "0" * 62 + ".jpg")
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left behind")
    old = time.time() - 30 * 86400
    for path in (*kept, orphan):
        os.utime(path, (old, old))
    refused = run(["storage", "gc", "--older-than", "0"], tmp_path)
    assert refused.returncode == 2 and "at least 1" in refused.stderr
    result = run(["storage", "gc", "--older-than", "7"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pictures deleted 1" in result.stdout
    assert not orphan.exists() and all(path.exists() for path in kept)


def test_serve_answers_the_links_history_offers_and_nothing_else(tmp_path: Path) -> None:
    port = _free_port()
    env = {"SECRET_KEY": SECRET, "STORAGE_SHARE_BASE_URL": f"http://127.0.0.1:{port}", "STORAGE_SHARE_PORT": str(port)}
    chat = run(["chat", "--user", "alice"], tmp_path, 'Vlog "PARIS"\n/history\n', **env)
    assert chat.returncode == 0, chat.stderr
    caption_link, link = re.findall(r"http://127\.0\.0\.1:\d+/f/\S+", chat.stdout)  # the caption's, /history's
    assert caption_link.split("?")[0] == link.split("?")[0], "both name the same picture"
    server = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve"], cwd=Path(__file__).resolve().parents[3],
                              env={**os.environ, "ROUTIX_DATA_DIR": str(tmp_path), **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        body = _get(link)
        assert Image.open(io.BytesIO(body)).size == (1280, 720)
        for changed in (link.replace("s=", "s=0"), link.replace("/f/", "/f/0"), link.rsplit("?", 1)[0]):
            try:
                _get(changed)
            except urllib.error.HTTPError as error:
                assert error.code == 403
            else:
                raise AssertionError(f"{changed} was served")
    finally:
        server.terminate()
        server.wait(10)


def _get(url: str) -> bytes:
    for _ in range(100):  # the server is starting
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except urllib.error.URLError as error:
            if isinstance(error, urllib.error.HTTPError):
                raise
            time.sleep(0.1)
    raise AssertionError("routix serve did not start")
