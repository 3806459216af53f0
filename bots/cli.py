"""`routix` console script: chat, generate, telegram, discord."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bots.logs import install_redaction, settings_secrets
from bots.settings import Settings, SettingsError, load_settings

PLATFORM_RUNNERS = {"telegram": "bots.telegram.main", "discord": "bots.discord.main", "worker": "bots.worker"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="routix", description="Click-worthy 16:9 thumbnails from a chat.")
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="chat with Routix in this terminal (reads piped input too)")
    chat.add_argument("--user", default="you", help="your name in this chat (default: you)")
    chat.add_argument("--lang", choices=["en", "fa"], default=None, help="reply language")
    chat.add_argument("--out", type=Path, default=None, help="folder for results (default: DATA_DIR/out)")
    generate = commands.add_parser("generate", help="make one thumbnail and print its path")
    generate.add_argument("prompt")
    generate.add_argument("--title")
    generate.add_argument("--algorithm")
    generate.add_argument("--style")
    generate.add_argument("--photo", type=Path)
    generate.add_argument("--seed", type=int)
    generate.add_argument("--out", type=Path, default=Path("thumbnail.jpg"))
    generate.add_argument("--lang", choices=["en", "fa"], default=None)
    for name in ("telegram", "discord"):
        commands.add_parser(name, help=f"run the {name.title()} bot")
    commands.add_parser("worker", help="run jobs from the shared queue (JOBS_BACKEND=redis://…)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.app.routix_log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction(settings_secrets(settings))
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("saq").setLevel(logging.WARNING)  # a line per job enqueued and run: only when debugging
    if args.command in PLATFORM_RUNNERS:
        return int(importlib.import_module(PLATFORM_RUNNERS[args.command]).run(settings))
    if args.command == "chat":
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # keep the chat readable
        return asyncio.run(_chat(settings, args))
    return asyncio.run(_generate(settings, args))


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bots.bootstrap import build
    from bots.console.adapter import ConsoleSender, chat

    async with build(settings, role="console") as routix:
        sender = ConsoleSender()
        routix.add_sender("console", sender)
        await routix.serve_jobs()
        await chat(routix.service, sender, routix.idle, args.user, args.lang,
                   args.out or settings.app.routix_data_dir / "out")
    return 0


async def _generate(settings: Settings, args: argparse.Namespace) -> int:
    from bots.bootstrap import build
    from bots.console.adapter import ConsoleSender
    from core.messages import ErrorReply, ImageReply, Incoming, Options, Outgoing, Working

    if args.photo and not args.photo.is_file():
        print(f"error: no such photo file: {args.photo}", file=sys.stderr)
        return 2
    results: list[Outgoing] = []

    async def collect(event: Outgoing) -> None:
        results.append(event)

    async with build(settings, role="console") as routix:
        sender = ConsoleSender()
        routix.add_sender("console", sender)
        await routix.serve_jobs()
        incoming = Incoming("console", "cli", f"cli:{args.out}", args.prompt, display_name="cli", locale=args.lang,
                            photo=args.photo.read_bytes() if args.photo else None,
                            options=Options(args.title, args.algorithm, args.style, args.seed))
        sender.listen(incoming.chat_id, collect)
        await routix.service.handle(incoming, collect)
        await routix.idle()
    accepted = next((event.generation_id for event in results if isinstance(event, Working)), None)
    image = next((event for event in results if isinstance(event, ImageReply) and event.generation_id == accepted),
                 None)  # not a picture an earlier, interrupted run left to be resumed
    if image is None:
        errors = [event.text for event in results if isinstance(event, ErrorReply)] or ["no image was produced"]
        print("error: " + "; ".join(errors), file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(image.image)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
