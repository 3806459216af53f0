"""The Routix service: one entry point, `handle(incoming, reply)`, for every platform.

An update is cleaned of invisible characters, flood-limited, checked against the updates already handled,
then dispatched: a command (core/command_handlers.py), a button on a result, or a request. Requests and
buttons become jobs accepted durably by core/requests.py; `handle` returns once the update is dealt with —
answered, or accepted as a job — so an adapter may confirm it to the platform then. The job itself is made
and delivered by the pipeline (core/pipeline.py), in this process or a worker.
"""

from __future__ import annotations

import dataclasses
import logging

from core import commands
from core.actions import Action, parse_action
from core.analysis import STYLE_WORDS
from core.catalogue import Catalogue
from core.command_handlers import CommandHandlers
from core.config import ServiceConfig
from core.credits import utcnow
from core.domain import Algorithm, Generation, Status
from core.i18n import normalize_language, translate
from core.limits import FloodLimit, Verdict
from core.messages import ErrorReply, Incoming, Outgoing, Reply
from core.ordering import start_request
from core.ports import Links, Store, StoreUnavailable
from core.requests import Requests
from core.text import clean_text
from core.turn import Turn

log = logging.getLogger(__name__)
JOB_COMMANDS = frozenset({"thumb", "regenerate", "variations"})  # their update is claimed with the job they start


class Service:
    def __init__(self, store: Store, catalogue: Catalogue, requests: Requests, config: ServiceConfig,
                 links: Links | None = None) -> None:
        self.store = store
        self.catalogue = catalogue
        self.requests = requests
        self.config = config
        self.commands = CommandHandlers(store, catalogue, requests, config, links)
        self.flood = FloodLimit(config.flood_per_second, config.flood_burst)

    # -- entry point ------------------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, reply: Reply) -> None:
        """Process one update. User errors become ErrorReply events; nothing raises to the adapter."""
        start_request()
        incoming = cleaned(incoming)
        try:
            if not await self._within_flood_limit(incoming, reply):
                return
            user = await self.store.arrive(incoming.platform, incoming.user_id, incoming.display_name,
                                           incoming.update_key)
            if user is None:
                log.info("skipping redelivered update %s", incoming.update_key)
                return
            turn = Turn(incoming, user, user.language or normalize_language(incoming.locale), reply)
            await self._dispatch(turn)
        except StoreUnavailable:
            language = normalize_language(incoming.locale)
            await _quietly(reply, ErrorReply("unavailable", translate(language, "store_unavailable")))
        except Exception:
            log.exception("update from %s:%s failed", incoming.platform, incoming.user_id)
            language = normalize_language(incoming.locale)
            text = translate(language, "failed", reason=translate(language, "reason_internal"))
            await _quietly(reply, ErrorReply("internal", text))

    async def _within_flood_limit(self, incoming: Incoming, reply: Reply) -> bool:
        """Checked before anything is stored: a flood costs the database nothing."""
        if self.is_admin(incoming.platform, incoming.user_id):
            return True
        verdict = self.flood.check(f"{incoming.platform}:{incoming.user_id}")
        if verdict == Verdict.WARN:
            log.info("flood limit: %s:%s", incoming.platform, incoming.user_id)
            language = await self.language_of(incoming.platform, incoming.user_id, incoming.locale)
            await reply(ErrorReply("too_fast", translate(language, "too_fast")))
        return verdict == Verdict.ALLOW

    async def _dispatch(self, turn: Turn) -> None:
        parsed = commands.parse(turn.incoming.text) if turn.incoming.button is None else None
        # At most once: a command that changes something (a grant) must never run twice.
        if parsed and parsed[0] not in JOB_COMMANDS and not turn.user.banned and not await self._claim(turn):
            return
        if turn.user.banned:
            await turn.refuse("banned")
        elif turn.incoming.button is not None:
            await self.on_button(turn, turn.incoming.button)
        elif parsed:
            await self.commands.run(turn, *parsed)
        else:
            await self.requests.on_request(turn, turn.incoming.text)
        await self._claim(turn)  # refusals: after answering, so a crash repeats the answer rather than losing it

    async def _claim(self, turn: Turn) -> bool:
        if "claimed" in turn.marks or not turn.incoming.update_key:
            return True
        turn.marks.add("claimed")
        return await self.store.claim_update(turn.incoming.update_key, utcnow())

    # -- buttons ----------------------------------------------------------------------------------------

    async def on_button(self, turn: Turn, data: str) -> None:
        """A result's button. Its data is untrusted (a modified client sends anything), so it acts only on a
        finished generation of the chat it was pressed in (and, in a private chat, of the person pressing);
        anything else gets the same polite answer, so nobody learns what exists elsewhere."""
        pressed = parse_action(data)
        generation = await self._generation_for(turn, pressed) if pressed else None
        if pressed is None or generation is None:
            return await turn.refuse("generation_gone")
        if pressed.verb == "regen":
            await self.requests.redo(turn, generation)
        elif pressed.verb == "algo":
            await self.requests.redo(turn, generation, algorithm=pressed.argument, new_seed=False)
        elif pressed.verb == "vars":
            await self.requests.variations(turn, generation)
        else:
            await self.requests.original(turn, generation)

    async def _generation_for(self, turn: Turn, pressed: Action) -> Generation | None:
        generation = await self.store.get_generation(pressed.generation_id)
        retry = pressed.verb == "algo" and generation is not None and generation.status == Status.FAILED
        if generation is None or (generation.status != Status.COMPLETED and not retry):
            return None  # a failed paid picture still offers its one-tap "try Local (free)"
        here = generation.platform == turn.incoming.platform and generation.chat_id == turn.incoming.chat_id
        mine = turn.incoming.is_group or generation.user_id == turn.user.id
        return generation if here and mine else None

    # -- helpers the adapters use -----------------------------------------------------------------------

    async def refuse(self, incoming: Incoming, reply: Reply, key: str, **values: object) -> None:
        """An adapter's own refusal (a file too big to download, …), worded in the user's language and claimed
        like any update, so a redelivery is not answered twice."""
        if incoming.update_key and await self.store.update_seen(incoming.update_key):
            return
        language = await self.language_of(incoming.platform, incoming.user_id, incoming.locale)
        await reply(ErrorReply(key, translate(language, key, **values)))
        if incoming.update_key:
            await self.store.claim_update(incoming.update_key, utcnow())

    def command_catalog(self, language: str, *, admin: bool = False) -> list[commands.CommandInfo]:
        return commands.catalog(language, admin=admin)

    def is_admin(self, platform: str, user_id: str) -> bool:
        return (platform, str(user_id)) in self.config.admins

    async def algorithm_choices(self) -> list[Algorithm]:
        return await self.catalogue.algorithm_choices()

    def style_choices(self) -> list[str]:
        return list(STYLE_WORDS)

    async def channel_allowed(self, platform: str, space_id: str, channel_id: str) -> bool:
        allowed = (await self.store.chat_settings(platform, space_id)).allowed_channels
        return not allowed or channel_id in allowed

    async def language_of(self, platform: str, user_id: str, locale: str | None) -> str:
        user = await self.store.find_user(platform, user_id)
        return (user.language if user else None) or normalize_language(locale)

    def text(self, language: str, key: str, **values: object) -> str:
        return translate(language, key, **values)


def cleaned(incoming: Incoming) -> Incoming:
    """The update without invisible or control characters, before any check of emptiness or length."""
    options = incoming.options
    title = clean_text(options.title).strip() if options.title else None
    return dataclasses.replace(incoming, text=clean_text(incoming.text), display_name=clean_text(incoming.display_name),
                               options=dataclasses.replace(options, title=title or None))


async def _quietly(reply: Reply, event: Outgoing) -> None:
    try:
        await reply(event)
    except Exception:
        log.warning("could not deliver %s", type(event).__name__)
