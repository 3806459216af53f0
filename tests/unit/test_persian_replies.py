"""What a Persian speaker sees: their digits typed and shown, Persian words where English leaked, and lines that
stay right to left around English titles, names and commands. Driven through the real core on the memory store.

Line direction is checked the way renderers decide it (the first strong character, isolates skipped: Unicode's
rules P2/P3) and, where the system has libfribidi (the library Telegram's and most Linux clients use), by its
visual order: a command must show as "/help", not "help/".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import string
import unicodedata
import uuid

import pytest

from bots.bootstrap import Routix
from core.algorithms import SEED_ALGORITHMS
from core.credits import utcnow
from core.i18n import TEXTS, translate
from core.messages import ImageReply
from core.ports import PaidCall
from tests.conftest import Conversation, text_of
from tests.fakes.memory_store import MemoryStore, _StoredCall

LRM, FSI, PDI = "\u200e", "\u2068", "\u2069"
LATIN_DIGIT = re.compile("[0-9]")
PERSIAN = re.compile("[\u0600-\u06ff]")
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")




def direction(line: str) -> str:
    """A line's direction as a renderer picks it: its first strong character outside isolates (P2/P3)."""
    depth = 0
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
        elif kind == "PDI":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind in ("L", "R", "AL"):
            return "ltr" if kind == "L" else "rtl"
    return "none"


def _fribidi() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


FRIBIDI = _fribidi()


def visual(line: str) -> tuple[str, str]:
    """(what the screen shows left to right, the paragraph's direction) by libfribidi, direction automatic."""
    assert FRIBIDI is not None
    logical = (ctypes.c_uint32 * len(line))(*map(ord, line))
    shown = (ctypes.c_uint32 * len(line))()
    base = ctypes.c_uint32(0x40)  # FRIBIDI_PAR_ON: from the first strong character
    FRIBIDI.fribidi_log2vis(logical, len(line), ctypes.byref(base), shown, None, None, None)
    return "".join(map(chr, shown)), {0x110: "ltr", 0x111: "rtl"}.get(base.value, hex(base.value))


def commands_in(line: str) -> list[str]:
    """The commands a Persian line writes: from an LRM to the next mark or Persian letter."""
    return [found.rstrip() for found in re.findall("\u200e(/[^\u0600-\u06ff\u200e\u200f\u2068\u2069]*)", line)]


def persian_sample(key: str) -> str:
    """The Persian text with English in every text placeholder and numbers in the number ones."""
    names = {name for _, name, _, _ in string.Formatter().parse(TEXTS[key]["fa"]) if name}
    numeric = {"amount", "balance", "cost", "count", "credits", "files", "length", "limit", "minutes", "most",
               "position", "quota", "allowance", "granted", "users", "generations", "completed", "failed", "spent",
               "queued", "running", "size"}
    values: dict[str, object] = {name: 12 if name in numeric else "I WON 2" for name in names}
    if "commands" in names:  # /help's list: a line per command
        values["commands"] = "\n".join([persian_sample("help_line")] * 2)
    return translate("fa", key, **values)


# -- digits typed on a Persian keyboard ----------------------------------------------------------------------------

async def test_budget_takes_persian_digits_and_answers_in_them(app: Routix) -> None:
    admin = Conversation(app, "admin", locale="fa")
    answer = text_of(await admin.send("/budget all ۵ day"))
    assert answer.startswith("بودجهٔ") and "۵٫۰۰ دلار در هر روز" in answer and "۰٫۰۰۰ دلار" in answer
    assert not LATIN_DIGIT.search(answer) and "$" not in answer
    assert "۲٫۵۰ دلار در هر ماه" in text_of(await admin.send("/budget all ٢٫٥ month"))  # Arabic-Indic digits
    listing = text_of(await admin.send("/budget"))
    assert listing.startswith("بودجه‌ها:") and "۰٫۰۰۰ از ۲٫۵۰ دلار در هر ماه" in listing
    assert not LATIN_DIGIT.search(listing) and "$" not in listing and " per " not in listing


async def test_budget_in_english_keeps_its_dollars(app: Routix) -> None:
    admin = Conversation(app, "admin")
    assert text_of(await admin.send("/budget all ۵ day")).startswith("Budget for all: $5.00 per day.")
    assert text_of(await admin.send("/budget")) == "Budgets: all $0.000 / $5.00 per day"


async def test_stats_show_ai_spend_in_persian_digits(app: Routix) -> None:
    store = app.store
    assert isinstance(store, MemoryStore)
    call = PaidCall(uuid.uuid4(), uuid.uuid4(), "openai", "basic", "gpt-image-1-mini", "low", 0.12, utcnow())
    store._state.calls[call.id] = _StoredCall(call, 0.12, outcome="ok")  # a paid picture already on the books
    spend = text_of(await Conversation(app, "admin", locale="fa").send("/stats")).splitlines()[1]
    assert "۰٫۱۲۰ دلار" in spend and f"{FSI}openai/basic{PDI} ۰٫۱۲۰ دلار (۱)" in spend
    assert not LATIN_DIGIT.search(spend) and "$" not in spend
    english = text_of(await Conversation(app, "admin").send("/stats")).splitlines()[1]
    assert english == "AI spend today: $0.120: openai/basic $0.120 (1) · this month: $0.120: openai/basic $0.120 (1)"


async def test_a_link_code_typed_with_persian_digits_links(app: Routix) -> None:
    telegram = Conversation(app, "100", platform="telegram", locale="fa")
    discord = Conversation(app, "200", platform="discord", locale="fa")
    await telegram.send("/start")
    [code] = set(re.findall("[A-Z2-9]{8}", text_of(await discord.send("/link"))))
    answer = text_of(await telegram.send(f"/link {code.lower().translate(TO_PERSIAN)}"))
    assert answer.startswith("متصل شد!")


async def test_user_references_take_persian_and_arabic_digits(app: Routix) -> None:
    await Conversation(app, "100", platform="telegram").send("/start")
    admin = Conversation(app, "admin")
    granted = text_of(await admin.send("/grant telegram:۱۰۰ ۵"))
    assert granted == "Granted 5 credits to telegram:100. Their balance: 15."
    assert text_of(await admin.send("/ban telegram:" + "100".translate(TO_ARABIC))) == "telegram:100 is banned."


# -- English a Persian speaker should not see, and English that should read right -----------------------------

async def test_algorithms_are_described_in_persian(app: Routix) -> None:
    lines = text_of(await Conversation(app, "sara", locale="fa").send("/algorithms")).splitlines()
    assert len(lines) == 1 + len(SEED_ALGORITHMS)
    for line, algorithm in zip(lines[1:], SEED_ALGORITHMS, strict=True):
        assert algorithm.description not in line
        description = line.split(" اعتبار. ")[1]
        assert PERSIAN.search(description) and not re.search("[A-Za-z]{3}", description), line


async def test_forget_counts_read_right_for_one(app: Routix) -> None:
    chat = Conversation(app, "zoe")
    await chat.send('Vlog "MY DAY"')
    answer = text_of(await chat.send("/forget confirm"))
    assert "Deleted: thumbnails 1, files" in answer and "1 thumbnails" not in answer and "1 files" not in answer


# -- right to left --------------------------------------------------------------------------------------------

async def test_persian_replies_stay_right_to_left_around_english(app: Routix) -> None:
    chat = Conversation(app, "Sara", locale="fa")
    welcome = text_of(await chat.send("/start"))
    assert f"{LRM}/help" in welcome.splitlines()[1]
    made = [event for event in await chat.send('Gaming thumbnail "I WON"') if isinstance(event, ImageReply)]
    caption = made[0].caption
    assert direction(caption) == "rtl" and f"«{FSI}I WON{PDI}»" in caption and f"{FSI}Local{PDI}" in caption
    history = text_of(await chat.send("/history")).splitlines()
    algorithms = text_of(await chat.send("/algorithms")).splitlines()
    help_lines = text_of(await chat.send("/help")).splitlines()
    for line in [welcome, caption, *history, *algorithms, *help_lines]:
        assert not line or direction(line) == "rtl", line


def test_every_persian_text_reads_right_to_left_with_english_in_it() -> None:
    for key in TEXTS:
        for line in persian_sample(key).splitlines():
            if any(char.isalpha() for char in line):  # a line of only signs (", ") takes its neighbours' direction
                assert direction(line) == "rtl", (key, line)
                assert not re.search("(?<!\u200e)/[a-z]", line), (key, line)  # an LRM keeps "/x" from turning


@pytest.mark.skipif(FRIBIDI is None, reason="libfribidi is not installed")
def test_persian_texts_show_commands_whole_and_lines_right_to_left() -> None:
    for key in TEXTS:
        for line in persian_sample(key).splitlines():
            if not any(char.isalpha() for char in line):
                continue
            shown, paragraph = visual(line)
            assert paragraph == "rtl", (key, shown)
            for command in commands_in(line):
                assert command in shown, (key, command, shown)  # "/help", not "help/"
