"""The whole service on generated chat lines from Persian-speaking people: whatever they send (commands with odd
arguments, requests, follow-ups, forged buttons, raw code points), no internal error, and every answer is in
Persian. Fewer examples than the pure properties: each one is a real update on a real SQLite database."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.bootstrap import Routix
from core.commands import catalog
from core.credits import utcnow
from core.messages import AlbumReply, DocumentReply, ErrorReply, ImageReply, Incoming, Outgoing, TextReply
from core.rendering import Finish, Rendered, Scene, render_local
from tests.conftest import make_settings, started, thread_providers
from tests.fuzz.common import TOKENS

PERSIAN = re.compile(r"[\u0600-\u06FF]")
COMMANDS = [info.name for info in catalog("en", admin=True) if info.name != "lang"]  # /lang would switch to English
PEOPLE = ("p1", "p2", "p3", "admin")  # console:admin is a Routix admin in the tests' settings
WORDS = st.lists(st.sampled_from(TOKENS), max_size=8).map("".join)


class Instant:
    """A ready-made picture at once: these examples are about the words, not the rendering."""

    name = "instant"
    cpu_bound = False

    def __init__(self) -> None:
        self.picture = render_local(Scene(title="FUZZ"), Finish(keep_original=True))

    @property
    def available(self) -> bool:
        return True

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        return self.picture

    async def close(self) -> None:
        return None


lines = st.one_of(
    st.tuples(st.sampled_from(COMMANDS), WORDS).map(lambda parts: f"/{parts[0]} {parts[1]}"),
    WORDS,
    st.text(max_size=30),
)
buttons = st.one_of(st.none(), st.text(max_size=80),
                    st.tuples(st.sampled_from(["regen", "vars", "orig", "algo", "nope"]),
                              st.text("0123456789abcdef", min_size=32, max_size=32)).map(lambda p: f"rx:{p[0]}:{p[1]}"))


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[asyncio.AbstractEventLoop, Routix]]:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as data:
        instant = Instant()
        app = loop.run_until_complete(started(make_settings(Path(data)), thread_providers(
            {name: instant for name in ("local", "basic", "premium", "pro")})))
        yield loop, app
        loop.run_until_complete(app.aclose())
    loop.close()


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(person=st.sampled_from(PEOPLE), line=lines, button=buttons)
def test_persian_speakers_get_persian_answers_and_no_internal_error(service, person: str, line: str,
                                                                    button: str | None) -> None:
    loop, app = service
    events: list[Outgoing] = []

    async def reply(event: Outgoing) -> None:
        events.append(event)

    async def one() -> None:
        app.pipeline.senders["console"].listen(f"chat-{person}", reply)  # type: ignore[attr-defined]
        incoming = Incoming("console", person, f"chat-{person}", "" if button is not None else line,
                            display_name=person, locale="fa", button=button)
        await app.service.handle(incoming, reply)
        await app.idle()

    loop.run_until_complete(one())
    for event in events:
        assert not (isinstance(event, ErrorReply) and event.code == "internal"), (line, button, event)
        if isinstance(event, TextReply | ErrorReply):
            assert PERSIAN.search(event.text), (line, button, event.text)
        elif isinstance(event, ImageReply | AlbumReply | DocumentReply):
            assert PERSIAN.search(event.caption), (line, button, event.caption)


@pytest.fixture(scope="module")
def made(service) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Every person's real buttons: one finished thumbnail each."""
    loop, app = service
    actions: dict[str, list[str]] = {}

    async def make(person: str) -> None:
        events: list[Outgoing] = []

        async def reply(event: Outgoing) -> None:
            events.append(event)

        app.pipeline.senders["console"].listen(f"chat-{person}", reply)  # type: ignore[attr-defined]
        await app.service.handle(Incoming("console", person, f"chat-{person}", 'Vlog "MINE"', display_name=person,
                                          locale="fa"), reply)
        await app.idle()
        [image] = [e for e in events if isinstance(e, ImageReply)]
        actions[person] = [button.action for row in image.buttons for button in row]

    for person in PEOPLE:
        loop.run_until_complete(make(person))
    return actions


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(presser=st.sampled_from(PEOPLE), owner=st.sampled_from(PEOPLE), index=st.integers(0, 20),
       chat_of=st.sampled_from(("presser", "owner")))
def test_a_real_button_pressed_by_someone_else_acts_on_nothing(service, made, presser: str, owner: str,  # type: ignore[no-untyped-def]
                                                               index: int, chat_of: str) -> None:
    """A button copied from another person's result (their private chat, or pressed by a stranger in theirs)
    gets only the polite "no longer available", and costs nothing."""
    if presser == owner:
        return
    loop, app = service
    actions = made[owner]
    action = actions[index % len(actions)]
    chat = f"chat-{presser if chat_of == 'presser' else owner}"
    events: list[Outgoing] = []

    async def reply(event: Outgoing) -> None:
        events.append(event)

    async def press() -> int:
        user = await app.store.find_user("console", presser)
        before = (await app.store.account(user.id, utcnow())).balance if user else None
        await app.service.handle(Incoming("console", presser, chat, "", display_name=presser, locale="fa",
                                          button=action), reply)
        await app.idle()
        user = await app.store.find_user("console", presser)
        assert user is not None
        assert before is None or (await app.store.account(user.id, utcnow())).balance == before, "nothing charged"
        return len(events)

    loop.run_until_complete(press())
    assert [e.code for e in events if isinstance(e, ErrorReply)] == ["generation_gone"], (action, events)
    assert all(isinstance(e, ErrorReply) for e in events), (action, events)
