"""A process that cannot start says why in one line and exits 2: a refused token or an unreachable platform is
the operator's to fix, not a traceback to read."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def routix(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "DISCORD_"))}
    environment.update(ROUTIX_DATA_DIR=str(data_dir), **env)
    return subprocess.run([sys.executable, "-m", "bots.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=environment, timeout=60, check=False)


@pytest.mark.parametrize("platform", ["TELEGRAM", "DISCORD"])
def test_a_worker_whose_platform_cannot_be_reached_says_so_in_one_line(tmp_path: Path, platform: str) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    token = "123456:TEST-token-not-real" if platform == "TELEGRAM" else "TEST.discord.token"
    base = "bot" if platform == "TELEGRAM" else "api/v10"
    done = routix(["worker"], tmp_path, JOBS_BACKEND="redis://127.0.0.1:6379/9", **{
        f"{platform}_BOT_TOKEN": token, f"{platform}_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/{base}"})
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "could not be reached" in output and "Traceback" not in output
    assert token not in output


def test_a_discord_bot_that_cannot_reach_discord_says_so_in_one_line(tmp_path: Path) -> None:
    done = routix(["discord"], tmp_path, DISCORD_BOT_TOKEN="TEST.discord.token",
                  DISCORD_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/api/v10")
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "could not be reached" in output and "Traceback" not in output


def test_the_share_link_server_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """A container's stop is a SIGTERM: answered like every other service's, not killed with 143."""
    import signal
    import time
    import urllib.request

    port = closed_port()
    environment = {**os.environ, "ROUTIX_DATA_DIR": str(tmp_path), "STORAGE_SHARE_BASE_URL": f"http://127.0.0.1:{port}",
                   "STORAGE_SHARE_LISTEN": "127.0.0.1", "STORAGE_SHARE_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve"], cwd=REPO, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/s/x", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "routix serve did not start"
                time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0, server.stdout.read() if server.stdout else ""
    finally:
        server.kill()
