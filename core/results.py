"""What a finished job says: the result events with their buttons, and a failure's message, in the job's language."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace

from core.actions import action
from core.domain import Algorithm, Generation, Job
from core.i18n import translate
from core.messages import AlbumReply, Button, ErrorReply, ImageReply, Keyboard
from core.ports import Links
from core.rendering import fonts


@dataclass(frozen=True)
class Made:
    generation: Generation
    jpeg: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Failure:
    """Why a job was refunded, stored with it so the message can be sent (again) by any runner."""

    code: str  # the ErrorReply code: "failed", "bad_image", "gave_up"
    key: str  # the text to send (core/i18n.py)
    detail: str = ""  # for the operator: stored, logged, never shown
    reason: str | None = None  # a text key filled in as {reason}, in the person's language
    values: dict = field(default_factory=dict)
    local_of: str | None = None  # a failed paid generation (hex): its message offers the free Local algorithm

    def stored(self) -> dict:
        return {**asdict(self), "detail": self.detail[:500]}

    @classmethod
    def of(cls, stored: dict | None) -> Failure:
        return cls(**stored) if stored else cls("failed", "failed", reason="reason_internal")

    def message(self, language: str) -> ErrorReply:
        values = dict(self.values)
        if self.reason:
            values["reason"] = translate(language, self.reason)
        buttons: Keyboard = ()
        if self.local_of:
            buttons = ((Button(translate(language, "button_try_local"), action("algo", uuid.UUID(hex=self.local_of),
                                                                                  "local")),),)
        return ErrorReply(self.code, translate(language, self.key, **values), buttons)


CAPTION_ROOM = 1000  # Telegram's captions end at 1024: a link that does not fit whole is left out


def result_event(job: Job, made: list[Made], algorithms: dict[str, Algorithm],
                 links: Links | None = None) -> ImageReply | AlbumReply:
    images = [_linked(_image(job, item, algorithms), item.generation, links) for item in made]
    if len(images) == 1:
        return images[0]
    caption = translate(job.language, "variations_caption", count=len(images), title=made[0].generation.title)
    return AlbumReply(tuple(images), caption)


def _linked(image: ImageReply, generation: Generation, links: Links | None) -> ImageReply:
    """The caption with a share link to the stored picture, where links are configured."""
    if links is None or not generation.result_key:
        return image
    caption = f"{image.caption}\n🔗 {links.url(generation.result_key, image.filename)}"
    return replace(image, caption=caption) if len(caption) <= CAPTION_ROOM else image


def _image(job: Job, item: Made, algorithms: dict[str, Algorithm]) -> ImageReply:
    generation = item.generation
    algorithm = algorithms.get(generation.algorithm)
    caption = translate(job.language, "caption", title=generation.title,
                        algorithm=algorithm.name if algorithm else generation.algorithm, credits=job.balance or 0)
    if left_out := fonts.undrawable(generation.title):  # the title as typed is above; the picture lacks these
        caption += "\n" + translate(job.language, "caption_left_out", characters=" ".join(left_out))
    return ImageReply(generation.id.hex, item.jpeg, f"routix-{generation.id.hex[:8]}.jpg", caption, item.width,
                      item.height, result_buttons(job.language, generation, algorithms))


def result_buttons(language: str, generation: Generation, algorithms: dict[str, Algorithm]) -> Keyboard:
    """Regenerate, Variations, Original, and a switch to every other enabled algorithm."""
    ident = generation.id
    main = (
        Button(translate(language, "button_regenerate"), action("regen", ident)),
        Button(translate(language, "button_variations"), action("vars", ident)),
        Button(translate(language, "button_original"), action("orig", ident)),
    )
    switch = tuple(
        Button(translate(language, "button_algorithm", name=a.name, cost=a.cost), action("algo", ident, a.id))
        for a in algorithms.values() if a.enabled and a.id != generation.algorithm)
    return (main, switch) if switch else (main,)
