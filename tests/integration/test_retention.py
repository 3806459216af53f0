"""`routix storage gc`: what nothing refers to goes (after a grace period); what a picture needs stays."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

from bots.bootstrap import Routix
from core.credits import utcnow
from core.domain import Generation
from core.messages import DocumentReply, ImageReply
from storage.blobs import LocalBlobStore
from storage.retention import collect_garbage
from tests.conftest import Conversation


def age(blobs: LocalBlobStore, key: str, days: float) -> None:
    stamp = time.time() - days * 86400
    os.utime(blobs.path_of(key), (stamp, stamp))


async def test_unreferenced_old_blobs_go_and_everything_a_picture_needs_stays(routix: Routix) -> None:
    blobs = routix.blobs
    assert isinstance(blobs, LocalBlobStore)
    person = Conversation(routix)
    image = next(e for e in await person.send('Vlog "PARIS"') if isinstance(e, ImageReply))
    generation = await routix.store.get_generation(uuid.UUID(hex=image.generation_id))
    assert generation is not None and generation.result_key
    orphan_old = await blobs.put(b"left behind by a crash, long ago", "jpg")
    orphan_new = await blobs.put(b"just stored, its row not written yet", "jpg")
    for key in (generation.result_key, orphan_old):
        age(blobs, key, 40)
    collected = await collect_garbage(routix.store, blobs, timedelta(days=7), None)  # type: ignore[arg-type]
    assert collected.blobs_deleted == 1
    assert not await blobs.exists(orphan_old)
    assert await blobs.exists(orphan_new), "inside the grace period"
    assert await blobs.exists(generation.result_key), "referenced, however old"
    again = next(e for e in await person.send(button=image.buttons[0][2].action) if isinstance(e, DocumentReply))
    assert again.data.startswith(b"\x89PNG")


async def an_original(routix: Routix, request: str) -> tuple[Conversation, ImageReply, DocumentReply, Generation]:
    """A thumbnail and its Original, pressed once: the lossless file is stored with its generation."""
    person = Conversation(routix)
    image = next(e for e in await person.send(request) if isinstance(e, ImageReply))
    original = next(e for e in await person.send(button=image.buttons[0][2].action) if isinstance(e, DocumentReply))
    generation = await routix.store.get_generation(uuid.UUID(hex=image.generation_id))
    assert generation is not None and generation.original_key
    return person, image, original, generation


async def test_free_tier_originals_expire_and_are_made_again_on_demand(routix: Routix, tmp_path: Path) -> None:
    blobs = routix.blobs
    assert isinstance(blobs, LocalBlobStore)
    person, image, original, generation = await an_original(routix, 'Tech "NEW PHONE"')
    assert generation.original_key
    age(blobs, generation.original_key, 60)
    later = utcnow() + timedelta(days=31)
    collected = await collect_garbage(routix.store, blobs, timedelta(days=7), timedelta(days=30), now=later)  # type: ignore[arg-type]
    assert (collected.originals_expired, collected.blobs_deleted) == (1, 1)
    assert not await blobs.exists(generation.original_key)
    again = next(e for e in await person.send(button=image.buttons[0][2].action) if isinstance(e, DocumentReply))
    assert again.data == original.data, "the same lossless file, made again"


async def test_an_original_whose_file_went_missing_is_made_again(routix: Routix) -> None:
    """Retention took the file a moment before its row forgot it (or a disk lost it): Original failed."""
    person, image, original, generation = await an_original(routix, 'Tech "GONE FILE"')
    assert generation.original_key
    await routix.blobs.delete(generation.original_key)
    again = next(e for e in await person.send(button=image.buttons[0][2].action) if isinstance(e, DocumentReply))
    assert again.data == original.data


async def test_a_file_saved_again_after_the_listing_is_kept(routix: Routix) -> None:
    """Listed as old and unreferenced, then saved again (the same bytes, on their way to a new row): kept."""
    blobs = routix.blobs
    assert isinstance(blobs, LocalBlobStore)

    class ListedBeforeTheSave(LocalBlobStore):
        async def listing(self) -> list[tuple[str, float]]:
            return [(key, 0.0) for key, _ in await super().listing()]  # the ages it had when gc listed it

    key = await blobs.put(b"an old orphan photo", "img")
    collected = await collect_garbage(routix.store, ListedBeforeTheSave(blobs.root), timedelta(days=7), None)
    assert collected.blobs_deleted == 0 and await blobs.exists(key)

