"""The terminal renders a model's previews (saved like results) and an error's buttons (pressed by number)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image

from bots.console.adapter import ConsoleChat
from core.messages import Button, ErrorReply, Incoming, PreviewReply

GENERATION = "ef" * 16


def jpeg(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), color).save(buffer, "JPEG")
    return buffer.getvalue()


class Core:
    """Stands in for the service: records what the terminal hands it."""

    def __init__(self) -> None:
        self.incoming: list[Incoming] = []

    async def handle(self, incoming: Incoming, reply: Any) -> None:
        self.incoming.append(incoming)


async def idle() -> None:
    return None


def console(tmp_path: Path) -> tuple[ConsoleChat, io.StringIO, Core]:
    output, core = io.StringIO(), Core()
    return ConsoleChat(core, "alice", "en", tmp_path / "out", output, idle), output, core  # type: ignore[arg-type]


async def test_previews_are_saved_and_the_latest_replaces_the_one_before(tmp_path: Path) -> None:
    chat, output, _ = console(tmp_path)
    first, second = jpeg("#d62828"), jpeg("#2a9d8f")
    await chat.on_event(PreviewReply(GENERATION, first, "🎨 Drawing… 1/2"))
    await chat.on_event(PreviewReply(GENERATION, second, "🎨 Drawing… 2/2"))
    lines = output.getvalue().splitlines()
    pattern = re.compile(r"^  … (?P<text>.+) \(preview saved: (?P<path>\S+)\)$")
    found = [pattern.match(line) for line in lines]
    assert all(found) and [m["text"] for m in found if m] == ["🎨 Drawing… 1/2", "🎨 Drawing… 2/2"], lines
    paths = {Path(m["path"]) for m in found if m}
    assert len(paths) == 1, "one file per generation, overwritten by the newer preview"
    [path] = paths
    assert path.parent == tmp_path / "out" and path.read_bytes() == second
    assert Image.open(path).size == (640, 360)


async def test_an_errors_buttons_are_pressed_by_number(tmp_path: Path) -> None:
    chat, output, core = console(tmp_path)
    action = f"rx:algo:{GENERATION}:local"
    await chat.on_event(ErrorReply("failed", "Premium could not draw it. Your 3 credits are back.",
                                   ((Button("🖼 Try Local (free)", action),),)))
    assert output.getvalue().splitlines() == ["! Premium could not draw it. Your 3 credits are back.",
                                              "  [1] 🖼 Try Local (free)"]
    await chat.send("1")
    [pressed] = core.incoming
    assert pressed.button == action and pressed.text == ""


async def test_an_error_without_buttons_keeps_the_last_ones(tmp_path: Path) -> None:
    chat, output, core = console(tmp_path)
    await chat.on_event(ErrorReply("failed", "first", ((Button("Try", "rx:algo:" + GENERATION + ":local"),),)))
    await chat.on_event(ErrorReply("no_credits", "second"))
    assert output.getvalue().splitlines()[-1] == "! second"
    await chat.send("1")
    assert core.incoming[0].button == f"rx:algo:{GENERATION}:local"  # as after a result: the last buttons shown
