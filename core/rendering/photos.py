"""Untrusted image decoding: byte cap, pixel cap, EXIF orientation, fitting without distortion."""

from __future__ import annotations

import contextlib
import io
import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.rendering.errors import BadImage
from core.rendering.pixels import NotSingleBlock, pixels

MAX_PHOTO_BYTES = 20 * 1024 * 1024  # the Bot API download limit; larger uploads are refused unread
MAX_PIXELS = 40_000_000  # ~ a 50 MP phone photo passes; anything bigger is treated as a bomb
# A 1 x 40,000,000 strip is within the pixel cap but no photo: past JPEG's 65,500-pixel side when handed to a paid
# service, and seconds of work to fit. Wide panoramas pass.
MAX_SIDE, MAX_ASPECT = 30_000, 100
# A progressive JPEG is decoded once per scan, each reading the whole picture: a few bytes each, thousands of them
# kept a render worker busy past its 60 s timeout (32 of them at 40 MP: ~0.3 s). libjpeg writes 10, mozjpeg ~12.
MAX_JPEG_SCANS = 32
# What creators send (and providers return). Every other decoder Pillow has is attack surface we do not need.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
# Keep Pillow's own guard on (it raises past 2x this) in every process that imports the renderer.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@contextlib.contextmanager
def _decoding() -> Iterator[None]:
    """Whatever Pillow raises for a broken or hostile file becomes a BadImage the user is told about."""
    try:
        yield
    except Image.DecompressionBombError as exc:
        raise BadImage("bomb", str(exc)) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise BadImage("not_image", f"cannot decode: {exc}") from exc


def _open(data: bytes, max_bytes: int) -> Image.Image:
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise BadImage("not_image", "empty upload")
    if len(data) > max_bytes:
        raise BadImage("too_large", f"{len(data)} bytes > {max_bytes}")
    try:
        with warnings.catch_warnings():
            # Pillow only *warns* between MAX_IMAGE_PIXELS and 2x; we refuse that band too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage("bomb", str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadImage("not_image", str(exc)) from exc
    if image.width * image.height > MAX_PIXELS:
        raise BadImage("bomb", f"{image.width}x{image.height} pixels")
    long, short = max(image.size), min(image.size)
    if long > MAX_SIDE or long > MAX_ASPECT * short:
        raise BadImage("shape", f"{image.width}x{image.height} pixels")
    if image.info.get("progressive") and (scans := jpeg_scans(data, MAX_JPEG_SCANS)) > MAX_JPEG_SCANS:
        raise BadImage("scans", f"more than {scans - 1} scans")
    return image


def jpeg_scans(data: bytes, most: int) -> int:
    """The scans (SOS segments) of a JPEG, counted up to `most + 1`, without decoding: every other segment says
    its length, and a scan's entropy-coded data ends at the first 0xFF not followed by 0x00 (a stuffed byte) or a
    restart marker. Where the layout is not that, counting stops: the decoder judges the rest."""
    scans, position = 0, 2
    while scans <= most and position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xFF or 0xD0 <= marker <= 0xD8 or marker == 0x01:  # fill byte, or a marker without a length
            position += 1 if marker == 0xFF else 2
            continue
        if marker == 0xD9:  # the end of the image
            break
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
        if marker == 0xDA:
            scans += 1
            position = _after_scan(data, position)
    return scans


def _after_scan(data: bytes, position: int) -> int:
    while (position := data.find(b"\xff", position)) != -1 and position + 1 < len(data):
        following = data[position + 1]
        if following != 0x00 and not 0xD0 <= following <= 0xD7:
            return position  # the next marker
        position += 2
    return len(data)


def validate_photo(data: bytes, max_bytes: int = MAX_PHOTO_BYTES) -> tuple[int, int]:
    """Check an upload before it is accepted: its upright (width, height), or BadImage.

    The whole file is decoded, not just its header: a photo whose header is fine but whose data is cut off
    must be refused here, in the user's chat, not fail later in a render worker. JPEGs decode at 1/8 scale
    (every byte is still read, so truncation shows), which makes this cheap.
    """
    image = _open(data, max_bytes)
    width, height = image.size
    with _decoding():
        if image.format == "JPEG":
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        image.load()
    return _upright((width, height), image)


def photo_size(data: bytes, max_bytes: int = MAX_PHOTO_BYTES) -> tuple[int, int]:
    """The upright (width, height) from the header alone (the photo was validated when it was accepted)."""
    image = _open(data, max_bytes)
    return _upright(image.size, image)


def _upright(size: tuple[int, int], image: Image.Image) -> tuple[int, int]:
    turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    return (size[1], size[0]) if turned else size


def load_photo(data: bytes, target: tuple[int, int], max_bytes: int = MAX_PHOTO_BYTES) -> Image.Image:
    """Decode to an upright RGB or RGBA image at least as large as `target` where the source allows.

    JPEG draft mode decodes at 1/2..1/8 scale straight from the DCT, which makes a 12 MP photo
    about ten times cheaper to bring down to thumbnail size.
    """
    image = _open(data, max_bytes)
    with _decoding():
        if image.format == "JPEG":
            # `target` is upright; the draft applies to the stored (possibly quarter-turned) picture.
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            image.draft("RGB", (target[1], target[0]) if turned else (target[0], target[1]))
        image.load()
        # in_place: no full-size copy when there is nothing to rotate (a 12 MP photo: several ms).
        ImageOps.exif_transpose(image, in_place=True)
    image = _eight_bit(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    return image if image.mode == "RGB" else image.convert("RGB")


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greys (PNG) hold 0-65535: converted to RGB as they are, all but the darkest would clip to white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda v: v / 256).convert("L")
    return image


class _DecodedPhotos:
    """Decoded photos by (bytes, size asked for), least recently used out first, within a memory budget.

    The variations of a scene (and its regenerations) come with the same photo: decoding it again cost 5-8 ms a
    render. An entry counts its pixels (4 bytes each, Pillow's layout) and the photo's bytes, which the key
    keeps alive; a photo too large for a quarter of the budget is not kept. Thread-safe: the lock guards the
    table; decoding happens outside it, and the images handed out are only read (callers resize or copy).
    """

    def __init__(self, budget: int) -> None:
        self._budget, self._used = budget, 0
        self._entries: OrderedDict[tuple[bytes, tuple[int, int], int], tuple[Image.Image, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, data: bytes, target: tuple[int, int], max_bytes: int) -> Image.Image:
        key = (data, target, max_bytes)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
        image = load_photo(data, target, max_bytes)
        cost = image.width * image.height * 4 + len(data)
        if cost <= self._budget // 4:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = (image, cost)
                    self._used += cost
                while self._used > self._budget:
                    _key, (_image, freed) = self._entries.popitem(last=False)
                    self._used -= freed
        return image


_DECODED = _DecodedPhotos(64 * 1024 * 1024)  # per process: two or three photos at full size


class PhotoSource:
    """A user photo decoded on demand, once per size asked for (a layout asks for one or two sizes).

    Headers are checked up front (BadImage as early as before). Decoding waits for the size a layout needs:
    JPEG draft mode then decodes at the smallest DCT scale (1/2..1/8) whose picture still covers that size,
    so a 380x330 panel from a 12 MP photo costs a fraction of a full decode. Decoded pictures are shared by
    the renders of the process (see _DecodedPhotos).
    """

    def __init__(self, data: bytes, max_bytes: int = MAX_PHOTO_BYTES) -> None:
        self.size = photo_size(data, max_bytes)  # upright (width, height)
        self._data, self._max_bytes = bytes(data), max_bytes
        self._decoded: dict[tuple[int, int], Image.Image] = {}  # also what the shared cache would not keep

    def covering(self, size: tuple[int, int]) -> Image.Image:
        """The upright RGB/RGBA photo, decoded at least large enough to cover `size` by cropping; only read it."""
        width, height = self.size
        cover = max(size[0] / width, size[1] / height)
        target = (min(width, math.ceil(width * cover)), min(height, math.ceil(height * cover)))
        if target not in self._decoded:
            self._decoded[target] = _DECODED.get(self._data, target, self._max_bytes)
        return self._decoded[target]


def fit(image: Image.Image, size: tuple[int, int], centering: tuple[float, float] = (0.5, 0.4)) -> Image.Image:
    """Cover `size` exactly by cropping (never stretching); the default centring favours faces (upper half).

    Same geometry as ImageOps.fit. Opaque pictures: a whole-number shrink by Pillow's block averages, then
    OpenCV's bilinear for the rest (what Pillow's `reducing_gap` does, ~2.5x cheaper: a 1600x1200 photo brought
    to 1280x720 cost 8.5 ms, now 3). With transparency, Pillow's resize (it weighs colour by alpha).
    """
    if image.size == size:
        return image.copy()
    width, height = image.size
    scale = max(size[0] / width, size[1] / height)
    # min/max: float rounding can push the crop a hair outside the source, which Pillow refuses.
    crop_w, crop_h = min(width, size[0] / scale), min(height, size[1] / scale)
    left, top = max(0.0, (width - crop_w) * centering[0]), max(0.0, (height - crop_h) * centering[1])
    if image.mode not in ("RGB", "L"):
        return image.resize(size, Image.Resampling.BILINEAR, box=(left, top, left + crop_w, top + crop_h),
                            reducing_gap=2.0)
    # The crop in whole source pixels (at most half a source pixel off the exact box), whole blocks of `shrink`.
    shrink = max(1, int(1 / scale))  # leaves bilinear less than a halving, where it barely aliases
    x0, y0 = round(left), round(top)
    x1 = x0 + max(1, min(width - x0, round(crop_w)) // shrink) * shrink
    y1 = y0 + max(1, min(height - y0, round(crop_h)) // shrink) * shrink
    source = image.reduce(shrink, (x0, y0, x1, y1)) if shrink > 1 else image
    if shrink > 1:
        x0, y0, x1, y1 = 0, 0, source.width, source.height
    out = Image.new(image.mode, size)
    try:  # straight from and into the images' memory (no copies: 1.4 ms saved on a 1600x1200 photo)
        cv2.resize(pixels(source)[y0:y1, x0:x1], size, dst=pixels(out), interpolation=cv2.INTER_LINEAR)
    except NotSingleBlock:
        out = Image.fromarray(cv2.resize(np.asarray(source)[y0:y1, x0:x1], size, interpolation=cv2.INTER_LINEAR))
    return out


def flatten(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """RGBA -> RGB over a solid colour (JPEG has no alpha; black-by-default would look broken)."""
    if image.mode != "RGBA":
        return _eight_bit(image).convert("RGB")
    base = Image.new("RGB", image.size, background)
    base.paste(image, mask=image.getchannel("A"))
    return base
