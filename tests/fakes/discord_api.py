"""A local, protocol-faithful fake of Discord for end-to-end tests with the real discord.py.

It serves, on 127.0.0.1:
- REST under `/api/v10`: `/users/@me`, `/oauth2/applications/@me`, `/gateway(/bot)`, command sync (PUT), interaction
  callbacks (`with_response`), webhook follow-ups and `@original` GET/PATCH/DELETE (JSON or multipart), channel
  messages (send, edit, delete) and typing. Every request is matched to an operation of Discord's OpenAPI description
  and its path parameters, query names and body are validated against it; violations are collected in `errors`.
- a gateway (`/gateway`) speaking HELLO, heartbeat/ACK, IDENTIFY and READY (+ GUILD_CREATE) over text frames, and
  dispatching INTERACTION_CREATE / MESSAGE_CREATE on demand, and THREAD_CREATE / CHANNEL_CREATE for the threads and
  forum channels tests add (`add_thread()`, `add_forum()`);
- a CDN (`/cdn/...`) serving attachments, both the ones tests upload and the ones the bot sent.

Tests drive it with `slash()`, `click()`, `select()` and `send_message()`, and read what the bot did from
`interactions`, `messages`, `requests` and `typing`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "specs" / "discord-openapi.json"
SPEC_URI = "urn:discord-openapi"
API_PREFIX = "/api/v10"
ACK_WINDOW_S = 3.0  # Discord drops an interaction not acknowledged within 3 seconds
TOKEN_LIFETIME_S = 15 * 60

# Permission bits (https://discord.com/developers/docs/topics/permissions)
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 15) | (1 << 16) | (1 << 31)  # view, send, attach, history, use cmds
DISCORD_EPOCH_MS = 1420070400000  # snowflakes count milliseconds from 2015-01-01


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes bodies whose content type is exactly "application/json" (no charset)
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)


def _flatten(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Options of subcommands (groups) included."""
    found = []
    for item in options:
        found.append(item)
        found += _flatten(item.get("options") or [])
    return found


class SpecValidator:
    """Matches requests to operations of the OpenAPI description and validates them."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.spec: dict[str, Any] = json.loads(path.read_text())
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(SPEC_URI, resource)
        # literal segments ("@original", "@me") must win over parameters: fewer parameters first
        self.routes = sorted(
            ((self._regex(template), template) for template in self.spec["paths"]),
            key=lambda item: item[1].count("{"),
        )
        locales = self.spec["components"]["schemas"]["AvailableLocalesEnum"]["oneOf"]
        self.locales = frozenset(item["const"] for item in locales)

    @staticmethod
    def _regex(template: str) -> re.Pattern[str]:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        return re.compile(f"^{pattern}$")

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        for regex, template in self.routes:
            found = regex.match(path)
            if found and method.lower() in self.spec["paths"][template]:
                return template, found.groupdict()
        return None

    def _pointer(self, *parts: str) -> str:
        return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)

    @lru_cache(maxsize=256)  # noqa: B019 - one validator per operation for the life of the process
    def _validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": SPEC_URI + pointer}, registry=self.registry)

    def _schema_errors(self, pointer: str, value: Any, where: str) -> list[str]:
        errors = self._validator(pointer).iter_errors(value)
        return [f"{where}: {error.message[:200]} at {list(error.absolute_path)}" for error in errors]

    def check(self, method: str, template: str, params: dict[str, str], query: dict[str, str],
              content_type: str | None, body: Any) -> list[str]:
        item = self.spec["paths"][template]
        operation = item[method.lower()]
        declared: dict[str, tuple[dict[str, Any], str]] = {}  # name -> (parameter, JSON pointer to its schema)
        for owner in (("parameters",), (method.lower(), "parameters")):
            source = item if len(owner) == 1 else operation
            for index, parameter in enumerate(source.get("parameters", [])):
                declared[parameter["name"]] = (parameter, self._pointer("paths", template, *owner, str(index)))
        problems: list[str] = []
        for name, value in params.items():
            if name not in declared:
                problems.append(f"{template}: undeclared path parameter {name}")
            else:
                problems += self._schema_errors(declared[name][1] + "/schema", value, f"{method} {template} {name}")
        for name in query:
            if name not in declared or declared[name][0]["in"] != "query":
                problems.append(f"{method} {template}: undeclared query parameter {name}")
        request_body = operation.get("requestBody")
        if body is None:
            if request_body and request_body.get("required"):
                problems.append(f"{method} {template}: missing required body")
            return problems
        if not request_body:
            problems.append(f"{method} {template}: unexpected body")
            return problems
        if content_type not in request_body["content"]:
            return [*problems, f"{method} {template}: content type {content_type} not allowed"]
        pointer = self._pointer("paths", template, method.lower(), "requestBody", "content", content_type, "schema")
        return problems + self._schema_errors(pointer, body, f"{method} {template} body")


@lru_cache(maxsize=1)
def shared_validator() -> SpecValidator:
    """The spec is 1 MB of JSON: parse it once per test session."""
    return SpecValidator()


def normalize_snowflakes(body: Any) -> Any:
    """discord.py sends three kinds of ids as JSON integers where the description says snowflake strings (Discord
    accepts both): new attachments' ids (their index in the upload), `message_reference` ids (replies) and the
    people and roles an `allowed_mentions` lets a message ping.

    Exactly these known, harmless divergences are normalized, so everything else stays strict.
    """
    if not isinstance(body, dict):
        return body
    for item in body.get("attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            item["id"] = str(item["id"])
    reference = body.get("message_reference")
    if isinstance(reference, dict):
        for name in ("message_id", "channel_id", "guild_id"):
            if isinstance(reference.get(name), int):
                reference[name] = str(reference[name])
    mentions = body.get("allowed_mentions")
    if isinstance(mentions, dict):
        for name in ("users", "roles"):
            if isinstance(mentions.get(name), list):
                mentions[name] = [str(item) if isinstance(item, int) else item for item in mentions[name]]
    return body


@dataclass
class Recorded:
    method: str
    path: str
    template: str | None
    query: dict[str, str]
    body: Any
    files: list[tuple[str, str, bytes]]  # (field name, filename, data)
    at: float


@dataclass
class FakeInteraction:
    id: str
    token: str
    kind: int  # 2 application command, 3 component
    channel_id: str
    user_id: str
    dispatched_at: float
    callback_type: int | None = None
    callback_at: float | None = None
    ephemeral: bool = False
    original_id: str | None = None
    deleted: bool = False
    expired: bool = False
    edits: list[tuple[float, dict[str, Any]]] = field(default_factory=list)  # (time, message after the edit)
    followups: list[str] = field(default_factory=list)  # message ids

    @property
    def ack_latency(self) -> float | None:
        return None if self.callback_at is None else self.callback_at - self.dispatched_at


@dataclass
class FakeUser:
    id: str
    username: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "global_name": self.username, "discriminator": "0",
                "avatar": None, "bot": self.bot, "public_flags": 0}


class FakeDiscord:
    """One bot application, one guild with a text channel, and any number of users."""

    def __init__(self, *, bot_token: str = "fake-discord-token", host: str = "127.0.0.1") -> None:
        self.bot_token = bot_token
        self.host = host
        self.port = 0
        self.spec = shared_validator()
        self._ids = itertools.count(int(time.time() * 1000 - DISCORD_EPOCH_MS) << 22)
        self.application_id = self.snowflake()
        self.bot = FakeUser(self.application_id, "Routix", bot=True)
        self.guild_id = self.snowflake()
        self.channel_id = self.snowflake()
        self.other_channel_id = self.snowflake()
        self.owner = FakeUser(self.snowflake(), "owner")
        self.forums: dict[str, str] = {}  # forum channel id -> name
        self.threads: dict[str, dict[str, Any]] = {}  # thread id (a thread or a forum post) -> its channel object
        self.requests: list[Recorded] = []
        self.errors: list[str] = []
        self.identify: dict[str, Any] | None = None
        self.commands: dict[str | None, list[dict[str, Any]]] = {}  # guild id (None: global) -> synced commands
        self.interactions: dict[str, FakeInteraction] = {}  # by token
        self.messages: dict[str, dict[str, Any]] = {}
        self.typing: list[tuple[float, str]] = []  # (time, channel id)
        self.channel_edits: list[tuple[float, dict[str, Any]]] = []  # (time, a channel message after an edit)
        self.deleted_messages: list[str] = []  # channel messages the bot deleted
        self.files: dict[str, tuple[bytes, str]] = {}  # cdn path -> (data, content type)
        self.dm_channels: dict[str, str] = {}  # user id -> channel id
        self.cdn_downloads: list[str] = []  # paths the bot fetched from the CDN
        self.cdn_delay_s = 0.0  # a slow CDN: each download answers this late
        self.expire_tokens_on_ack = False  # simulate results arriving after the 15-minute token lifetime
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_shards: dict[web.WebSocketResponse, tuple[int, int]] = {}
        self.shards_identified: list[tuple[int, int]] = []
        self.dispatched: list[tuple[str, int]] = []  # (event, shard it went to)
        self._sequence = 0
        self._runner: web.AppRunner | None = None
        self._ready = asyncio.Event()
        self.gateway_connections = 0

    # ------------------------------------------------------------------ lifecycle

    def snowflake(self) -> str:
        return str(next(self._ids))

    def snowflake_from(self, seconds_ago: float) -> str:
        """An id created `seconds_ago` (a snowflake carries its creation time; interactions expire by it)."""
        created_ms = int((time.time() - seconds_ago) * 1000) - DISCORD_EPOCH_MS
        return str(created_ms << 22 | next(self._ids) & 0x3FFFFF)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{path:.+}", self._cdn)
        app.router.add_route("*", API_PREFIX + "/{path:.+}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    async def wait_ready(self, timeout: float = 10) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            await asyncio.sleep(0.01)
        raise AssertionError(f"timed out waiting for {what}; errors: {self.errors}")

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        if request.query.get("encoding", "json") != "json":
            self.errors.append(f"gateway: unsupported encoding {request.query.get('encoding')}")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_connections += 1
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            await self._gateway_op(ws, json.loads(message.data))
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    async def _gateway_op(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        if op == 1:
            await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        elif op == 2:
            data = payload["d"]
            if data.get("token") != self.bot_token:
                await ws.close(code=4004, message=b"Authentication failed.")
                return
            self.identify = data
            shard = tuple(data.get("shard") or (0, 1))
            self.shards_identified.append(shard)
            self._sockets.append(ws)
            self._socket_shards[ws] = shard
            await self._send_dispatch(ws, "READY", self._ready_payload(shard))
            if self.shard_of(self.guild_id, shard[1]) == shard[0]:
                await self._send_dispatch(ws, "GUILD_CREATE", self._guild_payload())
            self._ready.set()
        elif op in (3, 4, 8):  # presence / voice / member chunk requests: accepted, nothing to say
            return
        else:
            self.errors.append(f"gateway: unexpected op {op}")

    async def _send_dispatch(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """To the shard that owns the event's guild, as Discord does; direct messages go to shard 0."""
        if not self._sockets:
            raise AssertionError("no bot is connected to the fake gateway")
        for ws in list(self._sockets):
            shard, count = self._socket_shards.get(ws, (0, 1))
            if shard == (self.shard_of(data["guild_id"], count) if data.get("guild_id") else 0):
                self.dispatched.append((event, shard))
                await self._send_dispatch(ws, event, data)

    @staticmethod
    def shard_of(guild_id: str, count: int) -> int:
        return (int(guild_id) >> 22) % count

    def _ready_payload(self, shard: tuple[int, int] = (0, 1)) -> dict[str, Any]:
        owned = self.shard_of(self.guild_id, shard[1]) == shard[0]
        guilds = [{"id": self.guild_id, "unavailable": True}] if owned else []
        return {
            "v": 10, "user": self.bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": guilds, "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url, "shard": list(shard), "private_channels": [], "relationships": [],
            "application": {"id": self.application_id, "flags": 0}, "user_settings": {}, "presences": [],
            "geo_ordered_rtc_regions": [], "guild_join_requests": [],
        }

    def _channel_payload(self, channel_id: str, name: str) -> dict[str, Any]:
        if channel_id in self.threads:
            return self.threads[channel_id]
        if channel_id in self.forums:
            return self._forum_payload(channel_id)
        return {"id": channel_id, "type": 0, "guild_id": self.guild_id, "name": name, "position": 0,
                "permission_overwrites": [], "nsfw": False, "topic": None, "last_message_id": None,
                "rate_limit_per_user": 0, "parent_id": None, "flags": 0}

    def _forum_payload(self, channel_id: str) -> dict[str, Any]:
        return {"id": channel_id, "type": 15, "guild_id": self.guild_id, "name": self.forums[channel_id],
                "position": 1, "permission_overwrites": [], "nsfw": False, "topic": None, "last_message_id": None,
                "rate_limit_per_user": 0, "parent_id": None, "flags": 0, "available_tags": [],
                "default_reaction_emoji": None, "default_sort_order": None, "default_forum_layout": 0,
                "default_thread_rate_limit_per_user": 0}

    def _thread_payload(self, thread_id: str, parent_id: str, name: str) -> dict[str, Any]:
        """A public thread (type 11): under a text channel, or a post in a forum channel."""
        return {"id": thread_id, "type": 11, "guild_id": self.guild_id, "parent_id": parent_id,
                "owner_id": self.owner.id, "name": name, "last_message_id": None, "message_count": 0,
                "member_count": 1, "total_message_sent": 0, "rate_limit_per_user": 0, "flags": 0, "applied_tags": [],
                "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "archive_timestamp": _now_iso(),
                                    "locked": False, "create_timestamp": _now_iso()}}

    def _guild_payload(self) -> dict[str, Any]:
        everyone = {"id": self.guild_id, "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS), "position": 0,
                    "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        bot_member = {"user": self.bot.payload(), "roles": [], "joined_at": _now_iso(), "deaf": False, "mute": False,
                      "flags": 0}
        return {
            "id": self.guild_id, "name": "Creators", "icon": None, "owner_id": self.owner.id, "roles": [everyone],
            "channels": [self._channel_payload(self.channel_id, "thumbnails"),
                         self._channel_payload(self.other_channel_id, "general"),
                         *(self._forum_payload(forum) for forum in self.forums)],
            "members": [bot_member], "member_count": 3, "large": False, "unavailable": False, "features": [],
            "emojis": [], "stickers": [], "threads": list(self.threads.values()), "voice_states": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [], "joined_at": _now_iso(),
            "premium_tier": 0,
            "preferred_locale": "en-US", "system_channel_flags": 0, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "afk_timeout": 300, "afk_channel_id": None, "system_channel_id": None, "rules_channel_id": None,
            "public_updates_channel_id": None, "vanity_url_code": None, "description": None, "banner": None,
            "splash": None, "discovery_splash": None, "premium_subscription_count": 0, "max_members": 500000,
            "premium_progress_bar_enabled": False, "application_id": None,
        }

    # ------------------------------------------------------------------ what tests do

    async def add_forum(self, name: str = "showcase") -> str:
        """A forum channel in the guild (announced by CHANNEL_CREATE once the bot is connected); returns its id."""
        forum_id = self.snowflake()
        self.forums[forum_id] = name
        if self._sockets:
            await self.dispatch("CHANNEL_CREATE", self._forum_payload(forum_id))
        return forum_id

    async def add_thread(self, parent_id: str, name: str = "a thread") -> str:
        """A public thread under a channel, or a post when `parent_id` is a forum (THREAD_CREATE once the bot is
        connected, as Discord sends a bot that sees the parent); returns its id."""
        thread_id = self.snowflake()
        self.threads[thread_id] = self._thread_payload(thread_id, parent_id, name)
        if self._sockets:
            await self.dispatch("THREAD_CREATE", self.threads[thread_id] | {"newly_created": True})
        return thread_id

    def add_attachment(self, data: bytes, filename: str, content_type: str) -> dict[str, Any]:
        """Upload a user's file to the fake CDN; returns the attachment object Discord would resolve."""
        attachment_id = self.snowflake()
        path = f"attachments/{self.channel_id}/{attachment_id}/{filename}"
        self.files[path] = (data, content_type)
        url = f"{self.base_url}/cdn/{path}"
        return {"id": attachment_id, "filename": filename, "size": len(data), "url": url, "proxy_url": url,
                "content_type": content_type}

    def _member(self, user: FakeUser, permissions: int) -> dict[str, Any]:
        return {"user": user.payload(), "roles": [], "joined_at": _now_iso(), "deaf": False, "mute": False,
                "flags": 0, "pending": False, "nick": None, "avatar": None, "permissions": str(permissions)}

    def _interaction_base(self, kind: int, user: FakeUser, *, guild: bool, channel_id: str | None,
                          permissions: int, locale: str, age: float = 0.0) -> tuple[dict[str, Any], FakeInteraction]:
        interaction_id, token = self.snowflake_from(age), f"itoken-{self.snowflake()}"
        channel = channel_id or (self.channel_id if guild else self.dm_channel(user.id))
        payload: dict[str, Any] = {
            "id": interaction_id, "application_id": self.application_id, "type": kind, "token": token, "version": 1,
            "channel_id": channel, "locale": locale, "app_permissions": str(MEMBER_PERMISSIONS), "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild:
            payload |= {"guild_id": self.guild_id, "guild_locale": "en-US", "context": 0,
                        "member": self._member(user, permissions), "channel": self._channel_payload(channel, "x"),
                        "authorizing_integration_owners": {"0": self.guild_id}}
        else:
            payload |= {"user": user.payload(), "context": 1, "authorizing_integration_owners": {"1": user.id},
                        "channel": {"id": channel, "type": 1, "recipients": [user.payload()], "flags": 0}}
        record = FakeInteraction(interaction_id, token, kind, channel, user.id, 0.0)
        self.interactions[token] = record
        return payload, record

    def _resolved_channel(self, channel_id: str) -> dict[str, Any]:
        name = "thumbnails" if channel_id == self.channel_id else self.forums.get(channel_id, "general")
        kind = 15 if channel_id in self.forums else 0
        return {"id": channel_id, "name": name, "type": kind, "permissions": str(MEMBER_PERMISSIONS),
                "guild_id": self.guild_id, "parent_id": None, "nsfw": False, "position": 0, "flags": 0,
                "permission_overwrites": [], "rate_limit_per_user": 0, "topic": None, "last_message_id": None}

    def dm_channel(self, user_id: str) -> str:
        return self.dm_channels.setdefault(user_id, self.snowflake())

    def command(self, name: str) -> dict[str, Any]:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return command
        raise AssertionError(f"command {name} was never synced")

    async def slash(self, name: str, options: list[dict[str, Any]] | None = None, *, user: FakeUser,
                    guild: bool = True, permissions: int = MEMBER_PERMISSIONS, locale: str = "en-US",
                    attachments: list[dict[str, Any]] = (), channel_id: str | None = None,
                    age: float = 0.0) -> FakeInteraction:
        """Dispatch a CHAT_INPUT command; `options` as Discord sends them ([{name, type, value}]).

        `age` (seconds) back-dates the interaction: its token then expires that much sooner.
        Attachments and channels named by options are resolved in `data.resolved`, as Discord does."""
        command = self.command(name)
        payload, record = self._interaction_base(2, user, guild=guild, channel_id=channel_id,
                                                 permissions=permissions, locale=locale, age=age)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": options or []}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        resolved: dict[str, Any] = {}
        if attachments:
            resolved["attachments"] = {item["id"]: item for item in attachments}
        channels = [o["value"] for o in _flatten(options or []) if o.get("type") == 7]
        if channels:
            resolved["channels"] = {c: self._resolved_channel(c) for c in channels}
        if resolved:
            data["resolved"] = resolved
        payload["data"] = data
        record.dispatched_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def _component(self, message_id: str, data: dict[str, Any], user: FakeUser, permissions: int,
                         locale: str, forged: bool = False) -> FakeInteraction:
        message = self.messages[message_id]
        if forged:
            button = {"type": 2, "style": 2, "label": "…", "custom_id": data["custom_id"]}
            message = {**message, "components": [{"type": 1, "components": [button]}]}
        guild = message.get("guild_id") is not None
        payload, record = self._interaction_base(3, user, guild=guild, channel_id=message["channel_id"],
                                                 permissions=permissions, locale=locale)
        payload |= {"data": data, "message": message}
        record.dispatched_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    def custom_ids(self, message_id: str) -> list[str]:
        rows = self.messages[message_id].get("components", [])
        return [item["custom_id"] for row in rows for item in row.get("components", []) if "custom_id" in item]

    async def click(self, message_id: str, custom_id: str, *, user: FakeUser, permissions: int = MEMBER_PERMISSIONS,
                    locale: str = "en-US", forged: bool = False) -> FakeInteraction:
        """A button press. `forged`: the press names a custom_id of the attacker's choosing, as if the message
        carried it (Discord checks this; the bot must not rely on it)."""
        if not forged and custom_id not in self.custom_ids(message_id):
            raise AssertionError(f"message {message_id} has no component {custom_id}")
        return await self._component(message_id, {"custom_id": custom_id, "component_type": 2}, user, permissions,
                                     locale, forged=forged)

    async def select(self, message_id: str, custom_id: str, value: str, *, user: FakeUser,
                     permissions: int = MEMBER_PERMISSIONS, locale: str = "en-US") -> FakeInteraction:
        if custom_id not in self.custom_ids(message_id):
            raise AssertionError(f"message {message_id} has no component {custom_id}")
        data = {"custom_id": custom_id, "component_type": 3, "values": [value]}
        return await self._component(message_id, data, user, permissions, locale)

    async def send_message(self, content: str, *, user: FakeUser, guild: bool = False, channel_id: str | None = None,
                           attachments: list[dict[str, Any]] = (), mention_bot: bool = False) -> dict[str, Any]:
        """A user's message (MESSAGE_CREATE). Without the message-content intent Discord blanks the content of guild
        messages that do not mention the bot, as here."""
        channel = channel_id or (self.channel_id if guild else self.dm_channel(user.id))
        mentions = [self.bot.payload()] if mention_bot else []
        text = f"<@{self.bot.id}> {content}" if mention_bot else content
        intents = (self.identify or {}).get("intents", 0)
        if guild and not mention_bot and not intents & (1 << 15):
            text, attachments = "", []
        message = {
            "id": self.snowflake(), "channel_id": channel, "author": user.payload(), "content": text,
            "timestamp": _now_iso(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": mentions, "mention_roles": [], "attachments": list(attachments), "embeds": [],
            "pinned": False, "type": 0, "flags": 0, "components": [],
        }
        if guild:
            member = self._member(user, MEMBER_PERMISSIONS)
            member.pop("user")
            message |= {"guild_id": self.guild_id, "member": member}
        self.messages[message["id"]] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def deferred(self, user: FakeUser, *, guild: bool = True, ephemeral: bool = False,
                 age: float = 0.0) -> FakeInteraction:
        """An interaction the bot has already deferred ("thinking…"), without the gateway: for tests that drive a
        job's sender directly, as a worker or a restarted bot delivers to a stored address."""
        _, record = self._interaction_base(2, user, guild=guild, channel_id=None, permissions=MEMBER_PERMISSIONS,
                                           locale="en-US", age=age)
        record.dispatched_at = record.callback_at = time.monotonic()
        record.callback_type, record.ephemeral = 5, ephemeral
        flags = (1 << 7) | ((1 << 6) if ephemeral else 0)
        record.original_id = self._new_message(record.channel_id, {}, [], interaction=record, flags=flags)["id"]
        return record

    def expire(self, record: FakeInteraction) -> None:
        """Let an interaction's token run out (Discord: 15 minutes), so follow-ups and edits fail."""
        record.expired = True

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == channel_id and m["author"]["id"] == self.bot.id]

    def download(self, attachment: dict[str, Any]) -> bytes:
        return self.files[attachment["url"].split("/cdn/", 1)[1]][0]

    # ------------------------------------------------------------------ REST

    async def _cdn(self, request: web.Request) -> web.Response:
        item = self.files.get(request.match_info["path"])
        self.cdn_downloads.append(request.match_info["path"])
        await asyncio.sleep(self.cdn_delay_s)
        if item is None:
            return web.Response(status=404)
        return web.Response(body=item[0], headers={"Content-Type": item[1]})

    async def _read_body(self, request: web.Request) -> tuple[str | None, Any, list[tuple[str, str, bytes]]]:
        if not request.can_read_body:
            return None, None, []
        ctype = request.content_type
        if ctype == "multipart/form-data":
            payload, files = None, []
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    payload = json.loads(data)
                else:
                    files.append((part.name or "", part.filename or "", bytes(data)))  # type: ignore[union-attr]
            return ctype, payload, files
        raw = await request.read()
        if ctype != "application/json":
            self.errors.append(f"{request.method} {request.path}: body with content type {ctype}")
            return ctype, raw, []
        return ctype, json.loads(raw) if raw else None, []

    def _authorized(self, request: web.Request, template: str) -> bool:
        if template.startswith(("/webhooks/", "/interactions/")):
            return True  # authenticated by the token in the path
        return request.headers.get("Authorization") == f"Bot {self.bot_token}"

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        ctype, body, files = await self._read_body(request)
        query = dict(request.query)
        found = self.spec.match(request.method, path)
        self.requests.append(Recorded(request.method, path, found and found[0], query, body, files, time.monotonic()))
        if found is None:
            self.errors.append(f"{request.method} {path}: not an operation of the Discord API")
            return _error(404, 0, "404: Not Found")
        template, params = found
        if not self._authorized(request, template):
            return _error(401, 0, "401: Unauthorized")
        self.errors += self.spec.check(request.method, template, params, query, ctype,
                                       normalize_snowflakes(body))
        handler = self._handlers().get((request.method, template))
        if handler is None:
            self.errors.append(f"{request.method} {template}: the fake does not implement it")
            return _error(404, 0, "404: Not Found")
        return await handler(params, query, body, files)

    def _handlers(self) -> dict[tuple[str, str], Callable[..., Any]]:
        return {
            ("GET", "/users/@me"): self._get_me,
            ("GET", "/oauth2/applications/@me"): self._get_application,
            ("GET", "/gateway"): self._get_gateway,
            ("GET", "/gateway/bot"): self._get_gateway,
            ("PUT", "/applications/{application_id}/commands"): self._put_commands,
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): self._put_commands,
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): self._callback,
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._get_original,
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._patch_original,
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._delete_original,
            ("POST", "/webhooks/{webhook_id}/{webhook_token}"): self._followup,
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._patch_followup,
            ("POST", "/channels/{channel_id}/messages"): self._channel_message,
            ("PATCH", "/channels/{channel_id}/messages/{message_id}"): self._patch_channel_message,
            ("DELETE", "/channels/{channel_id}/messages/{message_id}"): self._delete_channel_message,
            ("POST", "/channels/{channel_id}/typing"): self._typing,
            ("POST", "/users/@me/channels"): self._open_dm,
        }

    async def _get_me(self, *_: Any) -> web.Response:
        return _json(self.bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_application(self, *_: Any) -> web.Response:
        return _json({
            "id": self.application_id, "name": "Routix", "icon": None, "description": "Thumbnails",
            "bot_public": True, "bot_require_code_grant": False, "owner": self.owner.payload(),
            "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "", "bot": self.bot.payload(),
            "interactions_endpoint_url": None, "redirect_uris": [], "tags": [],
        })

    async def _get_gateway(self, *_: Any) -> web.Response:
        return _json({"url": self.gateway_url, "shards": 1,
                      "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                              "max_concurrency": 1}})

    def _check_localizations(self, item: dict[str, Any], where: str) -> None:
        for key in ("name_localizations", "description_localizations"):
            for locale in (item.get(key) or {}):
                if locale not in self.spec.locales:
                    self.errors.append(f"{where}: {key} uses {locale!r}, not one of Discord's locales")
        for option in item.get("options") or []:
            self._check_localizations(option, f"{where}.{option.get('name')}")
            for choice in option.get("choices") or []:
                self._check_localizations(choice, f"{where}.{option.get('name')}.choice")

    async def _put_commands(self, params: dict[str, str], _q: Any, body: Any, _f: Any) -> web.Response:
        guild_id = params.get("guild_id")
        synced = []
        for command in body or []:
            self._check_localizations(command, f"command {command.get('name')}")
            synced.append({"id": self.snowflake(), "application_id": self.application_id, "version": self.snowflake(),
                           "type": 1, "default_member_permissions": None, "nsfw": False, "contexts": None,
                           "integration_types": [0], "description": "", "dm_permission": True, "options": []}
                          | command | ({"guild_id": guild_id} if guild_id else {}))
        for command in synced:  # Discord answers with permissions as a string
            if command["default_member_permissions"] is not None:
                command["default_member_permissions"] = str(command["default_member_permissions"])
        self.commands[guild_id] = synced
        return _json(synced)

    def _store_files(self, channel_id: str, files: list[tuple[str, str, bytes]]) -> list[dict[str, Any]]:
        stored = []
        for _, filename, data in files:
            attachment_id = self.snowflake()
            path = f"attachments/{channel_id}/{attachment_id}/{filename}"
            ctype = "image/jpeg" if filename.lower().endswith((".jpg", ".jpeg")) else "application/octet-stream"
            ctype = "image/png" if filename.lower().endswith(".png") else ctype
            self.files[path] = (data, ctype)
            url = f"{self.base_url}/cdn/{path}"
            stored.append({"id": attachment_id, "filename": filename, "size": len(data), "url": url,
                           "proxy_url": url, "content_type": ctype})
        return stored

    def _new_message(self, channel_id: str, body: dict[str, Any], files: list[tuple[str, str, bytes]], *,
                     interaction: FakeInteraction | None = None, flags: int = 0) -> dict[str, Any]:
        message = {
            "id": self.snowflake(), "channel_id": channel_id, "author": self.bot.payload(), "content": "",
            "timestamp": _now_iso(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 0 if interaction is None else 20, "flags": flags, "components": [],
        }
        if channel_id in (self.channel_id, self.other_channel_id) or channel_id in self.threads:
            message["guild_id"] = self.guild_id
        if interaction is not None:
            message |= {"webhook_id": self.application_id, "application_id": self.application_id,
                        "interaction_metadata": {"id": interaction.id, "type": interaction.kind,
                                                 "user": {"id": interaction.user_id, "username": "u",
                                                          "discriminator": "0", "avatar": None},
                                                 "authorizing_integration_owners": {}}}
        if body.get("message_reference"):  # a reply
            message["message_reference"] = {"type": 0, "channel_id": channel_id} | body["message_reference"]
        self._apply(message, body, files)
        self.messages[message["id"]] = message
        return message

    def _apply(self, message: dict[str, Any], body: dict[str, Any] | None, files: list[tuple[str, str, bytes]]) -> None:
        body = body or {}
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "flags" in body and body["flags"] is not None:
            message["flags"] = (message["flags"] & ~(1 << 7)) | body["flags"]
        new = self._store_files(message["channel_id"], files)
        if "attachments" in body and body["attachments"] is not None:
            keep = {str(item["id"]) for item in body["attachments"]}
            message["attachments"] = [item for item in message["attachments"] if item["id"] in keep]
        message["attachments"] = message["attachments"] + new

    def _interaction(self, token: str) -> FakeInteraction | None:
        record = self.interactions.get(token)
        if record is None or record.expired:
            return None
        return record

    async def _callback(self, params: dict[str, str], query: dict[str, str], body: Any, files: Any) -> web.Response:
        record = self.interactions.get(params["interaction_token"])
        if record is None or record.id != params["interaction_id"]:
            return _error(404, 10062, "Unknown interaction")
        if record.callback_type is not None:
            self.errors.append(f"interaction {record.id} acknowledged twice")
            return _error(400, 40060, "Interaction has already been acknowledged.")
        now = time.monotonic()
        if now - record.dispatched_at > ACK_WINDOW_S:
            self.errors.append(f"interaction {record.id} acknowledged after {now - record.dispatched_at:.2f}s")
            return _error(404, 10062, "Unknown interaction")
        record.callback_type, record.callback_at = body["type"], now
        record.expired = self.expire_tokens_on_ack
        data = body.get("data") or {}
        record.ephemeral = bool((data.get("flags") or 0) & (1 << 6))
        message = None
        if body["type"] in (4, 5):  # a message: with content, or "thinking…" (LOADING flag)
            flags = (data.get("flags") or 0) | ((1 << 7) if body["type"] == 5 else 0)
            message = self._new_message(record.channel_id, data if body["type"] == 4 else {}, files or [],
                                        interaction=record, flags=flags)
            record.original_id = message["id"]
        elif body["type"] == 7 and record.kind == 3:  # update the message the component is on
            message = self.messages[self._component_message_id(record)]
            self._apply(message, data, files or [])
        if query.get("with_response") not in ("true", "True", "1"):
            return web.Response(status=204)
        interaction = {"id": record.id, "type": record.kind, "response_message_id": message and message["id"],
                       "response_message_loading": body["type"] == 5, "response_message_ephemeral": record.ephemeral}
        resource = {"type": body["type"]} | ({"message": message} if message else {})
        return _json({"interaction": interaction, "resource": resource})

    def _component_message_id(self, record: FakeInteraction) -> str:
        raise AssertionError(f"type 7 updates are not used by this bot (interaction {record.id})")

    async def _get_original(self, params: dict[str, str], *_: Any) -> web.Response:
        record = self._interaction(params["webhook_token"])
        if record is None or record.original_id is None or record.deleted:
            return _error(401 if record is None else 404, 50027 if record is None else 10008, "Unknown Message")
        return _json(self.messages[record.original_id])

    async def _patch_original(self, params: dict[str, str], _q: Any, body: Any, files: Any) -> web.Response:
        record = self._interaction(params["webhook_token"])
        if record is None:
            return _error(401, 50027, "Invalid Webhook Token")
        if record.original_id is None or record.deleted:
            return _error(404, 10008, "Unknown Message")
        message = self.messages[record.original_id]
        self._apply(message, body, files)
        message["flags"] &= ~(1 << 7)  # the first edit ends "thinking…"
        message["edited_timestamp"] = _now_iso()
        record.edits.append((time.monotonic(), json.loads(json.dumps(message))))
        return _json(message)

    async def _delete_original(self, params: dict[str, str], *_: Any) -> web.Response:
        record = self._interaction(params["webhook_token"])
        if record is None:
            return _error(401, 50027, "Invalid Webhook Token")
        if record.original_id is None or record.deleted:
            return _error(404, 10008, "Unknown Message")
        record.deleted = True
        self.messages.pop(record.original_id, None)
        return web.Response(status=204)

    async def _followup(self, params: dict[str, str], _q: Any, body: Any, files: Any) -> web.Response:
        record = self._interaction(params["webhook_token"])
        if record is None:
            return _error(401, 50027, "Invalid Webhook Token")
        if record.callback_type is None:
            self.errors.append(f"follow-up before acknowledging interaction {record.id}")
            return _error(404, 10015, "Unknown Webhook")
        flags = (body or {}).get("flags") or 0
        message = self._new_message(record.channel_id, body or {}, files, interaction=record, flags=flags)
        record.followups.append(message["id"])
        return _json(message)

    async def _patch_followup(self, params: dict[str, str], _q: Any, body: Any, files: Any) -> web.Response:
        record = self._interaction(params["webhook_token"])
        if record is None:
            return _error(401, 50027, "Invalid Webhook Token")
        message = self.messages.get(params["message_id"])
        if message is None:
            return _error(404, 10008, "Unknown Message")
        self._apply(message, body, files)
        return _json(message)

    async def _channel_message(self, params: dict[str, str], _q: Any, body: Any, files: Any) -> web.Response:
        message = self._new_message(params["channel_id"], body or {}, files)
        return _json(message)

    def _own_message(self, params: dict[str, str]) -> dict[str, Any] | None:
        message = self.messages.get(params["message_id"])
        if message is None or message["channel_id"] != params["channel_id"]:
            return None
        return message

    async def _patch_channel_message(self, params: dict[str, str], _q: Any, body: Any, files: Any) -> web.Response:
        message = self._own_message(params)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.bot.id:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        self._apply(message, body, files)
        message["edited_timestamp"] = _now_iso()
        self.channel_edits.append((time.monotonic(), json.loads(json.dumps(message))))
        return _json(message)

    async def _delete_channel_message(self, params: dict[str, str], *_: Any) -> web.Response:
        message = self._own_message(params)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.bot.id:  # others' messages need Manage Messages, which the bot lacks
            return _error(403, 50013, "Missing Permissions")
        del self.messages[message["id"]]
        self.deleted_messages.append(message["id"])
        return web.Response(status=204)

    async def _typing(self, params: dict[str, str], *_: Any) -> web.Response:
        self.typing.append((time.monotonic(), params["channel_id"]))
        return web.Response(status=204)

    async def _open_dm(self, _p: Any, _q: Any, body: Any, _f: Any) -> web.Response:
        user_id = str(body["recipient_id"])
        return _json({"id": self.dm_channel(user_id), "type": 1, "flags": 0, "last_message_id": None,
                      "recipients": [{"id": user_id, "username": "u", "discriminator": "0", "avatar": None}]})
