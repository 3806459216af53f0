from dataclasses import replace

from core.analysis import KeywordAnalyzer
from core.rendering.types import LAYOUTS
from core.templates import SEED_TEMPLATES, best_match, score

CATEGORIES = {"gaming", "tech", "education", "business", "lifestyle", "entertainment", "other"}


def test_library_covers_every_category_with_valid_layouts() -> None:
    assert len(SEED_TEMPLATES) >= 12
    assert {t.category for t in SEED_TEMPLATES} == CATEGORIES
    assert {t.layout for t in SEED_TEMPLATES} == set(LAYOUTS)
    assert len({t.id for t in SEED_TEMPLATES}) == len(SEED_TEMPLATES)


def test_weights_category_style_mood_elements() -> None:
    analysis = KeywordAnalyzer().analyze("gaming boss fight, cinematic and dramatic, me vs the boss")
    template = next(t for t in SEED_TEMPLATES if t.id == "gaming-versus")
    assert score(template, analysis) == 0.4 + 0.3 + 0.2 + 0.1 * (1 / 2)  # elements: versus+face vs versus


def test_match_is_deterministic_and_follows_the_request() -> None:
    analysis = KeywordAnalyzer().analyze("clean minimal iPhone review")
    first = best_match(SEED_TEMPLATES, analysis)
    assert first == best_match(list(reversed(SEED_TEMPLATES)), analysis)
    assert first.id == "tech-review"


def test_ties_prefer_rating_then_usage() -> None:
    analysis = KeywordAnalyzer().analyze("zzz")
    a, b = SEED_TEMPLATES[0], SEED_TEMPLATES[1]
    twin_a = replace(a, id="a", category="x", style="y", mood="z", elements=(), rating=4.0, usage=1)
    twin_b = replace(b, id="b", category="x", style="y", mood="z", elements=(), rating=4.0, usage=9)
    assert best_match([twin_a, twin_b], analysis).id == "b"
    assert best_match([replace(twin_a, rating=4.9), twin_b], analysis).id == "a"
