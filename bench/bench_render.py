"""Render benchmark: our compositor vs a plain reference, and delivered bytes vs Pillow q85.

Run from the repo root: python bench/bench_render.py [--count 60]

- Speed: p50/p95 of compose + watermark + encode (render_local, keep_original=False) over varied scenes,
  in the same run as a plain reference: the same kind of scene drawn naively at full resolution
  (per-row gradient, full-canvas Gaussian blurs for glow and title shadow) and saved as Pillow JPEG q85.
- Bytes: each of our delivered JPEGs vs Pillow's baseline JPEG q85 of the same canvas; SSIM is computed
  here with numpy on grayscale (7x7 uniform window, the scikit-image default), against the lossless canvas.
- Long titles: compose + encode of the longest title a request may carry (MAX_TITLE_CHARS) and of ones far past it
  (the renderer bounds the words it fits, whatever reaches it), in the "split" layout, the slowest to fit.
- Targets (issue 13), checked on the last line: ours p50 <= 10 ms and <= 0.25 of the reference p50 (wall),
  median bytes reduction >= 30% with our median SSIM >= q85's median SSIM.
"""

from __future__ import annotations

import argparse
import io
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.messages import MAX_TITLE_CHARS
from core.rendering import LAYOUTS, Finish, Scene, render_local
from core.rendering.compositor import compose
from core.rendering.output import encode_under, watermark

TITLES = ["I Survived 100 Days in Hardcore", "iPhone vs Android: The Truth", "10 Money Mistakes to Avoid",
          "Easy Pasta in 15 Minutes", "Quiet Mornings in Kyoto", "My Full Gym Routine", "Learn Python in One Video",
          "The Song That Changed Everything", "آموزش کامل فتوشاپ", "سفر به شمال ایران", "۱۰ ترفند iPhone که نمی‌دانستید",
          "Why Nobody Talks About This", "Building a Gaming PC on a Budget", "Top 5 Hidden Beaches",
          "Crypto Crash Explained", "Cheap vs Expensive Sushi", "3 Exercises for a Strong Back"]
CATEGORIES = ["gaming", "tech", "finance", "cooking", "travel", "fitness", "education", "music", "beauty", "vlog"]
MOODS = ["energetic", "calm", "fun", "dark", "serious"]
STYLES = ["bold", "minimal", "elegant", "playful"]
PALETTES = [("#0f172a", "#f97316", "#ffffff"), ("#1e1b4b", "#22d3ee", "#f0abfc"), ("#052e16", "#84cc16", "#fefce8"),
            ("#3b0764", "#facc15", "#ffffff"), ("#111827", "#ef4444", "#f9fafb"), ("#0c4a6e", "#fde047", "#e0f2fe")]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
TARGET_P50_MS, TARGET_RATIO, TARGET_REDUCTION = 10.0, 0.25, 0.30  # issue 13


def make_photo(seed: int) -> bytes:
    """A procedural 1600x1200 "photo" (sky, sun, hills, a figure) with some sensor-like noise."""
    rng = np.random.default_rng(seed)
    w, h = 1600, 1200
    image = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(image)
    top, bottom = rng.integers(0, 255, 3), rng.integers(0, 255, 3)
    for y in range(h):
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * y / h) for a, b in zip(top, bottom, strict=True)))
    draw.ellipse((w * 0.6, h * 0.15, w * 0.8, h * 0.42), fill=(255, 220, 140))
    draw.polygon([(0, h * 0.7), (w * 0.4, h * 0.55), (w, h * 0.75), (w, h), (0, h)], fill=(40, 90, 60))
    draw.ellipse((500, 340, 720, 580), fill=(225, 180, 150))
    draw.rounded_rectangle((400, 590, 820, 1240), radius=120, fill=(200, 60, 60))
    noise = rng.normal(0, 6, (h, w, 3))
    image = Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def scenes(count: int) -> list[Scene]:
    photos = [make_photo(i) for i in range(3)]
    out = []
    combos = itertools.product(range(count), [None])
    for i, _ in combos:
        title = TITLES[i % len(TITLES)]
        out.append(Scene(title=title, language="fa" if any("\u0600" <= c <= "\u06ff" for c in title) else "en",
                         category=CATEGORIES[i % len(CATEGORIES)], mood=MOODS[(i // 2) % len(MOODS)],
                         style=STYLES[(i // 3) % len(STYLES)], palette=PALETTES[i % len(PALETTES)],
                         layout=LAYOUTS[i % len(LAYOUTS)], highlight=title.split()[-1] if i % 3 == 0 else None,
                         badge="NEW" if i % 5 == 0 else None, photo=photos[i % 3] if i % 4 == 0 else None, seed=i))
    return out


def reference(scene: Scene) -> bytes:
    """The naive way: full-resolution everything, full-canvas blurs, Pillow JPEG q85."""
    size = (1280, 720)
    dark, accent = scene.palette[0], scene.palette[1]
    canvas = Image.new("RGB", size)
    draw = ImageDraw.Draw(canvas)
    d, a = Image.new("RGB", (1, 1), dark).getpixel((0, 0)), Image.new("RGB", (1, 1), accent).getpixel((0, 0))
    for y in range(size[1]):
        t = y / size[1] * 0.4
        draw.line([(0, y), (size[0], y)], fill=tuple(int(p + (q - p) * t) for p, q in zip(d, a, strict=True)))
    if scene.photo is not None:
        photo = Image.open(io.BytesIO(scene.photo)).convert("RGB").resize(size)
        canvas = Image.blend(canvas, photo, 0.7)
    glow = Image.new("RGB", size, (0, 0, 0))
    ImageDraw.Draw(glow).ellipse((340, 60, 940, 660), fill=a)
    canvas = Image.blend(canvas, glow.filter(ImageFilter.GaussianBlur(80)), 0.35)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    font = ImageFont.truetype(FONT, 96)
    ImageDraw.Draw(layer).multiline_text((80, 220), scene.title.replace(" ", "\n", 2), font=font, fill="white",
                                         stroke_width=6, stroke_fill="black")
    shadow = Image.new("RGBA", size, (0, 0, 0, 0))
    shadow.putalpha(layer.getchannel("A").filter(ImageFilter.GaussianBlur(10)))
    canvas = Image.alpha_composite(Image.alpha_composite(canvas.convert("RGBA"), shadow), layer).convert("RGB")
    ImageDraw.Draw(canvas).text((22, 690), "routix.bot", font=ImageFont.truetype(FONT, 22), fill="white")
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _box(a: np.ndarray, r: int = 3) -> np.ndarray:
    c = np.cumsum(np.cumsum(np.pad(a, ((1, 0), (1, 0))), 0), 1)
    k = 2 * r + 1
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def ssim(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004) on grayscale, 7x7 uniform window, sample covariance."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = _box(x), _box(y)
    n = 49 / 48
    sxx, syy, sxy = (_box(x * x) - mx * mx) * n, (_box(y * y) - my * my) * n, (_box(x * y) - mx * my) * n
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def _gray(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args()
    items = scenes(args.count)
    finish = Finish(watermark_text="routix.bot", keep_original=False)
    for scene in items[:6]:  # warm font caches and code paths (a worker process keeps them)
        render_local(scene, finish)
        reference(scene)
    ours, ref, ours_cpu, ref_cpu, encode_ms = [], [], [], [], []
    for scene in items:  # interleaved, so machine load hits both alike
        start, cpu = time.perf_counter(), time.process_time()
        rendered = render_local(scene, finish)
        ours.append((time.perf_counter() - start) * 1000)
        ours_cpu.append((time.process_time() - cpu) * 1000)
        encode_ms.append(rendered.encode_ms)
        start, cpu = time.perf_counter(), time.process_time()
        reference(scene)
        ref.append((time.perf_counter() - start) * 1000)
        ref_cpu.append((time.process_time() - cpu) * 1000)
    photos = sum(s.photo is not None for s in items)
    print(f"scenes: {len(items)} (layouts {', '.join(LAYOUTS)}; {photos} with a photo)")
    print(f"ours      compose+watermark+encode  p50 {_pct(ours, 50):6.1f} ms  p95 {_pct(ours, 95):6.1f} ms  "
          f"CPU p50 {_pct(ours_cpu, 50):6.1f} ms  (of which JPEG encode + check p50 {_pct(encode_ms, 50):.1f} ms)")
    print(f"reference naive, full-canvas blurs  p50 {_pct(ref, 50):6.1f} ms  p95 {_pct(ref, 95):6.1f} ms  "
          f"CPU p50 {_pct(ref_cpu, 50):6.1f} ms")
    print(f"ratio     ours / reference p50 {_pct(ours, 50) / _pct(ref, 50):.2f} (wall), "
          f"{_pct(ours_cpu, 50) / _pct(ref_cpu, 50):.2f} (CPU); CPU is process_time, less sensitive to load")
    reductions, ours_ssim, base_ssim, ok = [], [], [], 0
    for scene in items:
        canvas = compose(scene).canvas
        watermark(canvas, "routix.bot", "bottom-left")
        original = np.asarray(canvas.convert("L"))
        delivered = encode_under(canvas, finish.max_bytes)
        buffer = io.BytesIO()
        canvas.save(buffer, "JPEG", quality=85)
        baseline = buffer.getvalue()
        s_ours, s_base = ssim(original, _gray(delivered)), ssim(original, _gray(baseline))
        ours_ssim.append(s_ours)
        base_ssim.append(s_base)
        ok += s_ours >= s_base
        reductions.append(1 - len(delivered) / len(baseline))
    print(f"bytes     median reduction vs Pillow q85: {statistics.median(reductions) * 100:5.1f}% "
          f"(min {min(reductions) * 100:.1f}%, max {max(reductions) * 100:.1f}%)")
    print(f"SSIM      ours median {statistics.median(ours_ssim):.4f} vs q85 median "
          f"{statistics.median(base_ssim):.4f}; ours >= q85 on {ok}/{len(items)} images "
          "(grayscale SSIM, numpy, 7x7 window)")
    long_titles(finish)
    print(verdict(_pct(ours, 50), _pct(ours, 50) / _pct(ref, 50), statistics.median(reductions),
                  statistics.median(ours_ssim), statistics.median(base_ssim)))


def long_titles(finish: Finish, repeats: int = 3) -> None:
    """The worst case a title can cost a render worker: before the word cap, 800 characters took 18 s."""
    for length in (MAX_TITLE_CHARS, 800, 6000):
        title = ("WIN " * length)[:length].strip()
        scene = Scene(title=title, language="en", category="gaming", mood="energetic", style="bold",
                      palette=PALETTES[0], layout="split", seed=1)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            render_local(scene, finish)
            times.append((time.perf_counter() - start) * 1000)
        print(f"long title {length:5d} chars  p50 {_pct(times, 50):6.1f} ms  max {max(times):6.1f} ms")


def verdict(p50: float, ratio: float, reduction: float, ssim_ours: float, ssim_q85: float) -> str:
    """One line against the targets of issue 13; PASS only when every one holds."""
    checks = [(f"p50 {p50:.1f} <= {TARGET_P50_MS:g} ms", p50 <= TARGET_P50_MS),
              (f"ratio {ratio:.2f} <= {TARGET_RATIO}", ratio <= TARGET_RATIO),
              (f"bytes -{reduction * 100:.1f}% >= {TARGET_REDUCTION * 100:g}%", reduction >= TARGET_REDUCTION),
              (f"SSIM {ssim_ours:.4f} >= q85 {ssim_q85:.4f}", ssim_ours >= ssim_q85)]
    parts = "; ".join(f"{text} {'ok' if good else 'MISSED'}" for text, good in checks)
    return f"{'PASS' if all(good for _, good in checks) else 'FAIL'}      {parts}"


if __name__ == "__main__":
    main()
