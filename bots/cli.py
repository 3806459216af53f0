"""`routix` console script: chat, generate, telegram, discord, worker, storage, db."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bots import database
from bots.lifecycle import run_service
from bots.logs import install_redaction, settings_secrets
from bots.settings import Settings, SettingsError, load_settings
from core.ports import StoreUnavailable
from storage.migrations import SchemaError

log = logging.getLogger("routix")

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
    storage = commands.add_parser("storage", help="look after the picture store (STORAGE_BACKEND)")
    storage_commands = storage.add_subparsers(dest="storage_command", required=True)
    storage_commands.add_parser("sync", help="upload to S3 the pictures kept locally while it was unreachable")
    gc = storage_commands.add_parser("gc", help="delete pictures nothing refers to, and expired free-tier originals")
    gc.add_argument("--older-than", type=_days, default=7, metavar="DAYS",
                    help="only pictures stored at least this many days ago (default 7; at least 1)")
    gc.add_argument("--originals-days", type=_days, default=None, metavar="DAYS",
                    help="free-tier originals older than this (default STORAGE_ORIGINALS_RETENTION_DAYS)")
    commands.add_parser("serve", help="serve the signed share links of the local picture store")
    database.add_commands(commands)
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
        logging.getLogger("alembic").setLevel(logging.WARNING)  # storage.migrations logs what a start migrated
    try:
        return database.run(settings, args) if args.command == "db" else _run(settings, args)
    except SchemaError as error:  # an outdated PostgreSQL schema: the message says what to run
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (StoreUnavailable, SQLAlchemyError) as error:  # through the redacting log: the URL holds a password
        log.error("the database (DATABASE_URL) could not be used: %s", str(error).splitlines()[0][:300])
        return 2
    except Exception as error:  # unforeseen: logged redacted, never printed by Python with a token in a URL
        log.critical("routix %s stopped: %s: %s", args.command, type(error).__name__, error, exc_info=True)
        return 1


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command in PLATFORM_RUNNERS:
        return int(importlib.import_module(PLATFORM_RUNNERS[args.command]).run(settings))
    if args.command == "storage":
        return asyncio.run(_storage(settings, args))
    if args.command == "serve":
        return run_service(_serve(settings))
    if args.command == "chat":
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # keep the chat readable
        try:
            return asyncio.run(_chat(settings, args))
        except KeyboardInterrupt:  # Ctrl-C ends a chat: the core was closed on the way out
            print(file=sys.stderr)
            return 130
    return asyncio.run(_generate(settings, args))


async def _storage(settings: Settings, args: argparse.Namespace) -> int:
    if args.storage_command == "sync":
        return await _storage_sync(settings)
    if args.storage_command == "gc":
        return await _storage_gc(settings, args)
    raise AssertionError(f"unknown storage command {args.storage_command}")


async def _storage_sync(settings: Settings) -> int:
    """Upload the spool (pictures saved while S3 was unreachable); each file leaves it once S3 has it."""
    from bots.bootstrap import blob_store
    from storage.s3_blobs import FallbackBlobStore

    blobs = blob_store(settings)
    if not isinstance(blobs, FallbackBlobStore):
        print("error: storage sync uploads to S3: set STORAGE_BACKEND=s3 and STORAGE_S3_BUCKET", file=sys.stderr)
        return 2
    try:
        synced = await blobs.sync()
    finally:
        await blobs.aclose()
    for problem in synced.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"uploaded {synced.uploaded}, already in S3 {synced.present}, left in {blobs.spool.root}: {synced.left}")
    return 1 if synced.left else 0


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a whole number of days, at least 1")
    return int(text)


async def _storage_gc(settings: Settings, args: argparse.Namespace) -> int:
    """Blobs nothing refers to, stored longer ago than --older-than (a picture being made now is never taken), and
    free-tier originals past their retention (made again on demand)."""
    from datetime import timedelta

    from bots.bootstrap import blob_store
    from storage.engine import create_engine
    from storage.retention import collect_garbage
    from storage.store import SqlStore

    store = SqlStore(create_engine(settings.database_url))
    blobs = blob_store(settings)
    try:
        await store.create_schema()
        originals = args.originals_days or settings.storage.originals_retention_days
        collected = await collect_garbage(store, blobs, timedelta(days=args.older_than),  # type: ignore[arg-type]
                                          timedelta(days=originals))
    finally:
        await store.close()
        if hasattr(blobs, "aclose"):
            await blobs.aclose()
    print(f"originals expired {collected.originals_expired}, pictures deleted {collected.blobs_deleted}, "
          f"kept {collected.blobs_kept}")
    return 0


async def _serve(settings: Settings) -> int:
    from bots.bootstrap import blob_store
    from bots.serve import run_server
    from storage.links import SignedLinks

    storage = settings.storage
    if not storage.share_base_url or storage.backend != "local":
        print("error: routix serve serves the local store's links: set STORAGE_SHARE_BASE_URL (on S3 the links are "
              "presigned and need no server)", file=sys.stderr)
        return 2
    links = SignedLinks(settings.app.secret_key, storage.share_base_url, storage.share_ttl_hours * 3600)
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        await run_server(links, blob_store(settings), storage.share_listen, storage.share_port)
    return 0


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
