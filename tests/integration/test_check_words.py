"""A database check refused (a write that went around the domain's validation) is told in the
domain's words, naming the field and its limits ("Title must have 1 to 200 characters.")."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.errors import InvalidInput
from app.infrastructure.errors import translated

CASES = [
    ("users", "display_name", "''", "Name must have 1 to 200 characters."),
    ("users", "email", "'a'", "Email must have 3 to 320 characters."),
    ("events", "title", "repeat('t', 201)", "Title must have 1 to 200 characters."),
    ("events", "location", "repeat('l', 501)", "Location can have at most 500 characters."),
]


@pytest.mark.parametrize(("table", "field", "value", "words"), CASES)
async def test_a_check_names_the_field_and_its_limits(
    connection: AsyncConnection, table: str, field: str, value: str, words: str
) -> None:
    owner = await connection.scalar(
        text(
            "INSERT INTO users (email, display_name) VALUES ('checks@example.org', 'C') "
            "RETURNING id"
        )
    )
    columns = {
        "users": {"email": "'x@example.org'", "display_name": "'X'"},
        "events": {
            "owner_id": str(owner),
            "title": "'T'",
            "location": "''",
            "starts_at": "now()",
            "ends_at": "now()",
        },
    }[table] | {field: value}
    names, values = ", ".join(columns), ", ".join(columns.values())
    statement = f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608 - the test's own

    with pytest.raises(InvalidInput) as caught:
        async with translated(table[:-1]), connection.begin_nested():
            await connection.execute(text(statement))

    assert caught.value.errors == {field: words}
