"""The terminal adapter and the CLI, run as a creator runs them: subprocesses with piped input."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from PIL import Image


def run(args: list[str], data_dir: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ROUTIX_DATA_DIR": str(data_dir), "JOBS_WORKERS": "1", **env}
    return subprocess.run([sys.executable, "-m", "bots.cli", *args], input=stdin, capture_output=True, text=True,
                          env=environment, timeout=120, check=False, cwd=Path(__file__).resolve().parents[3])


def saved_paths(output: str) -> list[Path]:
    return [Path(p) for p in re.findall(r"saved: (\S+)", output)]


def test_piped_chat_makes_refines_and_reports_credits(tmp_path: Path) -> None:
    script = 'Gaming thumbnail "I WON" in red\nmake it blue\n/credits\n/history\n'
    result = run(["chat", "--user", "alice"], tmp_path, script)
    assert result.returncode == 0, result.stderr
    files = saved_paths(result.stdout)
    assert len(files) == 2
    for path in files:
        with Image.open(path) as image:
            assert image.size == (1280, 720) and image.format == "JPEG"
    assert "Designing your thumbnail" in result.stdout
    assert "Balance: 10 credits" in result.stdout
    assert result.stdout.count('"I WON"') >= 3  # two captions and the history


def test_piped_chat_in_persian_and_buttons_by_number(tmp_path: Path) -> None:
    result = run(["chat", "--user", "sara", "--lang", "fa"], tmp_path, "تامبنیل آموزشی «پایتون در ۱۰ دقیقه»\n3\n")
    assert result.returncode == 0, result.stderr
    assert "«پایتون در ۱۰ دقیقه»" in result.stdout
    png = [p for p in saved_paths(result.stdout) if p.suffix == ".png"]
    assert len(png) == 1 and Image.open(png[0]).size == (1280, 720)  # button 3: the lossless original


def test_generate_writes_one_thumbnail_and_prints_its_path(tmp_path: Path) -> None:
    photo = tmp_path / "me.jpg"
    Image.new("RGB", (640, 960), (200, 60, 60)).save(photo)
    out = tmp_path / "thumb.jpg"
    result = run(["generate", "my morning routine", "--title", "5AM CLUB", "--photo", str(photo), "--seed", "7",
                  "--out", str(out)], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    image = Image.open(io.BytesIO(out.read_bytes()))
    assert image.size == (1280, 720) and image.format == "JPEG"


def test_generate_fails_clearly(tmp_path: Path) -> None:
    result = run(["generate", "anything", "--algorithm", "pro", "--out", str(tmp_path / "x.jpg")], tmp_path)
    assert result.returncode == 1
    assert "not available" in result.stderr and "Traceback" not in result.stderr
    missing = run(["generate", "anything", "--photo", str(tmp_path / "nope.jpg")], tmp_path)
    assert missing.returncode == 2 and "no such photo" in missing.stderr


def test_wrong_settings_are_named_not_a_traceback(tmp_path: Path) -> None:
    result = run(["chat"], tmp_path, "", JOBS_PER_USER="many")
    assert result.returncode == 2
    assert "JOBS_PER_USER" in result.stderr and "Traceback" not in result.stderr
    result = run(["chat"], tmp_path, "", ROUTIX_ENV="production", SECRET_KEY="change-me-to-a-long-random-string")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "secrets.token_urlsafe" in result.stderr
    assert "change-me" not in result.stderr  # a secret is never echoed back


def test_a_paid_algorithm_in_the_terminal_through_the_real_openai_client(tmp_path: Path) -> None:
    """The fake OpenAI runs as a process of its own: the terminal blocks this one while it chats."""
    port = _free_port()
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.openai_api", "--port", str(port)],
                            cwd=Path(__file__).resolve().parents[3], stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout is not None and "http://" in fake.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        script = '/algorithm basic\nGaming "EPIC BOSS FIGHT"\n/credits\n'
        result = run(["chat", "--user", "alice"], tmp_path, script, OPENAI_API_KEY="sk-test-not-real",
                     OPENAI_BASE_URL=f"{base}/v1", AI_PREVIEWS="0")
        assert result.returncode == 0, result.stderr
        state = json.loads(urllib.request.urlopen(f"{base}/_fake/state", timeout=5).read())
    finally:
        fake.terminate()
        fake.wait(10)
    (path,) = saved_paths(result.stdout)
    assert Image.open(path).size == (1280, 720)
    assert "Basic AI · 9 credits left" in result.stdout and "Balance: 9 credits" in result.stdout
    assert [call["model"] for call in state["calls"] if call["path"] == "/images/generations"] == ["gpt-image-1-mini"]
    assert state["errors"] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ctrl_c_ends_a_chat_waiting_for_input_at_once_and_quietly(tmp_path: Path) -> None:
    """The chat reads its input in a daemon thread: asyncio's own pool kept it alive until the next Enter, and the
    interrupt ended in a traceback."""
    import signal
    import time

    environment = {**os.environ, "ROUTIX_DATA_DIR": str(tmp_path), "JOBS_WORKERS": "1"}
    chat = subprocess.Popen([sys.executable, "-m", "bots.cli", "chat", "--user", "ctrl"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
                            cwd=Path(__file__).resolve().parents[3])
    try:
        assert chat.stdin is not None
        chat.stdin.write("/credits\n")
        chat.stdin.flush()  # stdin stays open: the chat waits for the next line
        deadline = time.monotonic() + 60
        while not (tmp_path / "routix.db").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.0)  # started, answered, waiting
        chat.send_signal(signal.SIGINT)
        _, errors = chat.communicate(timeout=10)
        assert chat.returncode == 130 and "Traceback" not in errors, errors
    finally:
        chat.kill()
