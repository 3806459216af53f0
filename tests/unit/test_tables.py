"""The core's dataclasses are the one definition of their tables: every field is a column, and a record comes back
from its row as it went in."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import SQLModel

from core.domain import Algorithm, ChatSettings, Conversation, Generation, Status, Template, Tier, User
from storage.tables import (
    AlgorithmRow,
    ChatSettingsRow,
    ConversationRow,
    GenerationRow,
    TemplateRow,
    TierRow,
    UserRow,
    record_from,
    row_values,
)

TABLES: list[tuple[type, type[SQLModel], tuple[str, ...]]] = [
    (User, UserRow, ()), (Tier, TierRow, ()), (Algorithm, AlgorithmRow, ("available",)),
    (Template, TemplateRow, ()), (Conversation, ConversationRow, ()), (ChatSettings, ChatSettingsRow, ()),
    (Generation, GenerationRow, ()),
]


@pytest.mark.parametrize(("record", "table", "not_stored"), TABLES, ids=[r.__name__ for r, _, _ in TABLES])
def test_every_field_of_a_record_is_a_column_of_its_table(record: type, table: type[SQLModel],
                                                          not_stored: tuple[str, ...]) -> None:
    columns = set(table.__table__.columns.keys())  # type: ignore[attr-defined]
    fields = {f.name for f in dataclasses.fields(record)}
    assert fields - set(not_stored) <= columns
    assert not set(not_stored) & columns


def test_optional_fields_are_nullable_columns_and_required_ones_are_not() -> None:
    columns = GenerationRow.__table__.columns  # type: ignore[attr-defined]
    assert columns["result_key"].nullable and columns["conversation_id"].nullable
    assert not columns["prompt"].nullable and not columns["seed"].nullable
    assert columns["user_id"].foreign_keys and columns["status"].index


def test_a_generation_comes_back_from_its_row_as_it_went_in() -> None:
    made = Generation(id=uuid.uuid4(), user_id=uuid.uuid4(), conversation_id=None, platform="telegram", chat_id="7",
                      algorithm="basic", prompt="easy pasta", title="Easy Pasta", seed=42, cost=1,
                      status=Status.COMPLETED, analysis={"category": "food"}, timings={"render_ms": 9.5},
                      result_key="ab/cd.jpg", created_at=datetime(2026, 1, 2, tzinfo=UTC))
    assert record_from(Generation, GenerationRow(**row_values(made))) == made


def test_tuples_are_stored_as_lists_and_read_back_as_tuples() -> None:
    template = Template("t", "T", "food", "bold", "fun", ("number",), ("#000000", "#ffffff"), "listicle")
    stored = row_values(template)
    assert stored["palette"] == ["#000000", "#ffffff"]
    assert record_from(Template, TemplateRow(**stored)) == template
    assert "available" not in row_values(Algorithm("a", "A", "d", 1, "local", available=True))
