"""Render 24 creator prompts (English and Persian, some with a photo) into one PNG contact sheet, each through the
bot's own path: keyword analysis -> template -> scene -> the local renderer, with the free tier's watermark.

Usage: python scripts/contact_sheet.py docs/contact-sheet.jpg
The README shows docs/contact-sheet.jpg; run this after changing the compositor and look at it before committing.
Photos are drawn procedurally with Pillow (no network).
"""

from __future__ import annotations

import dataclasses
import io
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFilter

from core.analysis import KeywordAnalyzer
from core.rendering import Finish, Scene, render_local
from core.requests import Request, scene_for, stable_seed, template_for
from core.templates import SEED_TEMPLATES

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


# (prompt, index of the stand-in photo sent with it or None); none of them is in the layout test table.
PROMPTS: list[tuple[str, int | None]] = [
    ("unboxing the new foldable phone", None), ("react tutorial for absolute beginners", None),
    ("haunted house at 3am", None), ("7 foods that burn fat", None),
    ("Tesla vs Toyota: which car lasts longer", None), ("my honest opinion on the new update", 0),
    ("5 budget travel hacks for Europe", None), ("street food tour in Bangkok", 1),
    ("full body workout in 20 minutes", 0), ("how to invest your first $1000", None),
    ("learning piano as an adult", None), ("keyboard vs mouse for aiming", None),
    ("building a rocket in my backyard", None), ("before and after: garden transformation", 2),
    ("chocolate cake that never fails", None), ("the night sky explained", None),
    ("بررسی لپ‌تاپ گیمینگ ارزان", None), ("۳ تمرین برای کمر قوی", None), ("چای یا قهوه؟", None),
    ("سفر به استانبول", 1), ("آموزش گیتار برای مبتدی‌ها", None), ("داستان ارواح خانه قدیمی", None),
    ("اخبار ارز دیجیتال امروز", None), ("روتین پوست من", 2),
]


def scenes() -> list[Scene]:
    """Each prompt as the bot would draw it the first time (the request's own seed, no refinement)."""
    photos = [make_photo(i) for i in range(3)]
    analyzer, out = KeywordAnalyzer(), []
    for prompt, photo in PROMPTS:
        request = Request(prompt, analyzer.analyze(prompt), stable_seed(prompt),
                          photo_key=None if photo is None else f"stand-in-{photo}")
        scene = scene_for(request, template_for(request, SEED_TEMPLATES), request.seed)
        out.append(dataclasses.replace(scene, photo=None if photo is None else photos[photo]))
    return out


def main(path: str) -> None:
    rows = math.ceil(len(PROMPTS) / COLUMNS)
    sheet = Image.new("RGB", (COLUMNS * (TILE[0] + 16) + 16, rows * (TILE[1] + 16) + 16), (40, 40, 40))
    finish = Finish(watermark_text="made with Routix", keep_original=False)
    for i, scene in enumerate(scenes()):
        rendered = render_local(scene, finish)
        tile = Image.open(io.BytesIO(rendered.jpeg)).resize(TILE, Image.Resampling.LANCZOS)
        sheet.paste(tile, (16 + (i % COLUMNS) * (TILE[0] + 16), 16 + (i // COLUMNS) * (TILE[1] + 16)))
    sheet.save(path, quality=88)  # the quality is for a .jpg sheet (kept small in the repository)
    print(f"wrote {path}: {len(PROMPTS)} thumbnails")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/contact_sheet.py OUTPUT.jpg|OUTPUT.png")
    main(sys.argv[1])
