"""A hostile or careless person against the real core: forged buttons, invisible text, broken photos, floods."""

from __future__ import annotations

import asyncio
import io
import uuid
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from bots.bootstrap import Routix
from bots.settings import LimitSettings, Settings
from core.credits import utcnow
from core.messages import AlbumReply, DocumentReply, ErrorReply, ImageReply, Options, TextReply, Working
from tests.conftest import Conversation, PaidLocal, make_settings, started, thread_providers

INVISIBLE = "\u200b\u200e\u2066\u2069\u202e\ufeff\u00ad\u2060\u3164 \u200c\u200d"


def actions_of(image: ImageReply) -> dict[str, str]:
    return {b.action.split(":")[1]: b.action for row in image.buttons for b in row}


async def balance(app: Routix, platform: str, user: str) -> int:
    person = await app.store.find_user(platform, user)
    assert person is not None
    return (await app.store.account(person.id, utcnow())).balance


async def generations_of(app: Routix, platform: str, user: str) -> int:
    person = await app.store.find_user(platform, user)
    return len(await app.store.recent_generations(person.id, 100)) if person else 0


async def test_a_button_from_another_chat_gets_nothing_of_the_owners(routix: Routix) -> None:
    alice, mallory = Conversation(routix, "alice"), Conversation(routix, "mallory")
    await alice.send('Gaming "SECRET PLAN"')
    image = alice.last(ImageReply)
    await mallory.send("/start")
    for data in actions_of(image).values():  # type: ignore[arg-type]
        answer = await mallory.send(button=data)
        assert [type(e) for e in answer] == [ErrorReply] and answer[0].code == "generation_gone", data
        assert "no longer available" in answer[0].text
    assert not [e for e in mallory.events if isinstance(e, ImageReply | AlbumReply | DocumentReply | Working)]
    assert await generations_of(routix, "console", "mallory") == 0
    assert await generations_of(routix, "console", "alice") == 1, "nothing re-ran in alice's name"


async def test_in_a_private_chat_only_the_person_it_belongs_to_may_press(routix: Routix) -> None:
    owner = Conversation(routix, "owner", chat="dm-1")
    await owner.send('Vlog "MY TRIP"')
    stranger = Conversation(routix, "stranger", chat="dm-1")  # same chat id, another person, not a group
    answer = await stranger.send(button=actions_of(owner.last(ImageReply))["orig"])  # type: ignore[arg-type]
    assert [type(e) for e in answer] == [ErrorReply]
    mine = await owner.send(button=actions_of(owner.last(ImageReply))["orig"])  # type: ignore[arg-type]
    assert isinstance(mine[-1], DocumentReply), "the owner's own button still works"


async def test_in_a_group_anyone_may_press_and_pays_for_it_themselves(settings: Settings) -> None:
    app = await started(settings, thread_providers({"basic": PaidLocal(ThreadPoolExecutor(2))}))
    try:
        group = {"is_group": True, "space_id": "group-9"}
        alice, bob = Conversation(app, "alice", chat="group-9"), Conversation(app, "bob", chat="group-9")
        await bob.send("/start", **group)
        await alice.send('Tech "NEW CHIP"', options=Options(algorithm="basic"), **group)
        alice_left = await balance(app, "console", "alice")
        regenerated = await bob.send(button=actions_of(alice.last(ImageReply))["regen"], **group)  # type: ignore[arg-type]
        assert isinstance(regenerated[-1], ImageReply)
        assert await balance(app, "console", "alice") == alice_left, "the presser pays, not the owner"
        assert await balance(app, "console", "bob") == 10 - 1
    finally:
        await app.aclose()


async def test_buttons_reject_anything_this_bot_could_not_have_sent(routix: Routix) -> None:
    chat = Conversation(routix)
    await chat.send('Gaming "REAL"')
    real = actions_of(chat.last(ImageReply))["regen"]  # type: ignore[arg-type]
    for forged in ("rx:regen:" + real.split(":")[2].upper(), real + ":extra", "rx:delete:" + real.split(":")[2],
                   "rx:algo:" + real.split(":")[2], "rx:regen:" + uuid.uuid4().hex, "x" * 5000, "rx::", ""):
        answer = await chat.send(button=forged)
        assert [e.code for e in answer if isinstance(e, ErrorReply)] == ["generation_gone"], forged
    assert await generations_of(routix, "console", "alice") == 1


async def test_invisible_text_is_not_a_request_and_titles_never_carry_it(routix: Routix) -> None:
    chat = Conversation(routix)
    refusal = await chat.send(INVISIBLE)
    assert [e.code for e in refusal if isinstance(e, ErrorReply)] == ["empty_request"]
    quoted = await chat.send('\u202eGaming "\u200bI\u2066 WON\u200f"')
    image = quoted[-1]
    assert isinstance(image, ImageReply)
    generation = await routix.store.get_generation(uuid.UUID(hex=image.generation_id))
    assert generation is not None and generation.title == "I WON"
    titled = await chat.send("a new one", options=Options(title=INVISIBLE))
    generation = await routix.store.get_generation(uuid.UUID(hex=titled[-1].generation_id))  # type: ignore[union-attr]
    assert generation is not None and generation.title.strip() and "\u200b" not in generation.title
    persian = await chat.send("/new")
    persian = await chat.send("تامبنیل «می‌روم»")
    generation = await routix.store.get_generation(uuid.UUID(hex=persian[-1].generation_id))  # type: ignore[union-attr]
    assert generation is not None and generation.title == "می\u200cروم", "the joiner inside a Persian word stays"


def truncated_photo() -> bytes:
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((1600, 1200)).convert("RGB").save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    return data[: len(data) * 2 // 3]  # the header is intact, the picture data cut off


async def test_a_truncated_photo_is_refused_and_rendering_goes_on_for_everyone(routix: Routix) -> None:
    sender, other = Conversation(routix, "sender"), Conversation(routix, "other")
    refusal = await sender.send("my photo please", photo=truncated_photo())
    assert [e.code for e in refusal if isinstance(e, ErrorReply)] == ["bad_image"]
    assert not [e for e in refusal if isinstance(e, Working)], "refused before a job started"
    assert await generations_of(routix, "console", "sender") == 0
    assert isinstance((await other.send('Vlog "STILL WORKS"'))[-1], ImageReply)
    assert isinstance((await sender.send('Vlog "AND ME"'))[-1], ImageReply)


async def test_a_flood_from_one_person_is_answered_once_and_then_ignored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path / "data")
    settings.limits = LimitSettings(messages_per_second=0.5, message_burst=3)  # slow: a loaded machine stays inside it
    app = await started(settings, thread_providers())
    try:
        flooder, calm = Conversation(app, "flooder"), Conversation(app, "calm")
        results = [await flooder.send("/credits") for _ in range(12)]
        answered = [events for events in results if events]
        assert [type(events[0]) for events in answered] == [TextReply] * 3 + [ErrorReply]
        assert answered[-1][0].code == "too_fast" and "wait" in answered[-1][0].text  # type: ignore[attr-defined]
        assert isinstance((await calm.send("/credits"))[0], TextReply), "other people are not affected"
        await asyncio.sleep(2.1)  # the bucket refills one message every 2 seconds
        assert isinstance((await flooder.send("/credits"))[0], TextReply)
        persian = Conversation(app, "persian", locale="fa")
        answers = [await persian.send("/credits") for _ in range(5)]
        warning = next(e for events in answers for e in events if isinstance(e, ErrorReply))
        assert "صبر" in warning.text, "the warning is in the person's language"
        assert len(await app.store.audit_entries()) == 0
    finally:
        await app.aclose()


async def test_admins_are_never_flood_limited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path / "data")
    settings.limits = LimitSettings(messages_per_second=1, message_burst=1)
    app = await started(settings, thread_providers())
    try:
        admin = Conversation(app, "admin")
        answers = [await admin.send("/credits") for _ in range(6)]
        assert all(isinstance(events[0], TextReply) for events in answers)
    finally:
        await app.aclose()
