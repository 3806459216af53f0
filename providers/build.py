"""The paid providers, the language model and the moderation check, built from the AI settings.

One `Service` (limit, key state) and one HTTP client per provider, shared by every algorithm on it; an algorithm
whose provider has no key (or base URL) is built anyway and reports itself unavailable, so it is listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import openai

from core.ports import Moderator, RemoteImages, Understanding
from providers.language import ChatUnderstanding, OpenAIModeration, Shrink
from providers.openai_images import OpenAIImages, openai_client
from providers.sdwebui import SDWebUIClient, SDWebUIImages
from providers.shared import Downloader, Service
from providers.stability import StabilityClient, StabilityImages

if TYPE_CHECKING:
    from bots.settings import AISettings


@dataclass
class Built:
    images: dict[str, RemoteImages]  # algorithm id → its model
    moderators: list[Moderator]
    understanding: Understanding | None
    clients: list[object] = field(default_factory=list)  # closed once, at the end

    async def close(self) -> None:
        for client in self.clients:
            await client.close()  # type: ignore[attr-defined]


def build_paid(ai: AISettings, shrink: Shrink) -> Built:
    openai_service = Service("openai", bool(ai.openai_api_key), ai.openai_concurrency)
    stability_service = Service("stability", bool(ai.stability_api_key), ai.stability_concurrency)
    sdwebui_service = Service("sdwebui", bool(ai.sdwebui_base_url), ai.sdwebui_concurrency)
    images_client = openai_client(ai.openai_api_key, ai.openai_base_url, ai.openai_concurrency, ai.ai_timeout_seconds)
    stability = StabilityClient(stability_service, ai.stability_api_base_url, ai.stability_api_key,
                                ai.ai_timeout_seconds)
    sdwebui = SDWebUIClient(sdwebui_service, ai.sdwebui_base_url, ai.sdwebui_auth, ai.ai_timeout_seconds)
    downloads = Downloader(ai.ai_download_max_bytes, ai.ai_timeout_seconds, ai.openai_concurrency)
    built = Built({}, [], None, [images_client, stability, sdwebui, downloads])
    for algorithm, spec in ai.algorithms.items():
        provider, model, quality = [*spec.split(":"), ""][:3]
        if provider == "openai":
            built.images[algorithm] = OpenAIImages(openai_service, images_client, model, quality,
                                                   previews=ai.ai_previews, downloads=downloads)
        elif provider == "stability":
            built.images[algorithm] = StabilityImages(stability, model)
        else:
            built.images[algorithm] = SDWebUIImages(sdwebui, model, quality)
    if ai.openai_api_key:
        built.moderators.append(OpenAIModeration(images_client, ai.moderation_model, shrink))
    if ai.analysis_base_url:
        language_client = openai.AsyncOpenAI(api_key=ai.analysis_api_key or ai.openai_api_key or "none",
                                             base_url=ai.analysis_base_url, max_retries=0,
                                             timeout=ai.analysis_timeout_seconds)
        built.understanding = ChatUnderstanding(language_client, ai.analysis_model, ai.analysis_timeout_seconds)
        built.clients.append(language_client)
    return built
