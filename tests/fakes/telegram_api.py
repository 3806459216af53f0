"""A local, protocol-faithful fake of the Telegram Bot API (aiohttp on 127.0.0.1).

The real python-telegram-bot talks to it through `base_url`/`base_file_url`. Every request is
recorded in order with a wall-clock timestamp and validated against the published Bot API
description (tests/specs/telegram-bot-api.json): an unknown method, an unknown or missing field or a
value of the wrong type is answered like Telegram does (400/404) and appended to `errors`, which the
test fixtures assert empty. Tests enqueue updates (`push`), script failures (`fail_next`, e.g. a 429)
and inspect `calls`.

It can also run on its own (`python -m tests.fakes.telegram_api --port 8081`) for the benchmark, which
drives it through the `/_fake/...` control endpoints so the fake's CPU is not the bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram-bot-api.json"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the Bot API lets bots download files up to 20 MB
PHOTO_LIMIT = 10 * 1024 * 1024
BOT_ID = 7000000001
SCALARS = {"String", "Integer", "Float", "Boolean", "InputFile"}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message")


# --------------------------------------------------------------------------------------- validation
class SpecValidator:
    """Checks a request's method and fields (recursively into JSON objects) against the Bot API JSON."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        spec = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = spec["version"]
        self.methods: dict[str, Any] = spec["methods"]
        self.types: dict[str, Any] = spec["types"]

    def validate(self, method: str, params: dict[str, Any],
                 files: dict[str, bytes]) -> tuple[dict[str, Any], list[str]]:
        """Return the decoded parameters and a list of problems (empty when the request is valid)."""
        spec = self.methods.get(method)
        if spec is None:
            return params, [f"unknown method {method!r}"]
        fields = {item["name"]: item for item in spec.get("fields", [])}
        problems = [f"{method}: unknown field {name!r}" for name in params if name not in fields and name not in files]
        decoded: dict[str, Any] = {}
        for name, item in fields.items():
            if name not in params and name not in files:
                if item["required"]:
                    problems.append(f"{method}: missing required field {name!r}")
                continue
            value, errors = self._value(params.get(name), item["types"], files, f"{method}.{name}", name in files)
            decoded[name] = value
            problems += errors
        problems += _limits(method, decoded, files)
        return decoded, problems

    def _value(self, raw: Any, types: list[str], files: dict[str, bytes], where: str,
               is_file: bool) -> tuple[Any, list[str]]:
        if is_file:
            ok = "InputFile" in types
            return files.get(where.rsplit(".", 1)[-1]), [] if ok else [f"{where}: a file upload is not allowed here"]
        failures: list[str] = []
        for kind in types:
            value, errors = self._typed(raw, kind, files, where)
            if not errors:
                return value, []
            failures += errors
        return raw, [f"{where}: {raw!r:.80} is not {' or '.join(types)} ({failures[0]})"]

    def _typed(self, raw: Any, kind: str, files: dict[str, bytes], where: str) -> tuple[Any, list[str]]:
        if kind.startswith("Array of "):
            value = _json(raw)
            if not isinstance(value, list):
                return raw, ["not an array"]
            inner = kind.removeprefix("Array of ")
            items = [self._typed(item, inner, files, f"{where}[]") for item in value]
            return [item for item, _ in items], [error for _, errors in items for error in errors]
        if kind in SCALARS:
            return _scalar(raw, kind, files)
        value = _json(raw)
        if not isinstance(value, dict):
            return raw, [f"{kind} must be a JSON object"]
        return value, self._object(value, kind, files, where)

    def _object(self, value: dict[str, Any], kind: str, files: dict[str, bytes], where: str) -> list[str]:
        spec = self.types.get(kind)
        if spec is None:
            return [f"unknown type {kind}"]
        if "subtypes" in spec:  # abstract (BotCommandScope, InputMedia): one subtype must match
            subtypes = [sub for sub in spec["subtypes"] if _type_tag_fits(self.types[sub], value)]
            results = [self._object(value, sub, files, where) for sub in subtypes]
            if any(not errors for errors in results):
                return []
            return results[0] if results else [f"{where}: no {kind} subtype has type {value.get('type')!r}"]
        fields = {item["name"]: item for item in spec.get("fields", [])}
        problems = [f"{where}: {kind} has no field {name!r}" for name in value if name not in fields]
        for name, item in fields.items():
            if name not in value:
                if item["required"]:
                    problems.append(f"{where}: {kind} misses required field {name!r}")
                continue
            _, errors = self._value(value[name], item["types"], files, f"{where}.{name}", False)
            problems += errors
        return problems


def _type_tag_fits(spec: dict[str, Any], value: dict[str, Any]) -> bool:
    """Subtypes say 'must be <tag>' in their `type` field's description."""
    for item in spec.get("fields", []):
        if item["name"] == "type":
            description = item.get("description", "")
            description = " ".join(description) if isinstance(description, list) else description
            match = re.search(r"must be (\w+)", description)
            return match is None or match.group(1) == value.get("type")
    return True


def _json(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return raw


def _scalar(raw: Any, kind: str, files: dict[str, bytes]) -> tuple[Any, list[str]]:
    if kind == "String":
        return (raw, []) if isinstance(raw, str) else (raw, ["not a string"])
    if kind == "Integer":
        if isinstance(raw, bool):
            return raw, ["not an integer"]
        if isinstance(raw, int) or (isinstance(raw, str) and re.fullmatch(r"-?\d+", raw)):
            return int(raw), []
        return raw, ["not an integer"]
    if kind == "Float":
        try:
            return float(raw), []
        except (TypeError, ValueError):
            return raw, ["not a number"]
    if kind == "Boolean":
        if isinstance(raw, bool):
            return raw, []
        if isinstance(raw, str) and raw.lower() in {"true", "false"}:
            return raw.lower() == "true", []
        return raw, ["not a boolean"]
    # InputFile given as a string: attach://<part> must name an uploaded part
    if isinstance(raw, str) and raw.startswith("attach://"):
        name = raw.removeprefix("attach://")
        return (files.get(name), []) if name in files else (raw, [f"attach://{name} names no uploaded part"])
    return raw, ["not a file"]


def _limits(method: str, params: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    """The documented limits that matter to this bot (lengths, callback_data bytes, command names)."""
    problems = []
    text = params.get("text")
    if isinstance(text, str) and not 1 <= len(text) <= 4096:
        problems.append(f"{method}: text must be 1-4096 characters, got {len(text)}")
    caption = params.get("caption")
    if isinstance(caption, str) and len(caption) > 1024:
        problems.append(f"{method}: caption must be at most 1024 characters, got {len(caption)}")
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    problems.append(f"{method}: callback_data must be 1-64 bytes: {data!r}")
    for command in params.get("commands") or []:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
            problems.append(f"{method}: bad command name {command.get('command')!r}")
        if not 1 <= len(command.get("description", "")) <= 256:
            problems.append(f"{method}: command description must be 1-256 characters")
    if method == "sendPhoto" and len(files.get("photo", b"")) > PHOTO_LIMIT:
        problems.append("sendPhoto: photos are limited to 10 MB")
    if method == "sendChatAction" and params.get("action") not in {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }:
        problems.append(f"sendChatAction: bad action {params.get('action')!r}")
    return problems


# ------------------------------------------------------------------------------------------- records
@dataclass
class Call:
    method: str
    params: dict[str, Any]  # decoded per the spec (ints, bools, JSON objects)
    files: dict[str, bytes]
    at: float  # time.time() when the request arrived
    file_names: dict[str, str] = field(default_factory=dict)  # each upload's name in its multipart part

    def __repr__(self) -> str:  # uploads as sizes: a JPEG in a failure message helps nobody
        params = {k: f"<{len(v)} bytes>" if isinstance(v, bytes) else v for k, v in self.params.items()}
        return f"Call({self.method}, {params})"

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if isinstance(value, int | str) and str(value).lstrip("-").isdigit() else None


@dataclass
class FakeFile:
    data: bytes
    size: int
    path: str


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    count: int = 1
    after_doing: bool = False  # done, then answered with the error (a proxy failing on the way back)

    def error(self) -> ApiError:
        return ApiError(self.status, self.description, self.retry_after)


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


@dataclass
class FakeBotAPI:
    """The fake server plus the helpers tests use to talk to it."""

    token: str = "123456:TEST-token-not-real"
    username: str = "routix_test_bot"
    validator: SpecValidator = field(default_factory=SpecValidator)
    calls: list[Call] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    updates_pushed: dict[int, float] = field(default_factory=dict)  # update_id -> time pushed

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._update_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._files: dict[str, FakeFile] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._failures: list[Failure] = []
        self._late: dict[str, list[float]] = {}  # method -> delays of its next answers
        self._migrated: dict[int, int] = {}  # a group that became a supergroup -> the supergroup's id
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Routix", "username": self.username,
                         "can_join_groups": True, "can_read_all_group_messages": False,
                         "supports_inline_queries": False}

    # ---------------------------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeBotAPI:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post(f"/bot{self.token}/{{method}}", self._api)
        app.router.add_get(f"/bot{self.token}/{{method}}", self._api)
        app.router.add_get(f"/file/bot{self.token}/{{path:.+}}", self._download)
        app.router.add_post("/_fake/updates", self._control_updates)
        app.router.add_get("/_fake/calls", self._control_calls)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # long polls of bots that are gone end now, not at their timeout
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------------- building updates
    def user(self, user_id: int, language_code: str | None = "en", first_name: str = "Creator") -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def chat(self, chat_id: int, chat_type: str = "private") -> dict[str, Any]:
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Creator"} if chat_type == "private" else {"title": f"Group {chat_id}"})
        self._chats[chat_id] = chat
        return chat

    def message(self, chat_id: int, user_id: int | None = None, text: str | None = None, *, chat_type: str = "private",
                language_code: str | None = "en", reply_to: dict[str, Any] | None = None,
                **extra: Any) -> dict[str, Any]:
        """A user's message as Telegram would deliver it (entities for /commands and @mentions)."""
        user_id = user_id if user_id is not None else chat_id
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id), "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type), "from": self.user(user_id, language_code),
        }
        if text is not None:
            message["text"] = text
            if entities := _entities(text):
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(extra)
        if "caption" in message and (entities := _entities(message["caption"])):
            message["caption_entities"] = entities
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def photo_message(self, chat_id: int, data: bytes, caption: str | None = None, *, size: int | None = None,
                      **kw: Any) -> dict[str, Any]:
        file_id, unique = self.add_file(data, size=size)
        sizes = [{"file_id": file_id + "_s", "file_unique_id": unique + "s", "width": 90, "height": 51,
                  "file_size": 1200},
                 {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 720,
                  "file_size": size or len(data)}]
        self.add_alias(file_id + "_s", file_id)
        extra = {"caption": caption} if caption is not None else {}
        return self.message(chat_id, photo=sizes, **extra, **kw)

    def document_message(self, chat_id: int, data: bytes, mime_type: str, file_name: str, caption: str | None = None,
                         *, size: int | None = None, **kw: Any) -> dict[str, Any]:
        file_id, unique = self.add_file(data, size=size)
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": file_name, "mime_type": mime_type,
                    "file_size": size or len(data)}
        extra = {"caption": caption} if caption is not None else {}
        return self.message(chat_id, document=document, **extra, **kw)

    def callback(self, chat_id: int, user_id: int, data: str, message: dict[str, Any] | None = None,
                 language_code: str | None = "en") -> dict[str, Any]:
        message = message or {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
                              "chat": self.chat(chat_id), "from": self.bot_user, "text": "…"}
        return {"id": str(next(self._file_ids) * 7919), "from": self.user(user_id, language_code),
                "chat_instance": str(chat_id), "message": message, "data": data}

    def push(self, *, message: dict[str, Any] | None = None, callback_query: dict[str, Any] | None = None,
             update_id: int | None = None) -> dict[str, Any]:
        """Enqueue an update for getUpdates; pass update_id to deliver the same update again."""
        update: dict[str, Any] = {"update_id": update_id if update_id is not None else next(self._update_ids)}
        if message is not None:
            update["message"] = message
        if callback_query is not None:
            update["callback_query"] = callback_query
        self.updates_pushed.setdefault(update["update_id"], time.time())
        self._updates.append(update)
        self._new_update.set()
        return update

    def add_file(self, data: bytes, *, size: int | None = None) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id = f"AgAC{number:08d}"
        self._files[file_id] = FakeFile(data, size if size is not None else len(data), f"photos/file_{number}.jpg")
        return file_id, f"uq{number}"

    def add_alias(self, alias: str, file_id: str) -> None:
        self._files[alias] = self._files[file_id]

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        self._members[(chat_id, user_id)] = status

    def fail_next(self, method: str, *, status: int = 429, retry_after: int | None = 1, count: int = 1,
                  description: str | None = None, after_doing: bool = False) -> None:
        """Answer the next `count` calls of `method` with an error (default: flood control, retry after 1 s);
        `after_doing`: each call is done first (the message is in the chat), then answered with the error."""
        text = description or (f"Too Many Requests: retry after {retry_after}" if status == 429 else "Bad Request")
        self._failures.append(Failure(method, status, text, retry_after if status == 429 else None, count,
                                      after_doing))

    def migrate(self, group_id: int, supergroup_id: int) -> None:
        """The group became a supergroup: whatever is sent to its old id is refused, naming the new one."""
        self._migrated[group_id] = supergroup_id

    def answer_late(self, method: str, seconds: float, count: int = 1) -> None:
        """Do the next `count` calls of `method`, but answer each `seconds` late (Telegram under load)."""
        self._late.setdefault(method, []).extend([seconds] * count)

    async def post_webhook(self, update: dict[str, Any], secret_token: str | None) -> int:
        """Deliver one update to the registered webhook the way Telegram does; returns the HTTP status."""
        import aiohttp

        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token is not None else {}
        self.updates_pushed.setdefault(update["update_id"], time.time())
        url = self.webhook["url"]
        async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
            return response.status

    # ----------------------------------------------------------------------------------- queries
    def calls_to(self, *methods: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls
                if (not methods or c.method in methods) and (chat_id is None or c.chat_id == chat_id)]

    def methods(self, chat_id: int | None = None, ignore: tuple[str, ...] = ("getUpdates",)) -> list[str]:
        return [c.method for c in self.calls_to(chat_id=chat_id) if c.method not in ignore]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until predicate() is truthy (re-checked after every recorded call)."""
        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result
        try:
            return await asyncio.wait_for(waiter(), timeout)
        except TimeoutError:
            methods = [c.method for c in self.calls if c.method != "getUpdates"][-15:]
            raise AssertionError(f"condition not met in {timeout}s; last calls: {methods}; "
                                 f"errors: {self.errors}") from None

    async def wait_calls(self, method: str, count: int = 1, chat_id: int | None = None,
                         timeout: float = 10.0) -> list[Call]:
        """The calls of `method` (to `chat_id`) once there are at least `count` of them."""
        return await self.wait_for(lambda: len(found := self.calls_to(method, chat_id=chat_id)) >= count and found,
                                   timeout)

    def message_in(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message as the chat shows it now (after edits), or None once deleted."""
        return self._messages.get((chat_id, message_id))

    def pending_updates(self) -> int:
        return len(self._updates)

    # ------------------------------------------------------------------------------- the server
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files, names = await _read_params(request)
        decoded, problems = self.validator.validate(method, params, files)
        call = Call(method, decoded, files, time.time(), names)
        self.calls.append(call)
        try:
            if problems:
                self.errors += problems
                status = 404 if problems[0].startswith("unknown method") else 400
                raise ApiError(status, "Not Found" if status == 404 else f"Bad Request: {problems[0]}")
            if (moved := self._migrated.get(decoded.get("chat_id"))) is not None:  # type: ignore[arg-type]
                raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                               migrate_to_chat_id=moved)
            failure = self._scripted_failure(method)
            if failure is not None and not failure.after_doing:
                raise failure.error()
            result = await self._dispatch(method, decoded, files)
            if failure is not None:
                raise failure.error()
            if self._late.get(method):
                await asyncio.sleep(self._late[method].pop(0))
            return _ok(result)
        except ApiError as error:
            return _error(error)
        except Exception as error:  # a bug in the fake or a request it cannot make sense of: fail the test
            self.errors.append(f"{method}: the fake failed: {error!r}")
            return _error(ApiError(500, f"Internal Server Error: {error!r}"))
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def _unknown(self, request: web.Request) -> web.Response:
        self.errors.append(f"request to an unknown path {request.method} {request.path}")
        return _error(ApiError(404, "Not Found"))

    def _scripted_failure(self, method: str) -> Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.count > 0:
                failure.count -= 1
                return failure
        return None

    async def _dispatch(self, method: str, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            self.errors.append(f"the fake does not implement {method}")
            raise ApiError(501, f"fake: {method} not implemented")
        return await handler(p, files) if asyncio.iscoroutinefunction(handler) else handler(p, files)

    def _m_getMe(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self.bot_user

    def _m_deleteWebhook(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = {}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_setWebhook(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", p.get("secret_token", "x")):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = dict(p)
        return True

    def _m_getWebhookInfo(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _m_getUpdates(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook")
        offset = p.get("offset", 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + float(p.get("timeout", 0))
        while not self._updates and time.monotonic() < deadline and not self._closing:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self._updates[: int(p.get("limit", 100))]

    def _m_sendMessage(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._store(p, {"text": p["text"]})

    def _m_sendPhoto(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._store(p, {"photo": self._photo_sizes(files["photo"])})

    def _m_sendDocument(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        data = files["document"]
        file_id, unique = self.add_file(data)
        return self._store(p, {"document": {"file_id": file_id, "file_unique_id": unique, "file_size": len(data)}})

    def _m_sendMediaGroup(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        if not 2 <= len(p["media"]) <= 10:
            raise ApiError(400, "Bad Request: media group must include 2-10 items")
        messages = []
        for item in p["media"]:
            data = files[item["media"].removeprefix("attach://")] if item["media"].startswith("attach://") else b""
            extra = {"caption": item["caption"]} if item.get("caption") else {}
            messages.append(self._store(p, {"photo": self._photo_sizes(data), "media_group_id": "mg1", **extra}))
        return messages

    def _m_sendChatAction(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_editMessageText(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        message = self._existing(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if message.get("text") == p["text"] and message.get("reply_markup") == p.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = p["text"]
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageCaption(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        message = self._existing(p)
        if "text" in message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        if message.get("caption") == p.get("caption") and message.get("reply_markup") == p.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        self._set(message, "caption", p.get("caption"))
        self._set(message, "reply_markup", p.get("reply_markup"))
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageMedia(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        """Media of a media message replaced, or (as the description allows) a text message turned into media.
        Only photos: the one kind this bot edits."""
        message = self._existing(p)
        media = p["media"]
        if media.get("type") != "photo":
            self.errors.append(f"editMessageMedia: the fake only edits photos, not {media.get('type')!r}")
            raise ApiError(400, "Bad Request: fake: only photos")
        reference = media["media"]
        if not reference.startswith("attach://"):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")  # only uploads: no file ids
        if message.get("media_group_id") is not None:
            raise ApiError(400, "Bad Request: fake: album items are not edited by this bot")
        for key in ("text", "entities", "link_preview_options", "document"):
            message.pop(key, None)
        message["photo"] = self._photo_sizes(files[reference.removeprefix("attach://")])
        self._set(message, "caption", media.get("caption"))
        self._set(message, "reply_markup", p.get("reply_markup"))
        message["edit_date"] = int(time.time())
        return message

    def _m_deleteMessage(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        self._existing(p)
        del self._messages[(p["chat_id"], p["message_id"])]
        return True

    def _m_answerCallbackQuery(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        if len(p.get("text", "")) > 200:
            raise ApiError(400, "Bad Request: callback answer text is too long (max 200)")
        return True

    def _m_setMyCommands(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_getChatMember(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        status = self._members.get((p["chat_id"], p["user_id"]), "member")
        member: dict[str, Any] = {"status": status, "user": self.user(p["user_id"])}
        if status == "administrator":
            member.update({k: True for k in ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                                             "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                                             "can_change_info", "can_invite_users", "can_post_stories",
                                             "can_edit_stories", "can_delete_stories")})
        if status == "creator":
            member["is_anonymous"] = False
        return member

    def _m_getFile(self, p: dict[str, Any], files: dict[str, bytes]) -> Any:
        found = self._files.get(p["file_id"])
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if found.size > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": p["file_id"], "file_unique_id": "u" + p["file_id"], "file_size": found.size,
                "file_path": found.path}

    async def _download(self, request: web.Request) -> web.Response:
        self.calls.append(Call("download", {"path": request.match_info["path"]}, {}, time.time()))
        for found in self._files.values():
            if found.path == request.match_info["path"]:
                return web.Response(body=found.data, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    # ------------------------------------------------------------------------------- helpers
    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _store(self, p: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat_id = p["chat_id"]
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chats.get(chat_id) or self.chat(chat_id, "private" if chat_id > 0 else "supergroup")
        message = {"message_id": self._next_message_id(chat_id), "date": int(time.time()), "chat": chat,
                   "from": self.bot_user, **content}
        for key in ("caption", "reply_markup"):
            if p.get(key):
                message[key] = p[key]
        self._messages[(chat_id, message["message_id"])] = message
        return message

    @staticmethod
    def _set(message: dict[str, Any], key: str, value: Any) -> None:
        """An edit sets an optional field, or removes it when the request leaves it out (as Telegram does)."""
        if value:
            message[key] = value
        else:
            message.pop(key, None)

    def _existing(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._messages.get((p.get("chat_id"), p.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        file_id, unique = self.add_file(data)
        return [{"file_id": file_id, "file_unique_id": unique, "width": width, "height": height,
                 "file_size": len(data)}]

    # --------------------------------------------------------------- control API (the benchmark)
    async def _control_updates(self, request: web.Request) -> web.Response:
        body = await request.json()
        ids = []
        for item in body:
            message = self.message(item["chat_id"], item.get("user_id"), item["text"],
                                   language_code=item.get("language_code", "en"))
            ids.append(self.push(message=message)["update_id"])
        return web.json_response(ids)

    async def _control_calls(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        rows = [{"method": c.method, "chat_id": c.chat_id, "at": c.at, "bytes": sum(map(len, c.files.values())),
                 "action": c.params.get("action")} for c in self.calls[since:]]
        return web.json_response({"calls": rows, "errors": self.errors, "pushed": self.updates_pushed})


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if part.filename is not None:  # type: ignore[union-attr]
                files[part.name] = bytes(await part.read())  # type: ignore[union-attr,arg-type]
                names[part.name] = part.filename  # type: ignore[union-attr,index]
            else:
                params[part.name] = await part.text()  # type: ignore[union-attr,index]
    elif content_type == "application/json":
        params = dict(await request.json())
    else:
        params = dict(await request.post())  # type: ignore[arg-type]
    params.update({k: v for k, v in request.query.items() if k not in params})
    return params, files, names


def _entities(text: str) -> list[dict[str, Any]]:
    """bot_command / mention entities the way Telegram marks them (UTF-16 offsets)."""
    entities = []
    for match in re.finditer(r"(?:(?<=\s)|^)(/[A-Za-z0-9_]+(?:@\w+)?|@\w+)", text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group(0).encode("utf-16-le")) // 2
        kind = "bot_command" if match.group(0).startswith("/") else "mention"
        if kind == "bot_command" and match.start() != 0:
            continue
        entities.append({"type": kind, "offset": offset, "length": length})
    return entities


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    if error.migrate_to_chat_id is not None:
        body["parameters"] = {"migrate_to_chat_id": error.migrate_to_chat_id}
    return web.json_response(body, status=error.status)


async def _serve(port: int) -> None:
    fake = await FakeBotAPI().start(port=port)
    print(f"fake Bot API on {fake.base_url}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    asyncio.run(_serve(parser.parse_args().port))
