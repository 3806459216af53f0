"""The algorithm catalogue, as data. Seeded into storage; admins enable and disable entries."""

from __future__ import annotations

from core.domain import Algorithm

SEED_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("local", "Local", "Offline designer compositor: instant, free.", 0, "local"),
    Algorithm("basic", "Basic AI", "An AI background with our title typography.", 1, "openai:dall-e-3"),
    Algorithm("premium", "Premium AI", "Higher-detail AI artwork, tuned for clicks.", 3, "openai:gpt-image-1"),
    Algorithm("pro", "Pro AI", "The best model with photo-real subjects.", 5, "stability:sd3"),
)
DEFAULT_ALGORITHM = "local"
