"""The schema as SQLAlchemy tables: the source Alembic compares migrations against.

Every constraint and index has a name (the naming convention below, or an explicit
one) so that a violation can be mapped back to the field it concerns.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class UserRow(Base):
    """``users``: people of the scheduling service."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(Text, nullable=False)
    display_name: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False, server_default="member")
    is_active: Mapped[bool] = mapped_column(nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()
    version: Mapped[int] = mapped_column(nullable=False, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("char_length(email) BETWEEN 3 AND 320", name="email_length"),
        CheckConstraint("char_length(display_name) BETWEEN 1 AND 200", name="display_name_length"),
        CheckConstraint("role IN ('administrator', 'staff', 'member')", name="role_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        # Unique regardless of case: Kim@x.org and kim@x.org are one person.
        Index("uq_users_email_lower", func.lower(email), unique=True),
        # Substring search (ILIKE '%text%') in the Users tab and the owner picker.
        Index(
            "ix_users_email_trgm",
            email,
            postgresql_using="gin",
            postgresql_ops={"email": "gin_trgm_ops"},
        ),
        Index(
            "ix_users_display_name_trgm",
            display_name,
            postgresql_using="gin",
            postgresql_ops={"display_name": "gin_trgm_ops"},
        ),
        Index("ix_users_created_at_id", "created_at", "id"),
        Index("ix_users_email_id", "email", "id"),
        Index("ix_users_display_name_id", "display_name", "id"),
    )


class TokenRow(Base):
    """``tokens``: API tokens. Only the SHA-256 of a secret is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # A user's tokens go with the user: the window says how many before deleting.
    owner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(Text, nullable=False)
    scopes: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    prefix: Mapped[str] = mapped_column(Text, nullable=False)
    secret_hash: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    created_at: Mapped[datetime] = _now()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(nullable=False, server_default=text("1"))
    # Who revoked it (the login name of the Tessera user); added by revision 0003.
    revoked_by: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("char_length(revoked_by) <= 200", name="revoked_by_length"),
        CheckConstraint("char_length(prefix) BETWEEN 1 AND 12", name="prefix_length"),
        # 64 lowercase hex digits; cheaper than '^[0-9a-f]{64}$' (revision 0004).
        CheckConstraint(
            "char_length(secret_hash) = 64 AND secret_hash !~ '[^0-9a-f]'",
            name="secret_hash_sha256",
        ),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("version >= 1", name="version_positive"),
        # The Tokens tab sorts by expiry by default and pages by (expires_at, id).
        Index("ix_tokens_expires_at_id", "expires_at", "id"),
        Index("ix_tokens_owner_id_expires_at", "owner_id", "expires_at"),
        Index("ix_tokens_name_id", "name", "id"),
        Index("ix_tokens_created_at_id", "created_at", "id"),
        # "Expiring within N days" only ever looks at unrevoked tokens.
        Index(
            "ix_tokens_unrevoked_expires_at_id",
            "expires_at",
            "id",
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )


class EventRow(Base):
    """``events``: calendar entries of users."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    location: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    all_day: Mapped[bool] = mapped_column(nullable=False, server_default=text("false"))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()
    version: Mapped[int] = mapped_column(nullable=False, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("ends_at >= starts_at", name="ends_after_starts"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint("char_length(location) <= 500", name="location_length"),
        CheckConstraint("char_length(description) <= 10000", name="description_length"),
        CheckConstraint("version >= 1", name="version_positive"),
        # A user's calendar and the overlap check: owner, then time.
        Index("ix_events_owner_id_starts_at", "owner_id", "starts_at"),
        Index("ix_events_starts_at_id", "starts_at", "id"),
        Index("ix_events_title_id", "title", "id"),
    )


class ChangeRow(Base):
    """``change_log``: every insert, update and delete of the three tables, written by triggers.

    Revision 0005 holds the triggers and the column defaults (who, which program, which
    transaction), so whoever writes — Tessera, psql, another program — is logged alike.
    """

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.statement_timestamp()
    )
    # The writing transaction (pg_current_xact_id): readers catch up by it, see changes.py.
    xid: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default=text("((pg_current_xact_id())::text)::bigint")
    )
    # Who: the Tessera user the transaction named (set_config('tessera.actor', …, true)),
    # else the database role. Written as PostgreSQL prints it back, for alembic check.
    actor: Mapped[str] = mapped_column(
        Text,
        nullable=False,
        server_default=text(
            "COALESCE(NULLIF(current_setting('tessera.actor'::text, true), ''::text), "
            "(SESSION_USER)::text)"
        ),
    )
    program: Mapped[str] = mapped_column(
        Text,
        nullable=False,
        server_default=text("COALESCE(current_setting('application_name'::text, true), ''::text)"),
    )
    # The window action the change was part of (see app.domain.acting), for undo.
    action: Mapped[str | None] = mapped_column(
        Text, server_default=text("NULLIF(current_setting('tessera.action'::text, true), ''::text)")
    )
    entity: Mapped[str] = mapped_column(Text, nullable=False)
    row_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # A token's or an event's owner, so that a user's history includes them.
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    operation: Mapped[str] = mapped_column(Text, nullable=False)
    before: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, object] | None] = mapped_column(JSONB)

    __table_args__ = (
        CheckConstraint("entity IN ('user', 'token', 'event')", name="entity_known"),
        CheckConstraint("operation IN ('insert', 'update', 'delete')", name="operation_known"),
        Index("ix_change_log_entity_row_id_id", "entity", "row_id", "id"),
        Index("ix_change_log_owner_id_id", "owner_id", "id"),
        Index("ix_change_log_changed_at", "changed_at", postgresql_using="brin"),
        Index("ix_change_log_xid", "xid", postgresql_using="brin"),
        Index("ix_change_log_action", "action", postgresql_where=text("action IS NOT NULL")),
    )


users = cast(Table, UserRow.__table__)
tokens = cast(Table, TokenRow.__table__)
events = cast(Table, EventRow.__table__)
change_log = cast(Table, ChangeRow.__table__)
metadata = Base.metadata
