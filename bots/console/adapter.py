"""The terminal adapter: a chat on the same core, progress as lines, results saved as files."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from core.messages import (
    AlbumReply,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Incoming,
    Keyboard,
    Outgoing,
    ProgressReply,
    TextReply,
    Working,
)
from core.service import Service

PROMPT = "you> "


class ConsoleChat:
    def __init__(self, service: Service, user: str, language: str | None, out_dir: Path, output: TextIO) -> None:
        self.service = service
        self.user = user
        self.language = language
        self.out_dir = out_dir
        self.output = output
        self.last_buttons: dict[str, str] = {}  # "1" -> action, so a person can type a button's number

    async def run(self, lines: TextIO) -> None:
        interactive = lines.isatty()
        while True:
            if interactive:
                self._print(PROMPT, end="")
            line = await asyncio.to_thread(lines.readline)
            if not line:
                return
            await self.send(line.strip())

    async def send(self, text: str) -> None:
        if not text:
            return
        button = self.last_buttons.get(text) if text.isdigit() else None
        incoming = Incoming("console", self.user, f"console:{self.user}", "" if button else text,
                            display_name=self.user, locale=self.language, button=button)
        await self.service.handle(incoming, self.on_event)

    async def on_event(self, event: Outgoing) -> None:
        match event:
            case TextReply(text=text, buttons=buttons):
                self._print(text)
                self._show_buttons(buttons)
            case Working():
                pass
            case ProgressReply(text=text):
                self._print(f"  … {text}")
            case ImageReply():
                self._print(f"{event.caption}\n  saved: {self._save(event.filename, event.image)} "
                            f"({event.width}x{event.height}, {len(event.image) // 1024} KB)")
                self._show_buttons(event.buttons)
            case AlbumReply(images=images, caption=caption):
                self._print(caption)
                for image in images:
                    self._print(f"  saved: {self._save(image.filename, image.image)}")
            case DocumentReply(data=data, filename=filename, caption=caption):
                self._print(f"{caption}\n  saved: {self._save(filename, data)}")
            case ErrorReply(text=text):
                self._print(f"! {text}")

    def _show_buttons(self, buttons: Keyboard) -> None:
        flat = [button for row in buttons for button in row]
        if not flat:
            return
        self.last_buttons = {str(i): button.action for i, button in enumerate(flat, 1)}
        self._print("  " + "  ".join(f"[{i}] {button.label}" for i, button in enumerate(flat, 1)))

    def _save(self, filename: str, data: bytes) -> Path:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / filename
        path.write_bytes(data)
        return path

    def _print(self, text: str, end: str = "\n") -> None:
        print(text, end=end, file=self.output, flush=True)


async def chat(service: Service, user: str, language: str | None, out_dir: Path) -> None:
    console = ConsoleChat(service, user, language, out_dir, sys.stdout)
    if sys.stdin.isatty():
        await console.send("/start")
    await console.run(sys.stdin)
