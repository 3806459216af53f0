"""The polling intake on its own: the real Bot against the fake Bot API, a real SQLite inbox, and an `accept` that
the test holds, to see what is in hand, what is confirmed and what stays in the inbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram import Update

from bots.telegram.intake import Inbox, Poller
from bots.telegram.main import RoutixBot
from bots.telegram.transport import AiohttpRequest
from storage.engine import create_engine
from storage.store import SqlStore
from tests.fakes.telegram_api import FakeBotAPI

SOURCE = "telegram:test"


class HeldAccept:
    """Accepts an update only once the test lets it go; counts how many are in hand at once."""

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.in_hand = 0
        self.most_in_hand = 0
        self.accepted: list[int] = []

    async def __call__(self, update: Update) -> None:
        self.in_hand += 1
        self.most_in_hand = max(self.most_in_hand, self.in_hand)
        try:
            await self.released.wait()
            self.accepted.append(update.update_id)
        finally:
            self.in_hand -= 1


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    made = SqlStore(create_engine(f"sqlite:///{tmp_path / 'routix.db'}"))
    await made.create_schema()
    yield made
    await made.close()


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[RoutixBot]:
    made = RoutixBot(FakeBotAPI.token, base_url=fake.base_url, request=AiohttpRequest(),
                     get_updates_request=AiohttpRequest(read_timeout=5))
    async with made:
        yield made


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    async def check() -> None:
        while not condition():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(check(), timeout)


def poller(bot: RoutixBot, accept: HeldAccept, store: SqlStore, in_hand: int) -> Poller:
    return Poller(bot, accept, Inbox(store, SOURCE), timeout=1, allowed_updates=["message"], in_hand=in_hand)


async def test_no_more_updates_are_in_hand_than_allowed_and_all_are_accepted_in_the_end(
        fake: FakeBotAPI, bot: RoutixBot, store: SqlStore) -> None:
    pushed = [fake.push(message=fake.message(7000 + n, text=f"request {n}"))["update_id"] for n in range(30)]
    accept = HeldAccept()
    intake = poller(bot, accept, store, in_hand=10)
    await intake.start()
    await until(lambda: accept.in_hand == 10)
    polls = len(fake.calls_to("getUpdates"))
    await asyncio.sleep(0.3)
    assert accept.most_in_hand == 10, "a backlog is taken ten at a time"
    assert len(fake.calls_to("getUpdates")) == polls, "no poll while there is no room"
    assert len(await store.kept_updates(SOURCE)) == 10, "and kept only as far as it was taken"
    accept.released.set()
    await fake.wait_for(lambda: fake.pending_updates() == 0, timeout=10)
    await until(lambda: len(accept.accepted) == 30)
    await intake.stop()
    assert sorted(accept.accepted) == pushed and accept.most_in_hand == 10
    assert await store.kept_updates(SOURCE) == [], "accepted updates leave the inbox"


async def test_an_update_abandoned_by_the_stop_stays_in_the_inbox_even_if_its_handler_returned(
        fake: FakeBotAPI, bot: RoutixBot, store: SqlStore) -> None:
    """A handler that swallows its cancellation has not dealt with the update: the next start must."""

    async def stubborn(update: Update) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            return  # swallowed: the task ends as if it were done

    update_id = fake.push(message=fake.message(7100, text="request"))["update_id"]
    intake = Poller(bot, stubborn, Inbox(store, SOURCE), timeout=1, allowed_updates=["message"])
    await intake.start()
    await fake.wait_for(lambda: fake.pending_updates() == 0)
    await intake.stop()
    assert [kept for kept, _ in await store.kept_updates(SOURCE)] == [update_id]
    assert fake.pending_updates() == 0, "confirmed to Telegram: the inbox has it"


async def test_a_busy_chat_holds_only_its_share_of_the_slots_and_waits_in_order(
        fake: FakeBotAPI, bot: RoutixBot, store: SqlStore) -> None:
    """A group answered at Telegram's 20 messages a minute (or flooded) must not hold every slot: polling would
    stop for every other chat. Its updates past PER_CHAT_IN_HAND wait aside, kept, and go in their order."""
    from bots.telegram.intake import PER_CHAT_IN_HAND

    group = [fake.push(message=fake.message(-100555, 7200, text=f"/credits {n}", chat_type="supergroup"))["update_id"]
             for n in range(PER_CHAT_IN_HAND + 30)]
    accept = HeldAccept()
    intake = poller(bot, accept, store, in_hand=PER_CHAT_IN_HAND + 30)
    await intake.start()
    await until(lambda: accept.in_hand == PER_CHAT_IN_HAND)
    alone = fake.push(message=fake.message(7300, text="a request"))["update_id"]
    await until(lambda: accept.in_hand == PER_CHAT_IN_HAND + 1)  # taken at once, past the group's backlog
    assert accept.most_in_hand == PER_CHAT_IN_HAND + 1
    accept.released.set()
    await until(lambda: len(accept.accepted) == len(group) + 1)
    await intake.stop()
    assert [update for update in accept.accepted if update != alone] == group, "the group's in its order"
    assert await store.kept_updates(SOURCE) == []


async def test_a_busy_chat_s_waiting_updates_stay_in_the_inbox_through_a_stop(
        fake: FakeBotAPI, bot: RoutixBot, store: SqlStore) -> None:
    from bots.telegram.intake import PER_CHAT_IN_HAND

    group = [fake.push(message=fake.message(-100556, 7201, text=f"/credits {n}", chat_type="supergroup"))["update_id"]
             for n in range(PER_CHAT_IN_HAND + 5)]
    accept = HeldAccept()
    intake = poller(bot, accept, store, in_hand=100)
    await intake.start()
    await until(lambda: accept.in_hand == PER_CHAT_IN_HAND)
    await fake.wait_for(lambda: fake.pending_updates() == 0)
    await intake.stop()
    assert [kept for kept, _ in await store.kept_updates(SOURCE)] == group, "each is there for the next start"
