"""Errors raised by the rendering package."""

from __future__ import annotations

BAD_IMAGE_REASONS = ("not_image", "too_large", "bomb", "shape", "scans")


class BadImage(ValueError):
    """An uploaded or provider image that must not be decoded or could not be.

    `reason` is one of BAD_IMAGE_REASONS so adapters can answer the user precisely.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in BAD_IMAGE_REASONS:
            raise ValueError(f"unknown BadImage reason {reason!r}")
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)

    def __reduce__(self) -> tuple[type[BadImage], tuple[str, str]]:
        """Rebuilt from (reason, detail): raised in a render worker, it must unpickle in the bot process."""
        return BadImage, (self.reason, self.detail)


class OutputCheckError(RuntimeError):
    """The delivered image broke its contract (size, bytes or mode): a bug, never user input."""
