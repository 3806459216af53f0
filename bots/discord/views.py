"""The core's buttons as Discord components that keep working after a restart.

Custom ids are the core's `Button.action` strings verbatim (e.g. `rx:regen:<hex>`), which name a stored generation.
Presses are routed by `DynamicItem`s registered at startup (`client.add_dynamic_items`): they match any `rx:` custom
id, whether the message was sent a minute ago or before the last restart, so no in-memory view is needed.

A row of buttons whose actions share one `rx:<verb>:<id>` prefix and differ only in a last `:<value>` part (the
algorithm choices) becomes a select menu with that prefix as custom id; a choice is handed back to the core as
`f"{custom_id}:{value}"`, which is exactly the button action it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from core.messages import Button, Keyboard

ACTION = r"rx:[^\s]+"
# discord.py keys dynamic items by their compiled pattern, so the select needs a pattern of its own (it matches the
# `rx:<verb>:<id>` prefix a choice row is folded into). Patterns overlap, and discord.py offers a press to every
# matching item class, so each item acts only on presses of its own component type.
SELECT = r"rx:[^:\s]+:[^:\s]+"
_CHOICE = re.compile(r"^(?P<prefix>rx:[^:\s]+:[^:\s]+):(?P<value>[^:\s]+)$")
BUTTONS_PER_ROW = 5


class PressTarget(Protocol):
    """The client: dynamic items are created by discord.py, so they reach the adapter through the interaction."""

    async def press(self, interaction: discord.Interaction, action: str) -> None: ...


def _component_type(interaction: discord.Interaction) -> int | None:
    return (interaction.data or {}).get("component_type")  # type: ignore[return-value]


async def _dispatch(interaction: discord.Interaction, action: str) -> None:
    client: PressTarget = interaction.client  # type: ignore[assignment]
    await client.press(interaction, action)


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=ACTION):  # type: ignore[call-arg]
    def __init__(self, action: str, label: str = "…") -> None:
        super().__init__(discord.ui.Button(label=label[:80], custom_id=action, style=discord.ButtonStyle.secondary))
        self.action = action

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> ActionButton:
        return cls(match.string, getattr(item, "label", None) or "…")

    async def callback(self, interaction: discord.Interaction) -> None:
        if _component_type(interaction) == discord.ComponentType.button.value:
            await _dispatch(interaction, self.action)


class ActionSelect(discord.ui.DynamicItem[discord.ui.Select], template=SELECT):  # type: ignore[call-arg]
    def __init__(self, custom_id: str, options: Sequence[discord.SelectOption] = (), placeholder: str | None = None):
        select: discord.ui.Select = discord.ui.Select(custom_id=custom_id, placeholder=placeholder,
                                                      options=list(options) or [discord.SelectOption(label="…")])
        super().__init__(select)
        self.custom_id_ = custom_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> ActionSelect:
        return cls(match.string, getattr(item, "options", ()))

    async def callback(self, interaction: discord.Interaction) -> None:
        values = (interaction.data or {}).get("values") or []
        if _component_type(interaction) == discord.ComponentType.string_select.value and values:
            await _dispatch(interaction, f"{self.custom_id_}:{values[0]}")


def _as_select(row: Sequence[Button]) -> tuple[str, list[discord.SelectOption]] | None:
    matches = [_CHOICE.match(button.action) for button in row]
    if len(row) < 2 or not all(matches) or len({m["prefix"] for m in matches if m}) != 1:
        return None
    pairs = zip(row, matches, strict=True)
    options = [discord.SelectOption(label=b.label[:100], value=m["value"]) for b, m in pairs if m]
    return matches[0]["prefix"], options[:25]  # type: ignore[index]


def build_view(keyboard: Keyboard, placeholder: str | None = None) -> discord.ui.View | None:
    """A stateless view: `stop()`ped so discord.py does not also store it (presses go to the dynamic items)."""
    if not keyboard:
        return None
    view = discord.ui.View(timeout=None)
    row_index = 0
    for row in keyboard:
        select = _as_select(row)
        if select is not None:
            item = ActionSelect(select[0], select[1], placeholder).item
            item.row = min(row_index, 4)
            view.add_item(item)
            row_index += 1
            continue
        for start in range(0, len(row), BUTTONS_PER_ROW):
            for button in row[start:start + BUTTONS_PER_ROW]:
                item = ActionButton(button.action, button.label).item
                item.row = min(row_index, 4)
                view.add_item(item)
            row_index += 1
    view.stop()
    return view
