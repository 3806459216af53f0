"""The algorithm catalogue, as data. Seeded into storage; admins enable and disable entries. Which provider and
model actually draws each paid one is a setting (ALGORITHM_BASIC, ...): `provider` here is what a new database
shows until then."""

from __future__ import annotations

from core.domain import Algorithm

SEED_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("local", "Local", "Offline designer compositor: instant, free.", 0, "local"),
    Algorithm("basic", "Basic AI", "An AI background with our title typography.", 1, "openai:gpt-image-1-mini"),
    Algorithm("premium", "Premium AI", "Higher-detail AI artwork, tuned for clicks; uses your photo.", 3,
              "openai:gpt-image-2"),
    Algorithm("pro", "Pro AI", "Photo-real AI scenes; your photo cut out beside the title.", 5, "stability:ultra"),
)
DEFAULT_ALGORITHM = "local"
