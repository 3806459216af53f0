"""Render 24 varied scenes (English and Persian, with and without a photo) into one PNG contact sheet.

Usage: python scripts/contact_sheet.py /tmp/sheet.png
Photos are drawn procedurally with Pillow (no network).
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFilter

from core.rendering import Finish, Scene, render_local

TILE = (640, 360)
COLUMNS = 4


def make_photo(kind: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A stand-in "photo": sky gradient, sun, hills and a person-like silhouette, as JPEG bytes."""
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    skies = [((40, 90, 170), (250, 180, 120)), ((20, 20, 50), (120, 60, 140)), ((120, 190, 230), (240, 240, 220))]
    top, bottom = skies[kind % 3]
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    draw.ellipse((w * 0.6, h * 0.15, w * 0.8, h * 0.42), fill=(255, 220, 140))
    for i in range(3):
        pts = [(x, h * (0.62 + 0.08 * i) + math.sin(x / (180 + 60 * i) + i) * 60) for x in range(0, w + 40, 40)]
        draw.polygon([*pts, (w, h), (0, h)], fill=(30 + 30 * i, 70 + 25 * i, 50 + 10 * i))
    cx = w * 0.35
    draw.ellipse((cx - 110, h * 0.28, cx + 110, h * 0.28 + 240), fill=(225, 180, 150))
    draw.rounded_rectangle((cx - 210, h * 0.28 + 250, cx + 210, h + 40), radius=120, fill=(200, 60, 60))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


PALETTES = [
    ("#0f172a", "#f97316", "#ffffff"), ("#1e1b4b", "#22d3ee", "#f0abfc"), ("#052e16", "#84cc16", "#fefce8"),
    ("#3b0764", "#facc15", "#ffffff"), ("#111827", "#ef4444", "#f9fafb"), ("#0c4a6e", "#fde047", "#e0f2fe"),
]
SCENES: list[dict[str, object]] = [
    {"title": "I Survived 100 Days in Hardcore", "category": "gaming", "mood": "energetic", "highlight": "100"},
    {"title": "iPhone vs Android: The Truth", "category": "tech", "layout": "versus", "highlight": "Truth"},
    {"title": "10 Money Mistakes to Avoid", "category": "finance", "layout": "listicle", "badge": "10"},
    {"title": "Easy Pasta in 15 Minutes", "category": "cooking", "layout": "split", "mood": "fun", "highlight": "15"},
    {"title": "Quiet Mornings in Kyoto", "category": "travel", "layout": "minimal", "style": "minimal",
     "mood": "calm"},
    {"title": "My Full Gym Routine", "category": "fitness", "layout": "framed", "badge": "NEW", "photo": 0},
    {"title": "Learn Python in One Video", "category": "education", "layout": "headline", "seed": 1,
     "highlight": "Python"},
    {"title": "The Song That Changed Everything", "category": "music", "layout": "split", "photo": 1,
     "style": "elegant", "mood": "dramatic"},
    {"title": "آموزش کامل فتوشاپ", "language": "fa", "category": "education", "layout": "headline",
     "highlight": "فتوشاپ"},
    {"title": "سفر به شمال ایران", "language": "fa", "category": "travel", "layout": "split", "photo": 2},
    {"title": "۱۰ ترفند iPhone که نمی‌دانستید", "language": "fa", "category": "tech", "layout": "listicle",
     "highlight": "iPhone"},
    {"title": "Xbox یا PlayStation؟", "language": "fa", "category": "gaming", "layout": "versus"},
    {"title": "Before and After My Room Makeover", "category": "lifestyle", "layout": "versus", "photo": 0,
     "mood": "fun"},
    {"title": "Why Nobody Talks About This", "category": "news", "layout": "headline", "seed": 2,
     "mood": "dark", "highlight": "Nobody"},
    {"title": "Skincare Routine for Beginners", "category": "beauty", "layout": "minimal", "seed": 1,
     "style": "clean", "photo": 2},
    {"title": "Building a Gaming PC on a Budget", "category": "tech", "layout": "framed", "seed": 1,
     "highlight": "Budget"},
    {"title": "Top 5 Hidden Beaches", "category": "travel", "layout": "listicle", "seed": 1, "photo": 1},
    {"title": "رازهای موفقیت در بورس", "language": "fa", "category": "finance", "layout": "framed",
     "badge": "NEW"},
    {"title": "غذای خیابانی تهران", "language": "fa", "category": "food", "layout": "headline", "photo": 1,
     "seed": 1},
    {"title": "آرامش با موسیقی بی‌کلام", "language": "fa", "category": "music", "layout": "minimal",
     "mood": "calm", "style": "minimal"},
    {"title": "Crypto Crash Explained", "category": "finance", "layout": "headline", "photo": 2,
     "highlight": "Crash"},
    {"title": "Speedrun World Record Attempt", "category": "gaming", "layout": "split", "seed": 1,
     "badge": "#1", "mood": "energetic"},
    {"title": "Cheap vs Expensive Sushi", "category": "food", "layout": "versus", "seed": 1,
     "highlight": "Expensive"},
    {"title": "3 Exercises for a Strong Back", "category": "fitness", "layout": "listicle", "seed": 2,
     "style": "clean"},
]


def scenes() -> list[Scene]:
    photos = [make_photo(i) for i in range(3)]
    out = []
    for i, spec in enumerate(SCENES):
        spec = dict(spec)
        photo = spec.pop("photo", None)
        out.append(Scene(palette=PALETTES[i % len(PALETTES)], photo=photos[photo] if photo is not None else None,
                         prompt=str(spec["title"]), **spec))  # type: ignore[arg-type]
    return out


def main(path: str) -> None:
    rows = math.ceil(len(SCENES) / COLUMNS)
    sheet = Image.new("RGB", (COLUMNS * (TILE[0] + 16) + 16, rows * (TILE[1] + 16) + 16), (40, 40, 40))
    finish = Finish(watermark_text="routix.bot", keep_original=False)
    for i, scene in enumerate(scenes()):
        rendered = render_local(scene, finish)
        tile = Image.open(io.BytesIO(rendered.jpeg)).resize(TILE, Image.Resampling.LANCZOS)
        sheet.paste(tile, (16 + (i % COLUMNS) * (TILE[0] + 16), 16 + (i // COLUMNS) * (TILE[1] + 16)))
    sheet.save(path)
    print(f"wrote {path}: {len(SCENES)} thumbnails")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/contact_sheet.py OUTPUT.png")
    main(sys.argv[1])
