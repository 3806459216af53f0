"""A thumbnail title is capped at MAX_TITLE_CHARS however it is given (quoted, renamed, as an option): a longer one
is refused politely, in the person's language, at no cost. (Fitting a 1,600-character title kept a render worker
busy for a minute.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bots.bootstrap import Routix
from bots.settings import Settings
from core.messages import MAX_TITLE_CHARS, ErrorReply, ImageReply, Options, Outgoing
from tests.conftest import Conversation, started
from tests.fakes.memory_store import MemoryStore

LONGEST = ("WIN " * 25).strip()[:MAX_TITLE_CHARS]  # just at the cap
TOO_LONG = "WIN " * 200  # 800 characters


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Routix]:
    built = await started(settings, store=MemoryStore())
    yield built
    await built.aclose()


def refusal(events: list[Outgoing]) -> ErrorReply:
    assert not [event for event in events if isinstance(event, ImageReply)], "no thumbnail for a refused title"
    last = events[-1]
    assert isinstance(last, ErrorReply) and last.code == "title_too_long", last
    return last


async def test_a_quoted_title_past_the_cap_is_refused_politely_at_no_cost(app: Routix) -> None:
    chat = Conversation(app, "alice")
    before = (await chat.send("/credits"))[-1]
    refused = refusal(await chat.send(f'Gaming thumbnail "{TOO_LONG}"'))
    assert refused.text.startswith("That title is too long for a thumbnail (799 characters)")
    assert f"{MAX_TITLE_CHARS} characters or fewer" in refused.text and "Nothing was charged" in refused.text
    assert (await chat.send("/credits"))[-1] == before
    image = (await chat.send(f'Gaming thumbnail "{LONGEST}"'))[-1]
    assert isinstance(image, ImageReply) and LONGEST in image.caption


async def test_the_refusal_is_in_the_persons_language(app: Routix) -> None:
    chat = Conversation(app, "dara", locale="fa")
    assert refusal(await chat.send(f'تامبنیل گیمینگ «{"برد " * 60}»')).text.startswith("این عنوان برای تامبنیل")


async def test_renaming_or_an_option_cannot_get_past_the_cap(app: Routix) -> None:
    chat = Conversation(app, "carol")
    assert isinstance((await chat.send('Gaming thumbnail "GG"'))[-1], ImageReply)
    refusal(await chat.send(f"change the title to {' '.join(['Unbelievable'] * 9)}"))  # a rename: few, long words
    refusal(await chat.send("Gaming thumbnail", options=Options(title=TOO_LONG)))
    kept = (await chat.send("make it red"))[-1]  # the refused rename left the last thumbnail as it was
    assert isinstance(kept, ImageReply) and '"GG"' in kept.caption


@pytest.mark.parametrize("request_text", [
    "東京の夜景を撮影した美しいビデオのサムネイルを作ってください" * 4,  # a script written without spaces
    "review of https://example.com/" + "a" * 120 + " gadget",  # a word longer than the cap
])
async def test_a_long_request_without_a_title_gets_a_thumbnail_not_a_refusal(app: Routix, request_text: str) -> None:
    """Only a title the person gave is refused for its length: the one derived from the request is shortened."""
    events = await Conversation(app, "kai").send(request_text)
    image = next(event for event in events if isinstance(event, ImageReply))
    assert len(image.caption.split('"')[1]) <= MAX_TITLE_CHARS
