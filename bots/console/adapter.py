"""The terminal adapter: a chat on the same core, progress as lines, results (and previews) saved as files.

A terminal is one conversation at a time: after each line the chat waits until the jobs it started have ended,
so the answer to a request comes before the next line is read. Jobs always run in this process (`console` role).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from core.messages import (
    Address,
    AlbumReply,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Incoming,
    Keyboard,
    Outgoing,
    PreviewReply,
    ProgressReply,
    Reply,
    TextReply,
    Working,
)
from core.ports import JobReplies, ProgressKept
from core.service import Service

PROMPT = "you> "


class ConsoleSender:
    """The outbound side: a job's events go to whoever listens in its chat (the terminal; tests' conversations)."""

    def __init__(self) -> None:
        self.listeners: dict[str, Reply] = {}

    def listen(self, chat_id: str, reply: Reply) -> None:
        self.listeners[chat_id] = reply

    def open(self, address: Address, on_progress: ProgressKept) -> JobReplies:
        return _ChatReplies(self, address.chat_id)


class _ChatReplies:
    def __init__(self, sender: ConsoleSender, chat_id: str) -> None:
        self.sender, self.chat_id = sender, chat_id

    async def __call__(self, event: Outgoing) -> None:
        listener = self.sender.listeners.get(self.chat_id)
        if listener is None:  # a job of another terminal session: not delivered, so refunded, never "done"
            raise LookupError(f"nobody is reading {self.chat_id} in this terminal")
        await listener(event)

    async def close(self) -> None:
        return None


def _read_in_the_background(lines: TextIO) -> asyncio.Queue[str]:
    """Lines as they are typed ("" at the end). Read in a daemon thread: a thread of asyncio's own pool would keep
    Ctrl-C from ending the chat until the next Enter (the pool is waited for at exit)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        for line in iter(lines.readline, ""):
            if not _handed(loop, queue, line):
                return
        _handed(loop, queue, "")

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return queue


def _handed(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str], line: str) -> bool:
    try:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    except RuntimeError:  # the chat has ended
        return False
    return True


class ConsoleChat:
    def __init__(self, service: Service, user: str, language: str | None, out_dir: Path, output: TextIO,
                 idle: Callable[[], Awaitable[None]]) -> None:
        self.service = service
        self.idle = idle
        self.user = user
        self.language = language
        self.out_dir = out_dir
        self.output = output
        self.last_buttons: dict[str, str] = {}  # "1" -> action, so a person can type a button's number

    async def run(self, lines: TextIO) -> None:
        interactive = lines.isatty()
        incoming = _read_in_the_background(lines)
        while True:
            if interactive:
                self._print(PROMPT, end="")
            line = await incoming.get()
            if not line:
                return
            await self.send(line.strip())

    async def send(self, text: str) -> None:
        if not text:
            return
        button = self.last_buttons.get(text) if text.isdigit() else None
        incoming = Incoming("console", self.user, self.chat_id, "" if button else text,
                            display_name=self.user, locale=self.language, button=button)
        await self.service.handle(incoming, self.on_event)
        await self.idle()  # the answer to this line comes before the next line is read

    @property
    def chat_id(self) -> str:
        return f"console:{self.user}"

    async def on_event(self, event: Outgoing) -> None:
        match event:
            case TextReply(text=text, buttons=buttons):
                self._print(text)
                self._show_buttons(buttons)
            case Working():
                pass
            case ProgressReply(text=text):
                self._print(f"  … {text}")
            case PreviewReply(generation_id=generation_id, image=image, text=text):  # the latest replaces the last
                self._print(f"  … {text} (preview saved: {self._save(f'preview-{generation_id}.jpg', image)})")
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
            case ErrorReply(text=text, buttons=buttons):
                self._print(f"! {text}")
                self._show_buttons(buttons)  # e.g. "Try Local (free)": type its number

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


async def chat(service: Service, sender: ConsoleSender, idle: Callable[[], Awaitable[None]], user: str,
               language: str | None, out_dir: Path) -> None:
    console = ConsoleChat(service, user, language, out_dir, sys.stdout, idle)
    sender.listen(console.chat_id, console.on_event)
    if sys.stdin.isatty():
        await console.send("/start")
    await console.run(sys.stdin)
