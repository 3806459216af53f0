"""Jobs outlive the process that runs them: resumed from what was stored, given up after too many attempts, and a
render worker that dies costs its own job only (refunded, explained)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bots.bootstrap import Routix
from bots.settings import JobSettings, Settings
from core.credits import utcnow
from core.messages import AlbumReply, ErrorReply, ImageReply, Options
from core.providers import LocalProvider, ProcessLanes
from core.rendering import Finish, Rendered, Scene
from tests.conftest import Conversation, make_settings, started, thread_providers
from tests.integration.test_render_workers import killed_like_out_of_memory

Event = TypeVar("Event")


class Counting(LocalProvider):
    """The real renderer; counts what it was asked to make, and can be told to stall on a given call."""

    def __init__(self, stall_on: int | None = None) -> None:
        super().__init__(ThreadPoolExecutor(2))
        self.calls = 0
        self.stall_on = stall_on

    async def warm_up(self) -> None:
        return None

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        self.calls += 1
        if self.calls == self.stall_on:
            await asyncio.Event().wait()  # the process "dies" here: the test stops it
        return await super().generate(scene, finish)


async def stored_siblings(app: Routix, user: str, count: int) -> None:
    """Wait until `count` variations of the user's thumbnail have their picture stored."""
    found = await app.store.find_user("console", user)
    assert found is not None
    async with asyncio.timeout(10):
        while len([g for g in await app.store.recent_generations(found.id, 10)
                   if g.parent_id is not None and g.result_key]) < count:
            await asyncio.sleep(0.02)


async def heard(chat: Conversation, kind: type[Event]) -> Event:
    """The first event of `kind` the chat has received, waiting for it up to 15 s."""
    async with asyncio.timeout(15):
        while not (found := [e for e in chat.events if isinstance(e, kind)]):
            await asyncio.sleep(0.05)
    return found[0]


async def test_a_resumed_job_never_makes_a_stored_picture_again(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.jobs = JobSettings(workers=2, per_user=50, drain_seconds=0)
    first = await started(settings, thread_providers({"basic": Counting(), "local": Counting(stall_on=3)}))
    chat = Conversation(first, "ida")
    await chat.send('Gaming "ONE MORE TIME"')
    variations = asyncio.create_task(chat.send(button=next(b.action for row in chat.last(ImageReply).buttons  # type: ignore[attr-defined]
                                                             for b in row if ":vars:" in b.action)))
    local = first.providers["local"]
    async with asyncio.timeout(10):
        while local.calls < 3:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
    await stored_siblings(first, "ida", 2)  # the two siblings that were made are stored
    await first.aclose()  # drain 0: the third sibling's job stops here, its lease released
    variations.cancel()
    resumed = Counting()
    second = await started(settings, thread_providers({"local": resumed}))
    chat.app = second
    chat.listen()
    album = await heard(chat, AlbumReply)
    assert len(album.images) == 3
    assert resumed.calls == 1, "only the sibling that was never stored is made again"
    await second.aclose()


async def test_a_job_orphaned_by_a_dead_process_is_resumed_by_the_next_one(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.jobs = JobSettings(workers=2, per_user=50, lease_seconds=1, recovery_seconds=0.2, drain_seconds=0)
    first = await started(settings, thread_providers({"local": Counting(stall_on=1)}))
    chat = Conversation(first, "jo")
    sending = asyncio.create_task(chat.send('Vlog "ORPHAN"'))
    async with asyncio.timeout(10):
        while first.providers["local"].calls < 1:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
    orphan(tmp_path / "data" / "routix.db")  # as a process killed an hour ago leaves its job
    second = await started(settings)
    chat.app = second
    chat.listen()
    assert '"ORPHAN"' in (await heard(chat, ImageReply)).caption
    sending.cancel()
    await second.aclose()
    await first.aclose()


def orphan(database: Path) -> None:
    with sqlite3.connect(database) as db:
        db.execute("UPDATE jobs SET lease_owner = 'gone:1:dead', lease_until = ? WHERE status != 'done'",
                   ((utcnow() - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f"),))


async def paying(settings: Settings, user: str,
                 request: str) -> tuple[Routix, Conversation, Counting, asyncio.Task[object]]:
    """A paid request (10 allowance + 5 granted) sent on its way, its renderer stalling on the first picture."""
    basic = Counting(stall_on=1)
    app = await started(settings, thread_providers({"basic": basic}))
    chat = Conversation(app, user)
    await chat.send("/start")
    await Conversation(app, "admin").send(f"/grant console:{user} 5")
    return app, chat, basic, asyncio.create_task(chat.send(request, options=Options(algorithm="basic")))


async def making(renderer: Counting) -> None:
    async with asyncio.timeout(10):
        while renderer.calls < 1:
            await asyncio.sleep(0.01)


async def test_a_job_that_keeps_crashing_its_runner_is_refunded_with_a_message(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.jobs = JobSettings(workers=2, per_user=50, drain_seconds=0, max_attempts=2)
    app, chat, basic, sending = await paying(settings, "kim", 'Tech "DOOMED"')
    for _ in range(2):  # every run of it ends with its runner
        await making(basic)
        await app.aclose()
        sending.cancel()
        basic = Counting(stall_on=1)
        app = await started(settings, thread_providers({"basic": basic}))
        chat.app = app
        chat.listen()
        sending = asyncio.create_task(app.idle())
    refusal = await heard(chat, ErrorReply)
    assert refusal.code == "gave_up" and '"DOOMED"' in refusal.text and "not charged" in refusal.text
    kim = await app.store.find_user("console", "kim")
    assert kim is not None and (await app.store.account(kim.id, utcnow())).balance == 15  # 10 allowance + 5
    await app.aclose()


class Dying(LocalProvider):
    """Real render worker processes; the title "DIE" makes the worker die as the out-of-memory killer would."""

    def __init__(self) -> None:
        super().__init__(ProcessLanes(2, timeout_s=10))

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        if scene.title == "DIE":
            await self.runner.run(killed_like_out_of_memory)
        return await super().generate(scene, finish)


async def test_a_dying_render_worker_costs_only_its_own_job(tmp_path: Path) -> None:
    dying = Dying()
    app = await started(make_settings(tmp_path / "data"), thread_providers({"basic": dying, "local": dying}))
    try:
        victim, bystander = Conversation(app, "lee"), Conversation(app, "mo")
        await victim.send("/start")
        await Conversation(app, "admin").send("/grant console:lee 3")
        events = await victim.send('Gaming "DIE"', options=Options(algorithm="basic"))
        failure = events[-1]
        assert isinstance(failure, ErrorReply) and failure.code == "failed"
        assert "renderer stopped" in failure.text and "not charged" in failure.text
        lee = await app.store.find_user("console", "lee")
        assert lee is not None and (await app.store.account(lee.id, utcnow())).balance == 13, "refunded"
        assert isinstance((await bystander.send('Vlog "STILL FINE"'))[-1], ImageReply), "the next job renders"
        assert dying.runner.replaced == 1  # type: ignore[attr-defined]
        assert all(os.path.exists(f"/proc/{pid}") for pid in dying.runner.worker_pids())  # type: ignore[attr-defined]
    finally:
        await app.aclose()


class OneSiblingFails(LocalProvider):
    """Variations where the second sibling fails at once and the others would finish a moment later."""

    def __init__(self) -> None:
        super().__init__(ThreadPoolExecutor(3))
        self.calls = 0

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        self.calls += 1
        if self.calls == 3:  # the first call is the original thumbnail; then three siblings
            raise RuntimeError("the service refused this one")
        if self.calls > 1:
            await asyncio.sleep(0.3)
        return await super().generate(scene, finish)


async def test_when_one_variation_fails_its_siblings_stop_and_every_one_is_refunded(tmp_path: Path) -> None:
    provider = OneSiblingFails()
    app = await started(make_settings(tmp_path / "data"), thread_providers({"basic": provider}))
    try:
        chat = Conversation(app, "nia")
        await chat.send("/start")
        await Conversation(app, "admin").send("/grant console:nia 10")
        await chat.send('Tech "SIBLINGS"', options=Options(algorithm="basic"))
        pressed = next(b.action for row in chat.last(ImageReply).buttons for b in row if ":vars:" in b.action)  # type: ignore[attr-defined]
        events = await chat.send(button=pressed)
        assert [e.code for e in events if isinstance(e, ErrorReply)] == ["failed"]
        assert not [e for e in events if isinstance(e, AlbumReply)]
        await asyncio.sleep(0.5)  # a sibling still running would record its picture now
        nia = await app.store.find_user("console", "nia")
        assert nia is not None
        history = await app.store.recent_generations(nia.id, 10)
        siblings = [g for g in history if g.parent_id is not None]
        assert len(siblings) == 3
        assert {(g.status, g.credit_state) for g in siblings} == {("failed", "refunded")}
        assert (await app.store.account(nia.id, utcnow())).balance == 10 + 10 - 1, "only the first is charged"
    finally:
        await app.aclose()


async def test_a_job_whose_picture_is_stored_is_delivered_however_often_making_it_was_cut(tmp_path: Path) -> None:
    """Its making was cut JOBS_MAX_ATTEMPTS times, but the picture is stored: only sending is left, so it is sent
    (refunded, a picture made, perhaps paid for, would be thrown away)."""
    from core.ports import DeliveryUncertain

    settings = make_settings(tmp_path / "data")
    settings.jobs = JobSettings(workers=2, per_user=50, drain_seconds=0, max_attempts=2, lease_seconds=1,
                                recovery_seconds=0.2)
    app = await started(settings)
    chat = Conversation(app, "lia")
    first_send = True

    async def no_answer_the_first_time(event: object) -> None:
        nonlocal first_send
        if isinstance(event, ImageReply) and first_send:
            first_send = False
            with sqlite3.connect(tmp_path / "data" / "routix.db") as db:  # as if its making had been cut twice
                db.execute("UPDATE jobs SET attempts = 2")
            raise DeliveryUncertain("the platform did not answer")
        chat.events.append(event)  # type: ignore[arg-type]

    chat.reply = no_answer_the_first_time  # type: ignore[method-assign]
    try:
        await chat.send('Vlog "STORED ONCE"')
        async with asyncio.timeout(10):
            while not any(isinstance(e, ImageReply | ErrorReply) for e in chat.events):
                await asyncio.sleep(0.05)
        assert not [e for e in chat.events if isinstance(e, ErrorReply)], "given up with the picture stored"
        assert '"STORED ONCE"' in chat.last(ImageReply).caption  # type: ignore[attr-defined]
    finally:
        await app.aclose()


async def test_a_job_for_a_platform_no_bot_serves_any_more_is_refunded_and_told_when_it_returns(
        tmp_path: Path) -> None:
    """Accepted for a platform whose bot the operator then stopped running: past the age limit the credits come
    back without it, and the person hears why once a bot for their platform starts again."""
    settings, chat, database = await stranded(tmp_path, "noor", 'Travel "STRANDED"')
    app = await started(settings, thread_providers({"basic": Counting()}))
    noor = await app.store.find_user("console", "noor")
    assert noor is not None
    async with asyncio.timeout(10):
        while (await app.store.account(noor.id, utcnow())).balance != 15:  # 10 allowance + 5, nothing held
            await asyncio.sleep(0.05)
    await app.aclose()
    moved(database, "console", utcnow() - timedelta(hours=2))  # its bot runs again
    app = await started(settings)
    chat.app = app
    chat.listen()
    refusal = await heard(chat, ErrorReply)
    assert refusal.code == "gave_up" and '"STRANDED"' in refusal.text and "not charged" in refusal.text
    assert (await app.store.account(noor.id, utcnow())).balance == 15, "refunded once"
    await app.aclose()


async def stranded(tmp_path: Path, user: str, request: str) -> tuple[Settings, Conversation, Path]:
    """A paid request accepted two hours ago for a platform whose bot is no longer run (an hour is the limit)."""
    settings = make_settings(tmp_path / "data")
    settings.jobs = JobSettings(workers=2, per_user=50, drain_seconds=0, recovery_seconds=0.2)
    app, chat, basic, sending = await paying(settings, user, request)
    await making(basic)
    await app.aclose()
    sending.cancel()
    database = tmp_path / "data" / "routix.db"
    moved(database, "elsewhere", utcnow() - timedelta(hours=2))
    return settings, chat, database


def moved(database: Path, platform: str, created: datetime) -> None:
    with sqlite3.connect(database) as db:
        db.execute("UPDATE jobs SET platform = ?, created_at = ? WHERE status != 'done'",
                   (platform, created.strftime("%Y-%m-%d %H:%M:%S.%f")))


async def unanswered_sends(tmp_path: Path, maybe_sent: bool) -> tuple[Conversation, int, Routix]:
    """A paid request whose every picture send ends without the platform's answer: (its chat, sends made, app)."""
    from core.ports import DeliveryUncertain

    settings = make_settings(tmp_path / "data")
    settings.jobs = JobSettings(workers=2, per_user=50, drain_seconds=0, max_attempts=3, lease_seconds=1,
                                recovery_seconds=0.2)
    app = await started(settings, thread_providers({"basic": Counting()}))
    chat = Conversation(app, "ray")
    await chat.send("/start")
    await Conversation(app, "admin").send("/grant console:ray 5")
    sends = 0

    async def never_answered(event: object) -> None:
        nonlocal sends
        if isinstance(event, ImageReply):
            sends += 1
            raise DeliveryUncertain("the platform did not answer", maybe_sent=maybe_sent)
        chat.events.append(event)  # type: ignore[arg-type]

    chat.reply = never_answered  # type: ignore[method-assign]
    await chat.send('Vlog "NO ANSWER"', options=Options(algorithm="basic"))
    ray = await app.store.find_user("console", "ray")
    assert ray is not None
    async with asyncio.timeout(15):
        while (await app.store.jobs_summary()).keys() - {"done", "failed"} or sends == 0:
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.5)  # a lease and a recovery pass more: nothing is sent again
    return chat, sends, app


async def test_a_picture_the_platform_may_have_received_is_sent_once_more_then_charged_never_refunded(
        tmp_path: Path) -> None:
    chat, sends, app = await unanswered_sends(tmp_path, maybe_sent=True)
    try:
        assert sends == 2, "sent again once: at worst twice in the chat"
        assert not [e for e in chat.events if isinstance(e, ErrorReply)], "no 'not charged' under a picture"
        ray = await app.store.find_user("console", "ray")
        assert (await app.store.account(ray.id, utcnow())).balance == 15 - 1  # type: ignore[union-attr]
    finally:
        await app.aclose()


async def test_a_picture_that_never_reached_the_platform_is_tried_again_then_refunded(tmp_path: Path) -> None:
    chat, sends, app = await unanswered_sends(tmp_path, maybe_sent=False)
    try:
        assert sends == 3, "each of JOBS_MAX_ATTEMPTS sends"
        assert [e.code for e in chat.events if isinstance(e, ErrorReply)] == ["gave_up"]
        ray = await app.store.find_user("console", "ray")
        assert (await app.store.account(ray.id, utcnow())).balance == 15  # type: ignore[union-attr]
    finally:
        await app.aclose()


async def test_a_stranded_job_whose_picture_may_be_in_the_chat_is_charged_not_refunded(tmp_path: Path) -> None:
    """A send of it went unanswered before its bot stopped running: its own runner would take it as delivered
    past the age limit, and so does any other."""
    settings, _, database = await stranded(tmp_path, "omar", 'Travel "MAYBE THERE"')
    with sqlite3.connect(database) as db:
        db.execute("UPDATE jobs SET unanswered = 1")
    app = await started(settings, thread_providers({"basic": Counting()}))
    try:
        async with asyncio.timeout(10):
            while await app.store.jobs_summary() != {"done": 1}:
                await asyncio.sleep(0.05)
        omar = await app.store.find_user("console", "omar")
        assert (await app.store.account(omar.id, utcnow())).balance == 15 - 1  # type: ignore[union-attr]
    finally:
        await app.aclose()
