"""The algorithm catalogue, as data. Seeded into storage; admins enable and disable entries. Which provider and
model actually draws each paid one is a setting (ALGORITHM_BASIC, ...): `provider` here is what a new database
shows until then."""

from __future__ import annotations

from core.domain import Algorithm
from core.i18n import translate


def _about(algorithm_id: str) -> str:
    """The stored (English) description; replies take each language's from core/i18n.py by id."""
    return translate("en", f"about_{algorithm_id}")


SEED_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("local", "Local", _about("local"), 0, "local"),
    Algorithm("basic", "Basic AI", _about("basic"), 1, "openai:gpt-image-1-mini"),
    Algorithm("premium", "Premium AI", _about("premium"), 3, "openai:gpt-image-2"),
    Algorithm("pro", "Pro AI", _about("pro"), 5, "stability:ultra"),
)
DEFAULT_ALGORITHM = "local"
