"""The whole core on real SQLite, real local files and the real renderer, driven as a person would."""

from __future__ import annotations

import asyncio
import io
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from bots.bootstrap import Routix
from bots.settings import Settings
from core.credits import utcnow
from core.messages import (
    AlbumReply,
    DocumentReply,
    ErrorReply,
    ImageReply,
    Incoming,
    Options,
    ProgressReply,
    Stage,
    TextReply,
    Working,
)
from core.providers import LocalProvider
from core.rendering import Finish, Rendered, Scene
from tests.conftest import Conversation, paid_providers, started, thread_providers


@pytest.fixture
async def paid(settings: Settings) -> Routix:
    app = await started(settings, paid_providers())
    yield app
    await app.aclose()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def test_a_request_makes_a_real_thumbnail_with_progress_and_buttons(routix: Routix) -> None:
    chat = Conversation(routix)
    events = await chat.send('Gaming thumbnail "I WON" in red')
    kinds = [type(e) for e in events]
    assert kinds[0] is Working and kinds[-1] is ImageReply
    stages = [e.stage for e in events if isinstance(e, ProgressReply)]
    assert stages == [Stage.ANALYSING, Stage.GENERATING, Stage.COMPOSING, Stage.UPLOADING]
    image = events[-1]
    assert isinstance(image, ImageReply)
    assert decode(image.image).size == (1280, 720) and decode(image.image).format == "JPEG"
    assert len(image.image) <= 2_000_000
    assert '"I WON"' in image.caption and "10 credits left" in image.caption
    labels = [b.label for row in image.buttons for b in row]
    assert labels[:3] == ["🔁 Regenerate", "🎲 Variations", "📎 Original"]
    assert all(len(b.action.encode()) <= 64 for row in image.buttons for b in row)


async def test_a_follow_up_refines_the_last_request_and_new_starts_over(routix: Routix) -> None:
    chat = Conversation(routix)
    await chat.send('Gaming thumbnail "I WON"')
    first = chat.last(ImageReply)
    await chat.send("make it blue")
    refined = await routix.store.get_generation(_id(chat.last(ImageReply)))
    assert refined is not None and refined.title == "I WON" and refined.scene["colors"][0] == "#2563eb"
    assert refined.parent_id == _id(first)
    await chat.send("change the title to 'GG EZ'")
    assert (await routix.store.get_generation(_id(chat.last(ImageReply)))).title == "GG EZ"  # type: ignore[union-attr]
    await chat.send("/new")
    await chat.send("make it red")  # with nothing to refine this is a request of its own
    fresh = await routix.store.get_generation(_id(chat.last(ImageReply)))
    assert fresh is not None and fresh.parent_id is None


async def test_persian_chat_gets_persian_replies_and_a_persian_title(routix: Routix) -> None:
    chat = Conversation(routix, locale="fa-IR")
    events = await chat.send("/start")
    assert "روتیکس" in events[0].text  # type: ignore[union-attr]
    await chat.send("تامبنیل گیمینگ «بردم!» قرمز")
    image = chat.last(ImageReply)
    assert "«بردم!»" in image.caption and "اعتبار" in image.caption  # type: ignore[attr-defined]
    await chat.send("/lang en")
    assert "Balance" in (await chat.send("/credits"))[0].text  # type: ignore[union-attr]


async def test_same_request_same_picture_regenerate_differs(routix: Routix) -> None:
    one, two = Conversation(routix, "u1"), Conversation(routix, "u2")
    await one.send('Tech review "PIXEL 10"')
    await two.send('Tech review "PIXEL 10"')
    assert one.last(ImageReply).image == two.last(ImageReply).image  # type: ignore[attr-defined]
    await one.send("/regenerate")
    assert one.last(ImageReply).image != two.last(ImageReply).image  # type: ignore[attr-defined]


async def test_buttons_regenerate_variations_original_and_survive_a_restart(settings: Settings) -> None:
    app = await started(settings, thread_providers())
    chat = Conversation(app)
    await chat.send('Business tips "10X INCOME"')
    image = chat.last(ImageReply)
    actions = {b.label: b.action for row in image.buttons for b in row}  # type: ignore[attr-defined]
    await app.aclose()

    restarted = await started(settings, thread_providers())  # same database, same files
    chat.app = restarted
    album = (await chat.send(button=actions["🎲 Variations"]))[-1]
    assert isinstance(album, AlbumReply) and len(album.images) == 3
    assert len({i.image for i in album.images}) == 3
    assert all(decode(i.image).size == (1280, 720) for i in album.images)
    original = (await chat.send(button=actions["📎 Original"]))[-1]
    assert isinstance(original, DocumentReply) and original.mime_type == "image/png"
    assert decode(original.data).size == (1280, 720) and decode(original.data).format == "PNG"
    again = (await chat.send(button=actions["🔁 Regenerate"]))[-1]
    assert isinstance(again, ImageReply) and again.image != image.image  # type: ignore[attr-defined]
    gone = (await chat.send(button="rx:regen:" + "0" * 32))[-1]
    assert isinstance(gone, ErrorReply) and gone.code == "generation_gone"
    await restarted.aclose()


async def test_top_ups_stop_at_the_most_an_account_may_hold(routix: Routix) -> None:
    """Granted credits past a billion would, joined with another account's, outgrow PostgreSQL's integer: the
    grant that would pass the cap is refused, named, and changes nothing."""
    from core.command_handlers import MAX_GRANTED

    admin, person = Conversation(routix, "admin"), Conversation(routix, "bea")
    await person.send("/start")
    bea = await routix.store.find_user("console", "bea")
    assert bea is not None
    await routix.store.grant(bea.id, MAX_GRANTED - 10, "years of top-ups", utcnow())
    refused = (await admin.send("/grant console:bea 11"))[-1]
    assert isinstance(refused, ErrorReply) and refused.code == "grant_too_much" and "console:bea" in refused.text
    assert (await routix.store.account(bea.id, utcnow())).granted == MAX_GRANTED - 10
    assert "Granted 10 credits" in (await admin.send("/grant console:bea 10"))[-1].text  # type: ignore[union-attr]


async def test_credits_are_reserved_settled_and_never_overspent_under_concurrency(paid: Routix) -> None:
    admin = Conversation(paid, "admin")
    await admin.send("/quota free 0 month")
    await admin.send("/grant console:bob 5")  # unknown user: refused politely
    assert admin.last(ErrorReply).code == "user_not_found"  # type: ignore[attr-defined]
    chats = [Conversation(paid, "bob", chat=f"bob-{i}") for i in range(12)]
    await chats[0].send("/credits")
    await admin.send("/grant console:bob 5")
    results = await asyncio.gather(*(c.send('Tech "SPEED"', options=Options(algorithm="basic")) for c in chats))
    images = [e for events in results for e in events if isinstance(e, ImageReply)]
    refusals = [e for events in results for e in events if isinstance(e, ErrorReply)]
    assert len(images) == 5 and len(refusals) == 7
    assert sorted(image.caption.split(" · ")[-1] for image in images) == [
        f"{n} credits left" for n in range(5)], "each caption shows the balance after its own charge"
    assert all(r.code == "no_credits" and "refills on" in r.text for r in refusals)
    bob = await paid.store.find_user("console", "bob")
    account = await paid.store.account(bob.id, utcnow())  # type: ignore[union-attr]
    assert account.balance == 0 == await paid.store.ledger_total(bob.id)  # type: ignore[union-attr]


async def test_failed_generation_and_failed_delivery_are_refunded(paid: Routix) -> None:
    admin = Conversation(paid, "admin")
    chat = Conversation(paid, "carol")
    await admin.send("/quota free 0 month")  # before carol's account opens: she has granted credits only
    await chat.send("/start")
    await admin.send("/grant console:carol 10")
    events = await chat.send('Movie "DUNE"', options=Options(algorithm="premium"))
    assert isinstance(events[-1], ErrorReply) and "not charged" in events[-1].text

    async def refuse_images(event: object) -> None:
        if isinstance(event, ImageReply):
            raise ConnectionError("upload failed")
        chat.events.append(event)  # type: ignore[arg-type]

    chat.reply = refuse_images  # type: ignore[method-assign]
    await chat.send('Movie "DUNE"', options=Options(algorithm="basic"))
    assert chat.events[-1].code == "failed"  # type: ignore[union-attr]
    carol = await paid.store.find_user("console", "carol")
    assert (await paid.store.account(carol.id, utcnow())).balance == 10  # type: ignore[union-attr]
    assert await paid.store.ledger_total(carol.id) == 10  # type: ignore[union-attr]
    history = await paid.store.recent_generations(carol.id, 5)  # type: ignore[union-attr]
    assert {g.status for g in history} == {"failed"} and {g.credit_state for g in history} == {"refunded"}


async def test_admin_commands_are_refused_to_creators_and_audited_for_admins(routix: Routix) -> None:
    creator, admin = Conversation(routix, "eve"), Conversation(routix, "admin")
    for command in ("/grant console:eve 100", "/quota free 99 day", "/tier console:eve pro", "/ban console:admin",
                    "/disable local", "/stats"):
        refusal = (await creator.send(command))[-1]
        assert isinstance(refusal, ErrorReply) and refusal.code == "not_admin", command
    await admin.send("/tier console:eve pro")
    await admin.send("/watermark off")
    await admin.send("/ban console:eve")
    banned = (await creator.send('Vlog "PARIS"'))[-1]
    assert isinstance(banned, ErrorReply) and banned.code == "banned"
    await admin.send("/unban console:eve")
    assert isinstance((await creator.send('Vlog "PARIS"'))[-1], ImageReply)
    stats = (await admin.send("/stats"))[-1]
    assert isinstance(stats, TextReply) and "Users: 2" in stats.text
    actions = [entry.action for entry in await routix.store.audit_entries()]  # type: ignore[attr-defined]
    assert {"tier", "watermark", "ban", "unban"} <= set(actions)


async def test_watermark_follows_the_tier_unless_an_admin_turned_it_off(routix: Routix) -> None:
    free = Conversation(routix, "frank")
    await free.send('Tips "LEARN FAST"')
    assert (await routix.store.get_generation(_id(free.last(ImageReply)))).watermarked  # type: ignore[union-attr]
    await Conversation(routix, "admin").send("/tier console:frank pro")
    await free.send("/regenerate")
    assert not (await routix.store.get_generation(_id(free.last(ImageReply)))).watermarked  # type: ignore[union-attr]
    group = Conversation(routix, "gina", chat="group-1")
    refusal = (await group.send("/watermark off", is_group=True, is_chat_admin=True))[-1]
    assert isinstance(refusal, ErrorReply)  # only Routix admins may remove the free tier's watermark
    refusal = (await group.send("/algorithm local", is_group=True))[-1]
    assert isinstance(refusal, ErrorReply) and refusal.code == "not_chat_admin"
    assert isinstance((await group.send("/algorithm local", is_group=True, is_chat_admin=True))[-1], TextReply)


@pytest.mark.parametrize(("text", "code"), [("", "empty_request"), ("x" * 10_000, "request_too_long"),
                                            ("/nope", "unknown_command"), ("/lang de", "language_usage")])
async def test_bad_input_gets_a_polite_reply(routix: Routix, text: str, code: str) -> None:
    reply = (await Conversation(routix).send(text))[-1]
    assert isinstance(reply, ErrorReply) and reply.code == code and reply.text


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("photo", "reason"),
                         [(b"not an image at all", "isn't an image"), (b"\0" * 21_000_000, "too large"),
                          (b"", "isn't an image"),  # empty: was taken as no photo at all, a picture without it
                          (_png(60_000, 100), "too long and thin")])
async def test_bad_photos_are_refused_before_any_charge(routix: Routix, photo: bytes, reason: str) -> None:
    chat = Conversation(routix)
    reply = (await chat.send("use my photo", photo=photo))[-1]
    assert isinstance(reply, ErrorReply) and reply.code == "bad_image" and reason in reply.text
    assert not [e for e in chat.events if isinstance(e, Working)]  # refused before any job started


async def test_a_photo_becomes_part_of_the_thumbnail(routix: Routix) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1600), (30, 200, 90)).save(buffer, "JPEG")
    image = (await Conversation(routix).send('Vlog "MY DAY"', photo=buffer.getvalue()))[-1]
    assert isinstance(image, ImageReply) and decode(image.image).size == (1280, 720)
    generation = await routix.store.get_generation(_id(image))
    assert generation is not None and generation.photo_key and await routix.blobs.exists(generation.photo_key)


async def test_a_refused_request_keeps_no_photo_of_its_own_but_never_deletes_one_in_use(routix: Routix) -> None:
    """Refused uploads kept until retention's next pass let anyone fill the disk for free; a photo that an
    accepted request stored before (the same bytes) stays, or a stranger could delete it by sending it."""
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1600), (30, 200, 90)).save(buffer, "JPEG")
    photo, key = buffer.getvalue(), routix.blobs.key_of(buffer.getvalue(), "img")
    stranger, owner = Conversation(routix, "mallory"), Conversation(routix, "olga")
    refused = (await stranger.send(f'Vlog "{"LONG " * 30}"', photo=photo))[-1]
    assert isinstance(refused, ErrorReply) and refused.code == "title_too_long"
    assert not await routix.blobs.exists(key), "nothing uses it"
    assert isinstance((await owner.send('Vlog "MY DAY"', photo=photo))[-1], ImageReply)
    assert (await stranger.send(f'Vlog "{"LONG " * 30}"', photo=photo))[-1].code == "title_too_long"  # type: ignore[union-attr]
    assert await routix.blobs.exists(key), "olga's thumbnail uses it"


async def test_unavailable_algorithms_are_listed_but_never_run(routix: Routix) -> None:
    chat = Conversation(routix)
    listing = (await chat.send("/algorithms"))[-1]
    assert isinstance(listing, TextReply) and "basic" in listing.text and "not available" in listing.text
    refusal = (await chat.send('Tech "X"', options=Options(algorithm="pro")))[-1]
    assert isinstance(refusal, ErrorReply) and refusal.code == "algorithm_unavailable"


async def test_a_redelivered_update_is_processed_once(routix: Routix) -> None:
    chat = Conversation(routix)
    await chat.send('Gaming "ONCE"', update_key="console:1")
    await chat.send('Gaming "ONCE"', update_key="console:1")
    assert len([e for e in chat.events if isinstance(e, ImageReply)]) == 1


async def one_person_on_two_platforms(app: Routix) -> tuple[Conversation, Conversation, Conversation]:
    """An admin, and one person's Telegram (4 credits granted) and Discord (6 granted) accounts, not yet joined."""
    admin = Conversation(app, "admin")
    telegram = Conversation(app, "100", platform="telegram")
    discord = Conversation(app, "200", platform="discord")
    await telegram.send("/start")
    await discord.send("/start")
    await admin.send("/grant telegram:100 4")
    await admin.send("/grant discord:200 6")
    return admin, telegram, discord


async def test_link_joins_two_platform_accounts_into_one_balance(routix: Routix) -> None:
    _, telegram, discord = await one_person_on_two_platforms(routix)
    code = (await telegram.send("/link"))[-1].text.split()[3]  # type: ignore[union-attr]
    done = (await discord.send(f"/link {code}"))[-1]
    assert isinstance(done, TextReply) and "20 credits" in done.text  # one allowance of 10 per person, + 4 + 6
    reused = (await discord.send(f"/link {code}"))[-1]
    assert isinstance(reused, ErrorReply) and reused.code == "link_invalid"
    t = await routix.store.find_user("telegram", "100")
    d = await routix.store.find_user("discord", "200")
    assert t is not None and d is not None and t.id == d.id


async def test_linking_both_ways_keeps_one_account_and_admins_reach_it_by_either_id(routix: Routix) -> None:
    """Each side asked for a code and each typed the other's: the second code belonged to an account that had
    joined the other, so it is void (it joined the person to a gone account, and both allowances ended). An
    admin naming the joined account's id, as the audit log prints it, reaches the person."""
    admin, telegram, discord = await one_person_on_two_platforms(routix)
    joined = await routix.store.find_user("discord", "200")
    assert joined is not None
    telegram_code = (await telegram.send("/link"))[-1].text.split()[3]  # type: ignore[union-attr]
    discord_code = (await discord.send("/link"))[-1].text.split()[3]  # type: ignore[union-attr]
    assert "20 credits" in (await discord.send(f"/link {telegram_code}"))[-1].text  # type: ignore[union-attr]
    assert (await telegram.send(f"/link {discord_code}"))[-1].code == "link_invalid"  # type: ignore[union-attr]
    assert "Balance: 20 credits" in (await telegram.send("/credits"))[-1].text  # type: ignore[union-attr]
    assert "Their balance: 25" in (await admin.send(f"/grant {joined.id} 5"))[-1].text  # type: ignore[union-attr]
    await admin.send(f"/ban {joined.id}")
    refused = (await telegram.send('Gaming "STILL HERE"'))[-1]
    assert isinstance(refused, ErrorReply) and refused.code == "banned", refused


async def test_an_account_with_a_job_in_the_making_is_not_linked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Its held allowance would be refunded into the joined account: one person, two allowances."""
    from tests.conftest import make_settings

    slow = SlowLocal()
    app = await started(make_settings(tmp_path), thread_providers({"local": slow, "basic": slow}))
    try:
        telegram, discord = Conversation(app, "100", platform="telegram"), Conversation(app, "200", platform="discord")
        code = (await telegram.send("/link"))[-1].text.split()[3]  # type: ignore[union-attr]
        discord.listen()
        making = asyncio.create_task(discord.send('Gaming "HELD"', options=Options(algorithm="basic")))
        await eventually(lambda: any(isinstance(e, Working) for e in discord.events))
        aside = Conversation(app, "200", platform="discord")  # its answers, without waiting for the job
        await app.service.handle(Incoming("discord", "200", discord.chat, f"/link {code}"), aside.reply)
        assert [getattr(e, "code", None) for e in aside.events] == ["link_busy"]
        slow.gate.set()
        await making
        code = (await telegram.send("/link"))[-1].text.split()[3]  # type: ignore[union-attr]
        done = (await discord.send(f"/link {code}"))[-1]
        assert isinstance(done, TextReply) and "10 credits" in done.text, done  # one allowance, nothing refunded in
    finally:
        slow.gate.set()
        await app.aclose()


async def eventually(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def _id(event: object):  # type: ignore[no-untyped-def]
    import uuid

    return uuid.UUID(hex=event.generation_id)  # type: ignore[attr-defined]


class SlowLocal(LocalProvider):
    """The real renderer behind a gate the test opens, so jobs pile up in the queue."""

    def __init__(self) -> None:
        super().__init__(ThreadPoolExecutor(2))
        self.gate = asyncio.Event()

    async def warm_up(self) -> None:
        return None  # the gate is closed at start-up

    async def generate(self, scene: Scene, finish: Finish) -> Rendered:
        await self.gate.wait()
        return await super().generate(scene, finish)


async def test_waiting_people_see_their_place_and_one_person_cannot_flood(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    slow = SlowLocal()
    app = await started(make_settings(tmp_path, concurrency=1, per_user=2), thread_providers({"local": slow}))
    try:
        people = [Conversation(app, f"p{i}") for i in range(3)]
        tasks = [asyncio.create_task(p.send(f'Vlog "DAY {i}"')) for i, p in enumerate(people)]

        def queued() -> list[str]:
            return sorted(e.text for p in people for e in p.events
                          if isinstance(e, ProgressReply) and e.stage == Stage.QUEUED)

        await eventually(lambda: len(queued()) >= 2)
        await asyncio.sleep(0.1)
        assert queued() == ["⏳ In the queue: you are #1", "⏳ In the queue: you are #2"]  # one runs, two wait
        flood = Conversation(app, "p0", chat="p0-other")
        extra = [asyncio.create_task(flood.send(f'Vlog "MORE {i}"')) for i in range(2)]
        await eventually(lambda: [e for e in flood.events if isinstance(e, ErrorReply)])
        refusal = [e for e in flood.events if isinstance(e, ErrorReply)]
        assert len(refusal) == 1 and refusal[0].code == "too_many_jobs"
        slow.gate.set()
        await asyncio.gather(*tasks, *extra)
        assert all(isinstance(p.events[-1], ImageReply) for p in people)
    finally:
        await app.aclose()


async def test_a_follow_up_sent_while_the_job_runs_refines_that_job(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    slow = SlowLocal()
    app = await started(make_settings(tmp_path), thread_providers({"local": slow}))
    try:
        chat = Conversation(app)
        first = asyncio.create_task(chat.send('Gaming "BOSS DOWN"'))
        await eventually(lambda: [e for e in chat.events if isinstance(e, Working)])
        second = asyncio.create_task(chat.send("make it red"))
        await eventually(lambda: len([e for e in chat.events if isinstance(e, Working)]) >= 2)
        slow.gate.set()
        await asyncio.gather(first, second)
        images = [e for e in chat.events if isinstance(e, ImageReply)]
        assert len(images) == 2, [type(e).__name__ + ":" + getattr(e, "text", "") for e in chat.events]
        made = [await app.store.get_generation(_id(image)) for image in images]
        original = next(g for g in made if g is not None and g.parent_id is None)
        refined = next(g for g in made if g is not None and g.parent_id == original.id)
        assert refined.title == "BOSS DOWN" and refined.scene["colors"][0] == "#e11d48"
    finally:
        await app.aclose()


async def test_a_server_can_limit_the_channels_routix_answers_in(routix: Routix) -> None:
    owner = Conversation(routix, "owner", platform="discord", chat="general")
    await owner.send("/settings channels 111, 222", space_id="guild-1", is_group=True, is_chat_admin=True)
    assert await routix.service.channel_allowed("discord", "guild-1", "111")
    assert not await routix.service.channel_allowed("discord", "guild-1", "general")
    refusal = (await owner.send('Gaming "GG"', space_id="guild-1", is_group=True))[-1]
    assert isinstance(refusal, ErrorReply) and refusal.code == "channel_not_allowed" and "#111, #222" in refusal.text
    _, kept = await routix.store.chat_state("discord", "guild-1", "general")
    assert kept is None, "a refused request leaves nothing behind, not even the channel's conversation"
    allowed = Conversation(routix, "owner", platform="discord", chat="111")
    assert isinstance((await allowed.send('Gaming "GG"', space_id="guild-1", is_group=True))[-1], ImageReply)
    _, kept = await routix.store.chat_state("discord", "guild-1", "111")
    assert kept is not None and kept.last_generation_id is not None
    member = Conversation(routix, "member", platform="discord", chat="111")
    refusal = (await member.send("/settings channels all", space_id="guild-1", is_group=True))[-1]
    assert isinstance(refusal, ErrorReply) and refusal.code == "not_chat_admin"


async def test_in_a_burst_the_first_creator_gets_a_thumbnail_before_the_last_is_admitted(routix: Routix) -> None:
    """Oldest request first on the database: a burst flows as a pipeline, so nobody early waits for the
    whole burst to pass the front door (credits, conversation) before anything renders."""
    order: list[tuple[str, str]] = []
    people = [Conversation(routix, f"burst-{i}") for i in range(30)]
    for person in people:
        person.reply = lambda event, name=person.user: _record(order, name, event)  # type: ignore[method-assign]
    await asyncio.gather(*(person.send(f'Gaming thumbnail "LEVEL {i}"') for i, person in enumerate(people)))
    first_image = next(i for i, (_, kind) in enumerate(order) if kind == "ImageReply")
    last_admitted = max(i for i, (_, kind) in enumerate(order) if kind == "Working")
    assert sum(kind == "ImageReply" for _, kind in order) == 30
    assert first_image < last_admitted


async def _record(order: list[tuple[str, str]], name: str, event: object) -> None:
    order.append((name, type(event).__name__))


async def test_forget_deletes_a_persons_thumbnails_and_files_but_not_their_credits(routix: Routix) -> None:
    from core.messages import ImageReply

    person, other = Conversation(routix, user="zoe"), Conversation(routix, user="kim")
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(photo, "JPEG")
    mine = next(e for e in await person.send('Vlog "MY DAY"', photo=photo.getvalue()) if isinstance(e, ImageReply))
    theirs = next(e for e in await other.send('Vlog "MY DAY"') if isinstance(e, ImageReply))
    asked = (await person.send("/forget"))[-1]
    assert isinstance(asked, TextReply) and "/forget confirm" in asked.text
    made = await routix.store.get_generation(uuid.UUID(hex=mine.generation_id))
    assert made is not None and made.result_key and made.photo_key
    files = (made.result_key, made.photo_key)
    done = (await person.send("/forget confirm"))[-1]
    assert isinstance(done, TextReply) and "thumbnails 1" in done.text
    assert await routix.store.recent_generations((await person_user(routix, "zoe")).id, 10) == []
    assert [await routix.blobs.exists(key) for key in files] == [False, False], "the picture and the photo are gone"
    history = (await person.send("/history"))[-1]
    assert isinstance(history, TextReply) and "MY DAY" not in history.text
    gone = (await person.send(button=mine.buttons[0][0].action))[-1]
    assert isinstance(gone, ErrorReply) and gone.code == "generation_gone"
    assert "Balance: 10 credits" in (await person.send("/credits"))[-1].text  # type: ignore[union-attr]
    kept = await routix.store.get_generation(uuid.UUID(hex=theirs.generation_id))
    assert kept is not None and kept.result_key and await routix.blobs.exists(kept.result_key), "others keep theirs"


async def person_user(routix: Routix, name: str):  # type: ignore[no-untyped-def]
    user = await routix.store.find_user("console", name)
    assert user is not None
    return user


async def test_presses_of_original_at_once_keep_to_the_per_person_limit(tmp_path, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    """"Original" holds no credits, so no credit row queued one person's accepts on PostgreSQL: twelve presses at
    once all counted the same unfinished jobs and passed JOBS_PER_USER."""
    from core.actions import action
    from tests.conftest import drop_postgres_schema, fresh_postgres_schema, make_settings

    schema, url = await fresh_postgres_schema(postgres_url)
    slow = SlowLocal()
    slow.gate.set()
    app = await started(make_settings(tmp_path / "data", database_url=url, per_user=3),
                        thread_providers({"local": slow}))
    try:
        chat = Conversation(app, "u1", platform="discord", chat="dm-1")
        await chat.send('Gaming thumbnail "ONE"')
        user = await app.store.find_user("discord", "u1")
        assert user is not None
        generation = (await app.store.recent_generations(user.id, 1))[0]
        slow.gate.clear()
        press, before = action("orig", generation.id), len(chat.events)
        await asyncio.gather(*(app.service.handle(Incoming("discord", "u1", "dm-1", button=press,
                                                           update_key=f"discord:press-{i}"), chat.reply)
                               for i in range(12)))
        assert sum(isinstance(e, Working) for e in chat.events[before:]) == 3
        slow.gate.set()
        await app.idle()
    finally:
        slow.gate.set()
        await app.aclose()
        await drop_postgres_schema(postgres_url, schema)


async def test_a_result_s_buttons_keep_to_the_server_s_channels(routix: Routix) -> None:
    """After /settings channels, an older result's buttons in another channel drew there all the same."""
    from core.actions import action

    guild = {"is_group": True, "space_id": "g1"}
    member = Conversation(routix, "m", platform="discord", chat="c-general")
    owner = Conversation(routix, "o", platform="discord", chat="c-bots")
    await member.send('Gaming "OLD"', **guild)
    user = await routix.store.find_user("discord", "m")
    assert user is not None
    old = (await routix.store.recent_generations(user.id, 1))[0]
    await owner.send("/settings channels c-bots", is_chat_admin=True, **guild)
    for verb in ("vars", "regen", "orig"):
        pressed = await member.send(button=action(verb, old.id), **guild)
        assert [getattr(e, "code", None) for e in pressed] == ["channel_not_allowed"], (verb, pressed)
    there = Conversation(routix, "m", platform="discord", chat="c-bots")
    made = next(e for e in await there.send('Gaming "NEW"', **guild) if isinstance(e, ImageReply))
    again = await there.send(button=action("regen", _id(made)), **guild)
    assert [e for e in again if isinstance(e, ImageReply)], "in the allowed channel a button draws"


async def test_a_caption_says_which_title_characters_no_font_draws(routix: Routix) -> None:
    """Emoji and CJK are left out of the picture (never tofu): the creator is told, not left to wonder."""
    image = next(e for e in await Conversation(routix).send('Gaming "🔥 I WON 我"') if isinstance(e, ImageReply))
    assert "🔥 我" in image.caption and "left out of the picture" in image.caption
    plain = next(e for e in await Conversation(routix, "bo").send('Gaming "I WON"') if isinstance(e, ImageReply))
    assert "left out" not in plain.caption
