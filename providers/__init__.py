"""HTTP clients of the paid services (outside the core: it knows only the ports and `ProviderError`).

OpenAI images (the official client), Stability AI and a self-hosted Stable Diffusion web UI (aiohttp), the
language model that reads requests, and OpenAI's moderation. `bots/bootstrap.py` builds them from settings.
"""
