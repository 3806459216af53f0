"""A prompt becomes a Scene the way the bot does it (analysis -> template -> Scene), checked against what a designer
would draw: the layout that means what the request says, and the thing it is about.

Layouts: VERSUS only for a comparison, LIST only for a numbered list, PLAIN (headline, split, framed, minimal)
otherwise; a photo request gets a layout that shows the photo large (PHOTO), or versus when it compares.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import uuid
from types import SimpleNamespace
from typing import NamedTuple

import pytest

from core.analysis import KeywordAnalyzer
from core.domain import Algorithm, Generation, Template
from core.pipeline import _scene
from core.rendering import Finish, Scene, render_local
from core.rendering.motifs import MOTIFS, PHOTO
from core.requests import Request, Requests, scene_for, stable_seed, template_for
from core.templates import SEED_TEMPLATES

VERSUS, LIST = {"versus"}, {"listicle"}
PLAIN = {"headline", "split", "framed", "minimal"}
PHOTO_LARGE = {"headline", "split", "framed"}


class Case(NamedTuple):
    prompt: str
    layouts: set[str]
    motifs: tuple[str, ...]
    sides: tuple[str, ...] = ()
    photo: bool = False
    badge: str | None = None  # checked when given: a list shows its count


CASES = [
    # What the video is about, no comparison, no count: the subject, never a comparison.
    Case("tech review of a new phone", PLAIN, ("phone",)),
    Case("coding tutorial python", PLAIN, ("code",)),
    Case("horror story narration", PLAIN, ("ghost",)),
    Case("my morning routine", PLAIN, ("sun",)),
    Case("gym workout for beginners at home", PLAIN, ("dumbbell",)),
    Case("how I made $10,000 in one month", PLAIN, ("money",)),
    Case("24 hours in Tokyo", PLAIN, ("torii",)),
    Case("easy pasta recipe for dinner", PLAIN, ("pasta",)),
    Case("learn guitar in 30 days", PLAIN, ("guitar",)),
    Case("best camera for vlogging in 2024", PLAIN, ("camera",)),
    Case("SpaceX rocket launch explained", PLAIN, ("rocket",)),
    Case("my dream car finally arrived", PLAIN, ("car",)),
    Case("budget gaming laptop review", PLAIN, ("laptop",)),
    Case("book summary: atomic habits", PLAIN, ("book",)),
    Case("homemade pizza from scratch", PLAIN, ("pizza",)),
    Case("the perfect cup of coffee", PLAIN, ("coffee",)),
    Case("flying business class for the first time", PLAIN, ("plane",)),
    Case("hiking the Alps alone", PLAIN, ("mountain",)),
    Case("hidden beaches of Bali", PLAIN, ("beach",)),
    Case("how to know she loves you", PLAIN, ("heart",)),
    Case("I won my first tournament", PLAIN, ("trophy",)),
    Case("why the king lost his crown", PLAIN, ("crown",)),
    Case("the most dangerous places on earth", PLAIN, ("skull",)),
    Case("how your brain tricks you", PLAIN, ("brain",)),
    Case("chemistry experiments at home", PLAIN, ("flask",)),
    Case("minecraft hardcore survival", PLAIN, ("gamepad",)),
    Case("true crime: the unsolved case", PLAIN, ("magnifier",)),
    Case("cute cat compilation", PLAIN, ("paw",)),
    Case("my skincare routine", PLAIN, ("sparkles",)),
    Case("winter fashion haul", PLAIN, ("shirt",)),
    Case("learn english fast", PLAIN, ("globe",)),
    Case("podcast with a startup founder", PLAIN, ("mic",)),
    Case("stock market for beginners", PLAIN, ("chart",)),
    Case("bitcoin price prediction", PLAIN, ("crypto",)),
    Case("apartment makeover on a budget", PLAIN, ("house",)),
    Case("movie trailer breakdown", PLAIN, ("clapper",)),
    Case("reacting to my old videos", PLAIN, ("wow",)),
    Case("cyber security basics", PLAIN, ("lock",)),
    Case("machine learning explained simply", PLAIN, ("robot",)),
    Case("mars colony: is it possible?", PLAIN, ("planet",)),
    Case("zzz qqq", PLAIN, ("play",)),  # nothing is known: the play button, and only then
    # Numbers that count nothing: a challenge, a model, a game's title.
    Case("I survived 100 days in hardcore minecraft", PLAIN, ("gamepad",)),
    Case("iPhone 15 Pro review", PLAIN, ("phone",)),
    Case("GTA 5 funny moments", PLAIN, ("gamepad",)),
    # Sayings with "or" compare nothing.
    Case("24 hour do or die fitness challenge", PLAIN, ("dumbbell",)),
    # Numbered lists.
    Case("10 money mistakes to avoid", LIST, ("money",), badge="10"),
    Case("top 5 hidden beaches", LIST, ("beach",), badge="5"),
    Case("7 healthy breakfast ideas", LIST, ("plate",), badge="7"),
    Case("five ways to save money", LIST, ("coin",), badge="5"),
    Case("3 exercises for a strong back", LIST, ("dumbbell",), badge="3"),
    Case("top 10 anime fights", LIST, ("swords",), badge="10"),
    Case("12 tips to learn python faster", LIST, ("code",), badge="12"),
    Case("Ten Tricks Nobody Knows About iPhone", LIST, ("phone",), badge="10"),
    # Comparisons: each side its own thing, named.
    Case("iPhone vs Android", VERSUS, ("phone", "robot"), ("iPhone", "Android")),
    Case("cheap vs expensive sushi", VERSUS, ("sushi", "sushi"), ("cheap", "expensive")),
    Case("PS5 or Xbox: which one should you buy?", VERSUS, ("gamepad", "gamepad"), ("PS5", "Xbox")),
    Case("pizza vs pasta", VERSUS, ("pizza", "pasta"), ("pizza", "pasta")),
    Case("guitar vs piano for beginners", VERSUS, ("guitar", "piano"), ("guitar", "piano")),
    Case("rich vs poor", VERSUS, ("diamond", "coin"), ("rich", "poor")),
    Case("noob vs pro in minecraft", VERSUS, ("person", "crown"), ("noob", "pro")),
    Case("cat or dog: which is better", VERSUS, ("paw", "paw"), ("cat", "dog")),
    Case("Messi vs Ronaldo", VERSUS, ("football", "football"), ("Messi", "Ronaldo")),
    Case("room makeover before and after", VERSUS, ("house", "house"), ("before", "after")),
    Case("$1 burger vs $100 burger", VERSUS, ("burger", "burger"), ("$1", "$100")),
    Case("coffee or tea?", VERSUS, ("coffee", "coffee"), ("coffee", "tea")),
    Case("compare python and javascript", VERSUS, ("code", "code"), ("python", "javascript")),
    Case("city vs village life", VERSUS, ("city", "house"), ("city", "village life")),
    Case("I tested cheap vs expensive headphones", VERSUS, ("headphones", "headphones"), ("cheap", "expensive")),
    # Persian.
    Case("بررسی گوشی جدید سامسونگ", PLAIN, ("phone",)),
    Case("آموزش برنامه‌نویسی پایتون", PLAIN, ("code",)),
    Case("داستان ترسناک واقعی", PLAIN, ("ghost",)),
    Case("سفر به توکیو", PLAIN, ("torii",)),
    Case("آموزش آشپزی پاستا", PLAIN, ("pasta",)),
    Case("تمرین بدنسازی در خانه", PLAIN, ("dumbbell",)),
    Case("بررسی آیفون ۱۵", PLAIN, ("phone",)),
    Case("ولاگ سفر به شیراز", PLAIN, ("suitcase",)),
    Case("آموزش ریاضی برای کنکور", PLAIN, ("math",)),
    Case("موسیقی آرامش بخش برای خواب", PLAIN, ("notes",)),
    Case("رازهای موفقیت در بورس", PLAIN, ("chart",)),
    Case("۱۰ اشتباه مالی که باید بدانید", LIST, ("money",), badge="۱۰"),
    Case("۵ نکته برای یادگیری زبان انگلیسی", LIST, ("globe",), badge="۵"),
    Case("پنج روش پولدار شدن", LIST, ("money",), badge="۵"),
    Case("آیفون یا اندروید؟", VERSUS, ("phone", "robot"), ("آیفون", "اندروید")),
    Case("سوشی ارزان یا گران", VERSUS, ("sushi", "sushi"), ("ارزان", "گران")),
    Case("مقایسه پیتزا و پاستا", VERSUS, ("pizza", "pasta"), ("پیتزا", "پاستا")),
    Case("قبل و بعد از رژیم", VERSUS, ("apple", "apple"), ("قبل", "بعد")),
    Case("Xbox یا PlayStation؟", VERSUS, ("gamepad", "gamepad"), ("Xbox", "PlayStation")),
    # The creator sent a photo: it is shown large; a comparison puts it on its own side.
    Case("my trip to Japan", PHOTO_LARGE, ("torii",), photo=True),
    Case("10 tips for better selfies", PHOTO_LARGE, ("person",), photo=True, badge="10"),
    Case("gaming setup tour", PHOTO_LARGE, ("laptop",), photo=True),
    Case("", PHOTO_LARGE, ("play",), photo=True),
    Case("before and after my weight loss", VERSUS, (PHOTO, PHOTO), ("before", "after"), photo=True),
    Case("me vs my brother", VERSUS, (PHOTO, "person"), ("me", "my brother"), photo=True),
    Case("iPhone vs Android camera test", VERSUS, (PHOTO, "robot"), ("iPhone", "Android"), photo=True),
]


def plan(prompt: str, photo: bool = False, templates: tuple[Template, ...] = SEED_TEMPLATES) -> tuple[Template, Scene]:
    """What Requests.on_request and generate do: analyse (a photo alone reads as "photo"), choose, build."""
    analysis = KeywordAnalyzer().analyze(prompt or "photo", "en")
    request = Request(prompt, analysis, stable_seed(prompt), photo_key="blob-key" if photo else None)
    template = template_for(request, templates)
    return template, scene_for(request, template, request.seed)


def test_the_table_is_large_and_mixed() -> None:
    assert len(CASES) >= 60
    assert sum(any("\u0600" <= ch <= "\u06ff" for ch in case.prompt) for case in CASES) >= 15
    assert {m for case in CASES for m in case.motifs} - {PHOTO} <= set(MOTIFS)
    assert len({m for case in CASES for m in case.motifs}) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.prompt or "(photo only)" for c in CASES])
def test_a_prompt_gets_the_layout_and_subject_a_designer_would_pick(case: Case) -> None:
    template, scene = plan(case.prompt, case.photo)
    assert scene.layout in case.layouts, (scene.layout, template.id)
    assert scene.motifs == case.motifs
    assert scene.sides == case.sides
    if case.badge is not None:
        assert scene.badge == case.badge
    assert scene.palette == template.palette


def test_the_three_prompts_of_the_report_no_longer_compare_anything() -> None:
    for prompt in ("tech review of a new phone", "coding tutorial python", "horror story narration"):
        _template, scene = plan(prompt)
        assert scene.layout not in ("versus", "listicle") and "play" not in scene.motifs


def test_a_library_without_a_fitting_template_still_draws_no_comparison() -> None:
    only_versus = tuple(t for t in SEED_TEMPLATES if t.layout == "versus")
    template, scene = plan("tech review of a new phone", templates=only_versus)
    assert template.layout == "versus" and scene.layout == "headline"
    assert scene.palette == template.palette


def test_a_comparison_wins_over_a_count_and_a_photo_over_a_list() -> None:
    assert plan("top 5 cheap vs expensive gadgets")[1].layout == "versus"
    assert plan("top 5 hidden beaches", photo=True)[1].layout in PHOTO_LARGE


def test_the_same_prompt_and_seed_give_the_same_scene_and_picture() -> None:
    first, second = plan("iPhone vs Android")[1], plan("iPhone vs Android")[1]
    assert first == second
    finish = Finish(keep_original=False)
    assert render_local(first, finish).jpeg == render_local(second, finish).jpeg


def _plan_generation(request: Request, template: Template) -> Generation:
    """Requests._plan, the method generate calls for each picture, with just enough of a turn around it."""
    turn = SimpleNamespace(user=SimpleNamespace(id=uuid.uuid4()),
                           incoming=SimpleNamespace(platform="telegram", chat_id="chat"))
    algorithm = Algorithm("local", "Local", "drawn here", 0, "local")
    return Requests._plan(None, turn, SimpleNamespace(id=uuid.uuid4()), request, algorithm,  # type: ignore[arg-type]
                          template, request.seed, Finish(watermark_text=None))


def test_the_stored_scene_loads_back_from_json_and_pickles() -> None:
    analysis = KeywordAnalyzer().analyze("سوشی ارزان یا گران")
    request = Request("سوشی ارزان یا گران", analysis, 12)
    template = template_for(request, SEED_TEMPLATES)
    generation = _plan_generation(request, template)
    stored = dataclasses.replace(generation, scene=json.loads(json.dumps(generation.scene, ensure_ascii=False)))
    loaded = _scene(stored, None)
    assert loaded == scene_for(request, template, 12)
    assert loaded.motifs == ("sushi", "sushi") and loaded.sides == ("ارزان", "گران")
    assert pickle.loads(pickle.dumps(loaded)) == loaded


def test_a_scene_stored_before_motifs_still_loads_and_draws_its_category() -> None:
    old = {"title": "Cheap vs Expensive Sushi", "prompt": "cheap vs expensive sushi", "language": "en",
           "category": "food", "style": "bold", "mood": "energetic", "colors": [], "palette": ["#0c4a6e", "#fde047",
           "#e0f2fe"], "layout": "versus", "highlight": None, "badge": None, "seed": 7, "description": ""}
    scene = Scene(**old)
    assert scene.motifs == () and scene.sides == () and scene.palette == ("#0c4a6e", "#fde047", "#e0f2fe")
    assert render_local(scene, Finish(keep_original=False)).width == 1280


def test_the_subject_index_finds_what_the_word_expressions_find() -> None:
    """Subjects are looked up among the request's words: the same motif as searching each motif's expressions in
    priority order, for every keyword in its forms (plurals, Persian suffixes with and without the joiner,
    prefixes) and for words that only touch a keyword (digits, underscores, longer words)."""
    import re

    from core.rendering import motifs

    expressions = [(name, re.compile("|".join(motifs._pattern(w) for w in words), re.I))
                   for name, words in motifs.WORDS]

    def searched(text: str) -> str | None:
        cleaned = motifs.normalise(text)
        return next((name for name, found in expressions if found.search(cleaned)), None) if cleaned else None

    texts = ["", "   ", "Gaming thumbnail \"LEVEL 5\" in red", "a $5 meal", "cooking_pasta 3pasta pasta3 pastas",
             "نقد فیلم‌های ترسناک", "كتاب های خوب", "reacting to my react tutorial", "GALAXY S24 unboxing",
             "stand-up comedy night", "standup", "my mac and cheese", "Tokyo! ghost? gym, money.", "ſcary movie",
             "bıtcoin crash", "a ghoſt story", "ghoſts", "KELVIN \u212aitchen"]
    for _name, words in motifs.WORDS:
        for word in words:
            stem = word.rstrip("*")
            texts += [f"about {stem} today", f"the {stem}s", f"{stem}es!", f"{stem}x", f"x{stem}", f"2{stem}",
                      f"{stem}\u200cها", f"{stem}های", f"{stem}یی", f"{stem}_", f"({stem})"]
    assert len(texts) > 10_000
    for text in texts:
        assert motifs.motif_in(text) == searched(text), text
