"""Thumbnail rendering: the offline compositor and the shared post-processing.

Public API (stable for the rest of the core):
- render_local(scene, finish) -> Rendered: the `local` algorithm, pure and picklable.
- finish_external(image_bytes, scene, finish) -> Rendered: fit any provider output to
  1280x720, add the title and watermark, encode under the byte budget.
- text_support_problems() -> list[str]: empty when Persian shaping and fonts are usable.
- validate_photo(data) -> (width, height): early check of an upload; raises BadImage.
- VARIANTS: the seed contract; seeds with different residues modulo VARIANTS look visibly different.
"""

from core.rendering.compositor import (
    finish_external,
    moderation_jpeg,
    preview_jpeg,
    provider_photo,
    render_local,
    title_on_top,
)
from core.rendering.errors import BadImage, OutputCheckError
from core.rendering.fonts import text_support_problems
from core.rendering.photos import validate_photo
from core.rendering.types import HEIGHT, LAYOUTS, VARIANTS, WIDTH, Finish, Rendered, Scene

__all__ = [
    "HEIGHT",
    "LAYOUTS",
    "VARIANTS",
    "WIDTH",
    "BadImage",
    "Finish",
    "OutputCheckError",
    "Rendered",
    "Scene",
    "finish_external",
    "moderation_jpeg",
    "preview_jpeg",
    "provider_photo",
    "render_local",
    "text_support_problems",
    "title_on_top",
    "validate_photo",
]
