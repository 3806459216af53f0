"""The rendering contract: what to draw and how to deliver it.

Everything here is a frozen, picklable dataclass so a scene can be rendered in a
worker process.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 1280, 720

# Layout names the template library refers to; the compositor implements each.
LAYOUTS: tuple[str, ...] = ("headline", "split", "framed", "minimal", "versus", "listicle")

# The seed contract. Seeds whose residues modulo VARIANTS differ render visibly different designs of the
# same scene (within the same layout); the rest of the seed (seed // VARIANTS) varies finer details.
# `variant = seed % VARIANTS` picks the discrete design choices (structure, side, background angle, pattern,
# highlight style); `seed // VARIANTS` seeds the continuous randomness (jitter, motif and pattern details).
# "Visibly different" is tested: every pair of the six variants of a scene differs by a mean absolute
# difference ≥ 6 (of 255) on the 320x180 grayscale preview, for every layout, with and without a photo.
# So: regenerate = a seed with another residue; variations = seeds with consecutive residues.
VARIANTS = 6


@dataclass(frozen=True)
class Scene:
    """What the thumbnail shows, decided by analysis + template + conversation."""

    title: str
    prompt: str = ""
    language: str = "en"  # "en" | "fa"
    category: str = "other"
    style: str = "bold"
    mood: str = "energetic"
    colors: tuple[str, ...] = ()  # "#rrggbb" asked for by the user, strongest first
    palette: tuple[str, ...] = ("#101828", "#f97316", "#ffffff")  # template palette
    layout: str = "headline"  # one of LAYOUTS
    highlight: str | None = None  # a word of the title to colour with the accent
    badge: str | None = None  # "NEW", "#1", "10" ...
    photo: bytes | None = None  # the user's reference photo, raw bytes
    seed: int = 0  # see VARIANTS
    description: str = ""  # the picture in English, from a language model (AI prompts only; drawing ignores it)
    # The subject drawings by name (motifs.MOTIFS), chosen from the request's words, the main one first; versus
    # draws one per side (motifs.PHOTO: the user's photo). Empty (scenes stored before): the category's drawing.
    motifs: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()  # versus: what each side is, as typed ("cheap", "expensive"), in reading order

    def __post_init__(self) -> None:
        # Stored scenes come back from JSON with lists; a scene stays hashable and compares equal to the original.
        for name in ("colors", "palette", "motifs", "sides"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class Finish:
    """Post-processing shared by every algorithm."""

    watermark_text: str | None = None  # None: no watermark
    watermark_position: str = "bottom-left"  # never the bottom-right duration corner
    max_bytes: int = 2_000_000  # delivery budget (YouTube's custom thumbnail limit)
    keep_original: bool = True  # also return a lossless PNG for "send original"


@dataclass(frozen=True)
class Rendered:
    jpeg: bytes  # the delivered, optimized 1280x720 JPEG
    original_png: bytes | None  # lossless original (None when not kept)
    width: int
    height: int
    title_box: tuple[int, int, int, int]  # (left, top, right, bottom) of the title on the canvas
    render_ms: float = 0.0
    encode_ms: float = 0.0
