"""`routix serve`: the signed share links of the local blob store, over HTTP (put TLS in front of it)."""

from __future__ import annotations

import logging
import mimetypes
import re

from aiohttp import web

from bots.lifecycle import until_stopped
from core.ports import BlobStore
from storage.blobs import content_type
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
        # The type is the stored file's, never the link's unsigned name: "n=x.html" made a picture a web page.
        kind = content_type(data, key.rsplit(".", 1)[1])
        filename = _shown_name(request.query.get("n", ""), kind)
        return web.Response(body=data, content_type=kind, headers={
            "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff"})

    app = web.Application()
    app.router.add_get(LINK_PATH + "{key}", serve)
    return app


def _shown_name(asked: str, kind: str) -> str:
    """The link's name, in safe characters, with the extension of what is served."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "", asked.rsplit(".", 1)[0])[:80] or "routix"
    return stem + (mimetypes.guess_extension(kind) or "")


async def run_server(links: SignedLinks, blobs: BlobStore, host: str, port: int) -> None:
    runner = web.AppRunner(share_app(links, blobs), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("share links served on http://%s:%s%s", host, port, LINK_PATH)
    try:
        await until_stopped()  # SIGTERM (a container's stop) ends it cleanly, like every other service
    finally:
        await runner.cleanup()
