"""Reading a thumbnail's title back with tesseract (Debian: tesseract-ocr, tesseract-ocr-eng): required in CI."""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess

import pytest
from PIL import Image


def tesseract() -> str:
    path = shutil.which("tesseract")
    if path is None and os.environ.get("CI") == "true":
        pytest.fail("tesseract is required in CI (Debian: tesseract-ocr tesseract-ocr-eng)")
    if path is None:
        pytest.skip("tesseract not installed (Debian: tesseract-ocr)")
    return path


def title_read(jpeg: bytes, title: str) -> float:
    """How well tesseract reads `title` on the thumbnail (1.0: every word exactly). AI pictures carry the title in
    the top or the bottom band (or on the left beside a cut-out creator): each band is read on its own."""
    image = Image.open(io.BytesIO(jpeg)).convert("L")
    bands = (image.crop((0, 0, 1280, 340)), image.crop((0, 380, 1280, 720)), image.crop((0, 0, 700, 720)))
    return max(_words_found(_ocr(band, mode), title) for band in bands for mode in ("6", "11"))


def _ocr(image: Image.Image, mode: str) -> list[str]:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    result = subprocess.run([tesseract(), "stdin", "stdout", "--psm", mode, "-l", "eng"], input=buffer.getvalue(),
                            capture_output=True, timeout=60, check=True)
    return result.stdout.decode("utf-8", "replace").split()


def _words_found(words: list[str], title: str) -> float:
    wanted = title.casefold().split()
    found = [max((difflib.SequenceMatcher(None, w.casefold(), word).ratio() for w in words), default=0.0)
             for word in wanted]
    return sum(found) / len(found)
