"""The template library and the deterministic weighted match.

A template pairs a palette with a layout. The words pick the template (category, style, mood, elements), but its
layout must also mean what the request says: a comparison layout only for a comparison, a numbered list only
when the request counts something, a creator's photo shown large (`Intent`, read in core/requests.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.domain import Analysis, Template

WEIGHTS = {"category": 0.4, "style": 0.3, "mood": 0.2, "elements": 0.1}
PHOTO_LAYOUTS = frozenset({"headline", "split", "framed"})  # the photo fills the frame, a half or a card

SEED_TEMPLATES: tuple[Template, ...] = (
    Template("gaming-neon", "Neon Victory", "gaming", "bold", "energetic", ("face",), ("#0b0620", "#a855f7", "#22d3ee", "#facc15"), "headline", 4.8),
    Template("gaming-versus", "Boss Fight", "gaming", "cinematic", "dramatic", ("versus",), ("#120a0a", "#ef4444", "#f97316", "#ffffff"), "versus", 4.6),
    Template("tech-review", "Clean Review", "tech", "minimal", "serious", ("product",), ("#f8fafc", "#0f172a", "#2563eb", "#ffffff"), "split", 4.7),
    Template("tech-compare", "Spec Showdown", "tech", "bold", "energetic", ("versus", "product"), ("#020617", "#38bdf8", "#f43f5e", "#ffffff"), "versus", 4.5),
    Template("edu-steps", "Step by Step", "education", "playful", "fun", ("list", "number"), ("#fef3c7", "#1e3a8a", "#f59e0b", "#ffffff"), "listicle", 4.6),
    Template("edu-explainer", "Explainer", "education", "minimal", "serious", (), ("#0f172a", "#f8fafc", "#22c55e", "#ffffff"), "minimal", 4.4),
    Template("biz-money", "Money Moves", "business", "elegant", "serious", ("number",), ("#052e16", "#eab308", "#f8fafc", "#ffffff"), "framed", 4.5),
    Template("biz-bold", "Big Numbers", "business", "bold", "dramatic", ("list", "number"), ("#111827", "#f97316", "#fde047", "#ffffff"), "listicle", 4.3),
    Template("life-vlog", "Golden Hour Vlog", "lifestyle", "cinematic", "calm", ("face",), ("#1c1917", "#fb923c", "#fde68a", "#ffffff"), "framed", 4.6),
    Template("life-pastel", "Soft Pastel", "lifestyle", "minimal", "calm", (), ("#fdf2f8", "#be185d", "#f9a8d4", "#ffffff"), "minimal", 4.2),
    Template("ent-reaction", "Reaction Pop", "entertainment", "playful", "fun", ("face",), ("#facc15", "#111827", "#ef4444", "#ffffff"), "split", 4.7),
    Template("ent-cinema", "Trailer Drama", "entertainment", "cinematic", "dramatic", (), ("#030712", "#dc2626", "#fbbf24", "#ffffff"), "headline", 4.5),
    Template("retro-wave", "Synthwave", "entertainment", "retro", "energetic", (), ("#1e1b4b", "#ec4899", "#22d3ee", "#ffffff"), "headline", 4.4),
    Template("other-bold", "Bold Statement", "other", "bold", "energetic", (), ("#0f172a", "#f43f5e", "#fbbf24", "#ffffff"), "headline", 4.3),
    Template("other-elegant", "Editorial", "other", "elegant", "calm", (), ("#faf7f2", "#1f2937", "#b45309", "#ffffff"), "framed", 4.1),
    Template("gaming-list", "Top Plays", "gaming", "bold", "energetic", ("list", "number"), ("#0a0a0a", "#22c55e", "#a3e635", "#ffffff"), "listicle", 4.4),
)


def score(template: Template, analysis: Analysis) -> float:
    wanted, offered = set(analysis.elements), set(template.elements)
    overlap = len(wanted & offered) / len(wanted | offered) if wanted | offered else 0.0
    return (
        WEIGHTS["category"] * (template.category == analysis.category)
        + WEIGHTS["style"] * (template.style == analysis.style)
        + WEIGHTS["mood"] * (template.mood == analysis.mood)
        + WEIGHTS["elements"] * overlap
    )


@dataclass(frozen=True)
class Intent:
    """What a request means for its layout, beyond its words' category, style and mood."""

    compares: bool = False  # it sets two things against each other ("A vs B", "before and after")
    counts: bool = False  # it asks for a numbered list ("10 money mistakes")
    photo: bool = False  # the creator sent a photo


def meaning(layout: str, intent: Intent) -> int | None:
    """How directly a layout says what the request means: 2 a comparison's versus; 1 a count's listicle, or a
    layout showing the photo large; 0 neutral. None: a layout the request does not mean (versus without a
    comparison, listicle without a count, or over a photo, which it would shrink to a sticker)."""
    if layout == "versus":
        return 2 if intent.compares else None
    if layout == "listicle":
        return 1 if intent.counts and not intent.photo else None
    return 1 if intent.photo and layout in PHOTO_LAYOUTS else 0


def fits(layout: str, intent: Intent) -> bool:
    return meaning(layout, intent) is not None


def best_match(templates: Iterable[Template], analysis: Analysis, intent: Intent | None = None) -> Template:
    """Highest score; ties broken by rating, then usage, then id, so the choice is deterministic.

    With an `intent`: templates whose layout the request does not mean are left out (unless none is left); the
    layout that says what it means comes first, then the request's own category (an unasked-for default style and
    mood must not pull a tech review into a gaming palette), then the score.
    """
    pool = list(templates)
    if intent is None:
        return max(pool, key=lambda t: (round(score(t, analysis), 6), t.rating, t.usage, t.id))
    pool = [t for t in pool if fits(t.layout, intent)] or pool
    return max(pool, key=lambda t: (meaning(t.layout, intent) or 0, t.category == analysis.category,
                                    round(score(t, analysis), 6), t.rating, t.usage, t.id))
