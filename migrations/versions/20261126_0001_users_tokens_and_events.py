"""Users, tokens and events.

The first schema. Every constraint is named (see ``app.infrastructure.tables``) so a
violation maps back to a field. Times are ``timestamptz``. A user's tokens and events
are deleted with the user (ON DELETE CASCADE); the window says how many first.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.schema import SchemaItem

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def _stamp(name: str) -> sa.Column[datetime]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)


def _owner(table: str) -> list[SchemaItem]:
    return [
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f(f"fk_{table}_owner_id_users"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    # Names are wrapped in op.f(): they are final, the naming convention must not
    # prefix them again.
    # pg_trgm makes ILIKE '%text%' searches use an index. It is a trusted extension
    # (PostgreSQL 13+): a database owner may create it without superuser rights.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), server_default="member", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        _version(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.CheckConstraint(
            "char_length(email) BETWEEN 3 AND 320", name=op.f("ck_users_email_length")
        ),
        sa.CheckConstraint(
            "char_length(display_name) BETWEEN 1 AND 200", name=op.f("ck_users_display_name_length")
        ),
        sa.CheckConstraint(
            "role IN ('administrator', 'staff', 'member')", name=op.f("ck_users_role_known")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_users_version_positive")),
    )
    # Emails are unique regardless of case.
    op.create_index(
        "uq_users_email_lower", "users", [sa.literal_column("lower(email)")], unique=True
    )
    for column in ("email", "display_name"):
        op.create_index(
            f"ix_users_{column}_trgm",
            "users",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.create_index("ix_users_created_at_id", "users", ["created_at", "id"])

    op.create_table(
        "tokens",
        _id(),
        *_owner("tokens"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "scopes",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("prefix", sa.Text(), nullable=False),
        # SHA-256 of the secret, hex. The secret itself is never stored.
        sa.Column("secret_hash", sa.Text(), nullable=False),
        _stamp("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_tokens_secret_hash")),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 200", name=op.f("ck_tokens_name_length")
        ),
        sa.CheckConstraint(
            "char_length(prefix) BETWEEN 1 AND 12", name=op.f("ck_tokens_prefix_length")
        ),
        sa.CheckConstraint(
            "secret_hash ~ '^[0-9a-f]{64}$'", name=op.f("ck_tokens_secret_hash_sha256")
        ),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_tokens_expires_after_created")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tokens_version_positive")),
    )
    # Sorting and keyset paging by expiry, a user's tokens, and "expiring within N days".
    op.create_index("ix_tokens_expires_at_id", "tokens", ["expires_at", "id"])
    op.create_index("ix_tokens_owner_id_expires_at", "tokens", ["owner_id", "expires_at"])
    op.create_index(
        "ix_tokens_unrevoked_expires_at_id",
        "tokens",
        ["expires_at", "id"],
        postgresql_where=sa.text("revoked_at IS NULL"),
    )

    op.create_table(
        "events",
        _id(),
        *_owner("events"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("all_day", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        _version(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.CheckConstraint("ends_at >= starts_at", name=op.f("ck_events_ends_after_starts")),
        sa.CheckConstraint(
            "char_length(title) BETWEEN 1 AND 200", name=op.f("ck_events_title_length")
        ),
        sa.CheckConstraint("char_length(location) <= 500", name=op.f("ck_events_location_length")),
        sa.CheckConstraint(
            "char_length(description) <= 10000", name=op.f("ck_events_description_length")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_events_version_positive")),
    )
    # A user's calendar and the overlap check (owner, then time); all events by time.
    op.create_index("ix_events_owner_id_starts_at", "events", ["owner_id", "starts_at"])
    op.create_index("ix_events_starts_at_id", "events", ["starts_at", "id"])


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it. pg_trgm stays: other
    # schemas in the database may use it.
    op.drop_table("events")
    op.drop_table("tokens")
    op.drop_table("users")
