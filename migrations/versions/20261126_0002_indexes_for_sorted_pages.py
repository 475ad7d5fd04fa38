"""Indexes for sorted pages.

Every column the window sorts by gets an index on (column, id): a keyset page deep in
a large table then costs what the first page costs, and no page sorts the whole table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("users", "email"),
    ("users", "display_name"),
    ("tokens", "name"),
    ("tokens", "created_at"),
    ("events", "title"),
]


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}_id"), table, [column, "id"])


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}_id"), table_name=table)
