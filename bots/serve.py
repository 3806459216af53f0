"""`routix serve`: the signed share links of the local blob store, over HTTP (put TLS in front of it)."""

from __future__ import annotations

import asyncio
import logging
import mimetypes

from aiohttp import web

from core.ports import BlobStore
from storage.links import LINK_PATH, LinkRefused, SignedLinks

log = logging.getLogger(__name__)


def share_app(links: SignedLinks, blobs: BlobStore) -> web.Application:
    async def serve(request: web.Request) -> web.StreamResponse:
        try:
            key = links.check(request.match_info["key"], request.query.get("e", ""), request.query.get("s", ""))
        except LinkRefused as refused:
            return web.Response(status=refused.status, text=refused.reason + "\n")
        try:
            data = await blobs.get(key)
        except (FileNotFoundError, KeyError):
            return web.Response(status=404, text="no longer stored\n")
        filename = request.query.get("n", key).replace('"', "")[:100]
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return web.Response(body=data, content_type=kind, headers={
            "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff"})

    app = web.Application()
    app.router.add_get(LINK_PATH + "{key}", serve)
    return app


async def run_server(links: SignedLinks, blobs: BlobStore, host: str, port: int) -> None:
    runner = web.AppRunner(share_app(links, blobs), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("share links served on http://%s:%s%s", host, port, LINK_PATH)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
