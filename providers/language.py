"""An OpenAI-compatible chat model reading requests (structured output, a JSON schema), and OpenAI's moderation.

Both are best effort by design: an answer late, wrong or missing leaves the keyword analyzer's reading (or, for
moderation, the word list and the image service's own filter) in charge, and the request goes on.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from collections.abc import Awaitable, Callable

import openai

from core.analysis import CATEGORY_WORDS, ELEMENT_WORDS, MOOD_WORDS, STYLE_WORDS
from core.domain import Analysis
from core.ports import Understood
from core.text import clean_text, is_blank

log = logging.getLogger(__name__)
CATEGORIES = (*CATEGORY_WORDS, "other")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
PERSIAN = re.compile(r"[\u0600-\u06FF]")
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "category", "style", "mood", "colors", "elements", "badge", "highlight", "description"],
    "properties": {
        "title": {"type": "string", "description": "2-5 punchy words for the thumbnail, in the request's language"},
        "category": {"type": "string", "enum": list(CATEGORIES)},
        "style": {"type": "string", "enum": list(STYLE_WORDS)},
        "mood": {"type": "string", "enum": list(MOOD_WORDS)},
        "colors": {"type": "array", "items": {"type": "string", "description": "#rrggbb"}, "maxItems": 3},
        "elements": {"type": "array", "items": {"type": "string", "enum": list(ELEMENT_WORDS)}},
        "badge": {"type": "string", "description": "a short badge such as NEW or #1, or empty"},
        "highlight": {"type": "string", "description": "one word of the title to colour, or empty"},
        "description": {"type": "string", "description": "the background picture, in English, one or two sentences, "
                                                         "no text in it"},
    },
}
SYSTEM = (
    "You design YouTube thumbnails. Read the creator's request and fill the schema. The title is what will be "
    "written on the thumbnail: keep a quoted title exactly; otherwise 2-5 words in the request's own language "
    "(Persian stays Persian). The description is the background picture in English: subject, composition, "
    "lighting; never any text. When a previous analysis is given, the request changes it: keep everything the "
    "request does not change."
)


class ChatUnderstanding:
    """The Understanding port over any OpenAI-compatible chat completions endpoint."""

    def __init__(self, client: openai.AsyncOpenAI, model: str, timeout_s: float) -> None:
        self.client, self.model, self.timeout_s = client, model, timeout_s

    async def understand(self, text: str, language: str, previous: Analysis | None) -> Understood | None:
        try:
            async with asyncio.timeout(self.timeout_s):
                content = await self._ask(text, previous)
            return _parsed(content, language)
        except (TimeoutError, openai.OpenAIError, ValueError, KeyError, TypeError) as error:
            log.info("the language model's reading was not used (%s): keywords decide", type(error).__name__)
            return None

    async def _ask(self, text: str, previous: Analysis | None) -> str:
        user = f"Request: {text}"
        if previous is not None:
            user = f"Previous analysis: {json.dumps(_plain(previous), ensure_ascii=False)}\nChange: {text}"
        response = await self.client.chat.completions.create(
            model=self.model, messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "thumbnail_analysis", "strict": True, "schema": SCHEMA}},
        )
        content = response.choices[0].message.content if response.choices else None
        if not content:
            raise ValueError("an empty answer")
        return content


def _plain(analysis: Analysis) -> dict:
    return {"title": analysis.title, "category": analysis.category, "style": analysis.style, "mood": analysis.mood,
            "colors": list(analysis.colors), "elements": list(analysis.elements), "badge": analysis.badge or "",
            "highlight": analysis.highlight or ""}


def _parsed(content: str, language: str) -> Understood:
    """The answer checked field by field: anything outside the schema is a ValueError (keywords decide then)."""
    data = json.loads(content)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    title = clean_text(str(data["title"])).strip()[:80]
    if is_blank(title) or (language == "fa" and not PERSIAN.search(title)):
        raise ValueError("no usable title (a Persian request keeps a Persian title)")
    category, style, mood = data["category"], data["style"], data["mood"]
    if category not in CATEGORIES or style not in STYLE_WORDS or mood not in MOOD_WORDS:
        raise ValueError("a value outside the schema's choices")
    colors = tuple(c.lower() for c in data["colors"] if isinstance(c, str) and HEX.match(c))[:3]
    elements = tuple(e for e in data["elements"] if e in ELEMENT_WORDS)
    badge = clean_text(str(data["badge"])).strip()[:12] or None
    highlight = clean_text(str(data["highlight"])).strip()
    description = clean_text(str(data["description"])).strip()[:600]
    if not description:
        raise ValueError("no description")
    analysis = Analysis(category, style, mood, colors, title, elements, badge,
                        highlight if highlight and highlight in title else None, language)
    return Understood(analysis, description)


Shrink = Callable[[bytes], Awaitable[bytes]]  # a photo made small enough to send (a render worker does it)
CATEGORY_GROUPS = ("sexual", "violence", "hate", "harassment", "self-harm", "illicit")


class OpenAIModeration:
    """OpenAI's moderation endpoint on the request's text and the reference photo."""

    def __init__(self, client: openai.AsyncOpenAI, model: str, shrink: Shrink, timeout_s: float = 10.0) -> None:
        self.client, self.model, self.shrink, self.timeout_s = client, model, shrink, timeout_s

    async def flagged(self, text: str, photo: bytes | None) -> str | None:
        items: list[dict] = [{"type": "text", "text": text[:10000] or "photo"}]
        if photo is not None:
            small = base64.b64encode(await self.shrink(photo)).decode()
            items.append({"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{small}"}})
        async with asyncio.timeout(self.timeout_s):
            response = await self.client.moderations.create(model=self.model, input=items)  # type: ignore[arg-type]
        for result in response.results:
            if result.flagged:
                return _group(result.categories.model_dump(by_alias=True))
        return None


def _group(categories: dict[str, object]) -> str:
    """'violence/graphic' → 'violence': the families a creator can be told about."""
    for name, hit in categories.items():
        if hit:
            family = name.split("/")[0].replace("_", "-")
            return family if family in CATEGORY_GROUPS else "other"
    return "other"
